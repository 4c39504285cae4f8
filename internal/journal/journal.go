// Package journal is wharf's undo journal: an append-only file of what
// registries held before wharf changed them, written and fsync'd before each
// change is requested, so a crash at any point leaves what is needed to put
// things back. It knows nothing of registries or engines: the clients hand
// it entries (domain.JournalEntry) and mark their outcome.
package journal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
)

// ErrNoSuchEntry is the answer for a journal entry ID the journal does not have.
var ErrNoSuchEntry = errors.New("no such journal entry")

// Journal is an append-only record of what registries held before wharf
// changed them, one JSON object per line in a file. Each record is written
// and fsync'd before the change is requested, so a crash at any point leaves
// what is needed to undo it. A line torn by a crash is skipped when reading
// and never glued to the next record. Several wharf processes may append at
// once: each append holds an exclusive lock on the file.
type Journal struct {
	path string
	now  func() time.Time
}

// journalRecord is a line of the file: an entry, or the note that an entry
// was undone.
type journalRecord struct {
	Entry  *domain.JournalEntry `json:"entry,omitempty"`
	Undone *undoneRecord        `json:"undone,omitempty"`
	// Refused notes that the registry refused the change an entry recorded.
	Refused *refusedRecord `json:"refused,omitempty"`
	// Done notes the digest a change made elsewhere (a push through the
	// engine) left the tags at.
	Done *doneRecord `json:"done,omitempty"`
}

type doneRecord struct {
	ID    int    `json:"id"`
	After string `json:"after"`
}

type refusedRecord struct {
	ID    int    `json:"id"`
	Error string `json:"error"`
}

type undoneRecord struct {
	ID   int       `json:"id"`
	Time time.Time `json:"time"`
}

// Open opens (creating) the journal in dir.
func Open(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal %s: %w", dir, err)
	}
	j := &Journal{path: filepath.Join(dir, "journal.jsonl"), now: time.Now}
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return j, f.Close()
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// Record appends e with the next ID and the current time, durably, and
// returns it as written.
func (j *Journal) Record(e domain.JournalEntry) (domain.JournalEntry, error) {
	err := j.locked(func(f *os.File) error {
		entries, err := readJournal(f)
		if err != nil {
			return err
		}
		e.ID = len(entries) + 1
		e.Time = j.now().UTC()
		e.PID = os.Getpid()
		return appendRecord(f, journalRecord{Entry: &e})
	})
	if err != nil {
		return e, fmt.Errorf("writing the journal %s (nothing was changed): %w", j.path, err)
	}
	return e, nil
}

// MarkUndone records that entry id was undone.
func (j *Journal) MarkUndone(id int) error {
	err := j.locked(func(f *os.File) error {
		return appendRecord(f, journalRecord{Undone: &undoneRecord{ID: id, Time: j.now().UTC()}})
	})
	if err != nil {
		return fmt.Errorf("writing the journal %s: %w", j.path, err)
	}
	return nil
}

// MarkRefused records that the registry refused the change of entry id.
func (j *Journal) MarkRefused(id int, why error) error {
	return j.locked(func(f *os.File) error {
		return appendRecord(f, journalRecord{Refused: &refusedRecord{ID: id, Error: why.Error()}})
	})
}

// MarkDone records the digest entry id's change left its tags at.
func (j *Journal) MarkDone(id int, after string) error {
	return j.locked(func(f *os.File) error {
		return appendRecord(f, journalRecord{Done: &doneRecord{ID: id, After: after}})
	})
}

// Entries are the journal's entries, oldest first, with Undone filled in.
func (j *Journal) Entries() ([]domain.JournalEntry, error) {
	var entries []domain.JournalEntry
	err := j.locked(func(f *os.File) error {
		var err error
		entries, err = readJournal(f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the journal %s: %w", j.path, err)
	}
	return entries, nil
}

// Entry returns entry id.
func (j *Journal) Entry(id int) (domain.JournalEntry, error) {
	entries, err := j.Entries()
	if err != nil {
		return domain.JournalEntry{}, err
	}
	if id < 1 || id > len(entries) {
		return domain.JournalEntry{}, fmt.Errorf("%w: %d (the journal has %d)", ErrNoSuchEntry, id, len(entries))
	}
	return entries[id-1], nil
}

// Last returns the newest entry not undone yet (and not refused by the
// registry): what an undo undoes next, so that undoing again and again
// walks back through the changes.
func (j *Journal) Last() (domain.JournalEntry, error) { return j.LastIn("") }

// LastIn is Last among the entries of one repository ("" for any).
func (j *Journal) LastIn(repository string) (domain.JournalEntry, error) {
	entries, err := j.Entries()
	if err != nil {
		return domain.JournalEntry{}, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Undone.IsZero() && e.Refused == "" && (repository == "" || e.Repository == repository) {
			return e, nil
		}
	}
	if repository != "" {
		return domain.JournalEntry{}, fmt.Errorf("%w: nothing left to undo in %s (`wharf journal` lists every change)", ErrNoSuchEntry, repository)
	}
	return domain.JournalEntry{}, fmt.Errorf("%w: nothing left to undo", ErrNoSuchEntry)
}

// locked runs f with the journal open for reading and appending under an
// exclusive lock.
func (j *Journal) locked(f func(*os.File) error) error {
	file, err := os.OpenFile(j.path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = file.Close() }()
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX); err != nil { //nolint:gosec // a file descriptor fits an int
		return err
	}
	defer func() { _ = syscall.Flock(int(file.Fd()), syscall.LOCK_UN) }() //nolint:gosec // as above
	return f(file)
}

// readJournal reads every record from the start of f. Lines that do not
// parse (a record torn by a crash) are skipped: the entry they began was
// never acted on, because acting waits for the fsync.
func readJournal(f *os.File) ([]domain.JournalEntry, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var entries []domain.JournalEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		var r journalRecord
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		switch {
		case r.Entry != nil:
			entries = append(entries, *r.Entry)
		case r.Undone != nil && r.Undone.ID >= 1 && r.Undone.ID <= len(entries):
			entries[r.Undone.ID-1].Undone = r.Undone.Time
		case r.Refused != nil && r.Refused.ID >= 1 && r.Refused.ID <= len(entries):
			entries[r.Refused.ID-1].Refused = r.Refused.Error
		case r.Done != nil && r.Done.ID >= 1 && r.Done.ID <= len(entries):
			entries[r.Done.ID-1].After = r.Done.After
		}
	}
	return entries, sc.Err()
}

// appendRecord writes r as one line and fsyncs. If the file does not end in
// a newline (a torn last record), one is written first so r stands alone.
func appendRecord(f *os.File, r journalRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if info, err := f.Stat(); err == nil && info.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, info.Size()-1); err == nil && last[0] != '\n' {
			b = append([]byte{'\n'}, b...)
		}
	}
	b = append(b, '\n')
	if _, err := io.Copy(f, bytes.NewReader(b)); err != nil {
		return err
	}
	return f.Sync()
}

// Watch reports, about every interval until ctx ends, the entries that are
// new or changed (undone, refused, done) since the last look: another wharf
// process or the CLI changed a registry. The first look only takes stock.
func (j *Journal) Watch(ctx context.Context, interval time.Duration) <-chan []domain.JournalEntry {
	out := make(chan []domain.JournalEntry, 1)
	go func() {
		defer close(out)
		var stamp string
		seen := map[int]string{}
		first := true
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if info, err := os.Stat(j.path); err == nil {
				if s := fmt.Sprint(info.Size(), info.ModTime().UnixNano()); s != stamp {
					stamp = s
					if changed := j.changedSince(seen); len(changed) > 0 && !first {
						select {
						case out <- changed:
						case <-ctx.Done():
							return
						}
					}
				}
			}
			first = false
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// changedSince is the entries whose state differs from seen, which it
// updates.
func (j *Journal) changedSince(seen map[int]string) []domain.JournalEntry {
	entries, err := j.Entries()
	if err != nil {
		return nil
	}
	var changed []domain.JournalEntry
	for _, e := range entries {
		state := fmt.Sprint(e.Undone.UnixNano(), e.Refused, e.After)
		if seen[e.ID] != state {
			seen[e.ID] = state
			changed = append(changed, e)
		}
	}
	return changed
}
