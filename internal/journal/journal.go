// Package journal is wharf's undo journal: an append-only file of what
// registries held before wharf changed them, written and fsync'd before each
// change is requested, so a crash at any point leaves what is needed to put
// things back. It knows nothing of registries or engines: the clients hand
// it entries (domain.JournalEntry) and mark their outcome.
package journal

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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
	// maxBytes is the size past which the next entry starts a new part;
	// the full one is kept beside it as an archive.
	maxBytes int64
}

// DefaultMaxBytes is the size of the journal's current part past which it
// is archived (about twenty thousand changes): recording a change reads
// only the current part, reading the journal reads every part.
const DefaultMaxBytes = 8 << 20

// journalRecord is a line of the file: an entry, or the note that an entry
// was undone.
type journalRecord struct {
	Entry  *domain.JournalEntry `json:"entry,omitempty"`
	Undone *undoneRecord        `json:"undone,omitempty"`
	// Refused notes that the registry refused the change an entry recorded.
	Refused *refusedRecord `json:"refused,omitempty"`
	// Done notes that a change was made and verified, and the digest it
	// left the tags at.
	Done *doneRecord `json:"done,omitempty"`
	// Placeholder notes the digest of the placeholder a delete is about to
	// point the tag at (registry:2's path): a crash between the two steps
	// leaves the tag there, and undo knows it for wharf's own.
	Placeholder *placeholderRecord `json:"placeholder,omitempty"`
	// Unknown notes that a change's outcome could not be verified.
	Unknown *refusedRecord `json:"unknown,omitempty"`
}

type doneRecord struct {
	ID    int    `json:"id"`
	After string `json:"after"`
}

type placeholderRecord struct {
	ID     int    `json:"id"`
	Digest string `json:"digest"`
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
	j := &Journal{path: filepath.Join(dir, "journal.jsonl"), now: time.Now, maxBytes: DefaultMaxBytes}
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return j, f.Close()
}

// Path is the journal file (its current part).
func (j *Journal) Path() string { return j.path }

// SetMaxBytes sets the size of the current part past which it is archived
// (0: never).
func (j *Journal) SetMaxBytes(n int64) { j.maxBytes = n }

// Record appends e with the next ID and the current time, durably, and
// returns it as written. IDs are never reused, even past a corrupt line.
func (j *Journal) Record(e domain.JournalEntry) (domain.JournalEntry, error) {
	var err error
	for rotated := true; rotated && err == nil; {
		rotated = false
		err = j.locked(func(f *os.File) error {
			var r reader
			if err := r.read(f, ""); err != nil {
				return err
			}
			if info, err := f.Stat(); err == nil && j.maxBytes > 0 && info.Size() >= j.maxBytes && len(r.out.entries) > 0 {
				// Full: archived whole, and the entry goes to a new part.
				rotated = true
				return j.archive(r.out)
			}
			archived, err := j.archives()
			if err != nil {
				return err
			}
			e.ID = r.out.maxID + 1
			if n := len(archived); n > 0 {
				e.ID = max(e.ID, archived[n-1].last+1)
			}
			e.Time = j.now().UTC()
			e.PID = os.Getpid()
			return appendRecord(f, journalRecord{Entry: &e})
		})
	}
	if err != nil {
		return e, fmt.Errorf("writing the journal %s (nothing was changed): %w", j.path, err)
	}
	return e, nil
}

// MarkUndone records that entry id was undone.
func (j *Journal) MarkUndone(id int) error {
	return j.mark(journalRecord{Undone: &undoneRecord{ID: id, Time: j.now().UTC()}})
}

// MarkRefused records that the change of entry id changed nothing: the
// registry refused it, or it failed and the registry was read back as it
// was.
func (j *Journal) MarkRefused(id int, why error) error {
	return j.mark(journalRecord{Refused: &refusedRecord{ID: id, Error: why.Error()}})
}

// MarkDone records that entry id's change was made (and read back), and the
// digest it left its tags at ("" for a delete).
func (j *Journal) MarkDone(id int, after string) error {
	return j.mark(journalRecord{Done: &doneRecord{ID: id, After: after}})
}

// MarkUnknown records that entry id's change failed in a way that may have
// changed the registry, and reading it back did not tell.
func (j *Journal) MarkUnknown(id int, why error) error {
	return j.mark(journalRecord{Unknown: &refusedRecord{ID: id, Error: why.Error()}})
}

// MarkPlaceholder records the placeholder digest entry id's delete is
// about to point its tag at.
func (j *Journal) MarkPlaceholder(id int, digest string) error {
	return j.mark(journalRecord{Placeholder: &placeholderRecord{ID: id, Digest: digest}})
}

func (j *Journal) mark(r journalRecord) error {
	if err := j.locked(func(f *os.File) error { return appendRecord(f, r) }); err != nil {
		return fmt.Errorf("writing the journal %s: %w", j.path, err)
	}
	return nil
}

// Entries are the journal's entries, oldest first, with what became of
// each filled in.
func (j *Journal) Entries() ([]domain.JournalEntry, error) {
	entries, _, err := j.Read()
	return entries, err
}

// Read is Entries and the lines it had to skip, each said with its line
// number (a line torn by a crash, a corrupt line): what was read is never
// shifted by them.
func (j *Journal) Read() ([]domain.JournalEntry, []string, error) {
	var r reader
	err := j.locked(func(f *os.File) error {
		archived, err := j.archives()
		if err != nil {
			return err
		}
		for _, a := range archived {
			if err := r.readFile(a.path); err != nil {
				return err
			}
		}
		return r.read(f, "")
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading the journal %s: %w", j.path, err)
	}
	return r.out.entries, r.out.problems, nil
}

// archived is a full part of the journal, kept beside the current one as
// journal.FIRST-LAST.jsonl (the IDs it holds).
type archived struct {
	path        string
	first, last int
}

var archiveName = regexp.MustCompile(`^journal\.(\d+)-(\d+)\.jsonl$`)

// archives are the journal's archived parts, oldest first.
func (j *Journal) archives() ([]archived, error) {
	dir := filepath.Dir(j.path)
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []archived
	for _, n := range names {
		m := archiveName.FindStringSubmatch(n.Name())
		if m == nil {
			continue
		}
		first, err1 := strconv.Atoi(m[1])
		last, err2 := strconv.Atoi(m[2])
		if err1 == nil && err2 == nil {
			out = append(out, archived{path: filepath.Join(dir, n.Name()), first: first, last: last})
		}
	}
	slices.SortFunc(out, func(a, b archived) int { return cmp.Or(cmp.Compare(a.last, b.last), cmp.Compare(a.first, b.first)) })
	return out, nil
}

// archive renames the current part, which holds read, to its archive
// name; the next write creates a new current part. The caller holds the
// current part's lock: a process waiting for it finds the file moved and
// opens the new one (see locked).
func (j *Journal) archive(read journalFile) error {
	first := read.maxID
	for _, e := range read.entries {
		first = min(first, e.ID)
	}
	name := filepath.Join(filepath.Dir(j.path), fmt.Sprintf("journal.%d-%d.jsonl", first, read.maxID))
	if _, err := os.Lstat(name); err == nil {
		return fmt.Errorf("archiving the journal: %s already exists", name)
	}
	if err := os.Rename(j.path, name); err != nil {
		return fmt.Errorf("archiving the journal: %w", err)
	}
	return syncDir(filepath.Dir(j.path))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	return d.Sync()
}

// Entry returns entry id.
func (j *Journal) Entry(id int) (domain.JournalEntry, error) {
	entries, err := j.Entries()
	if err != nil {
		return domain.JournalEntry{}, err
	}
	for _, e := range entries {
		if e.ID == id {
			return e, nil
		}
	}
	return domain.JournalEntry{}, fmt.Errorf("%w: %d (the journal has %d entries)", ErrNoSuchEntry, id, len(entries))
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
		if e.Undone.IsZero() && e.Outcome != domain.OutcomeRefused && (repository == "" || e.Repository == repository) {
			return e, nil
		}
	}
	if repository != "" {
		return domain.JournalEntry{}, fmt.Errorf("%w: nothing left to undo in %s (`wharf journal` lists every change)", ErrNoSuchEntry, repository)
	}
	return domain.JournalEntry{}, fmt.Errorf("%w: nothing left to undo", ErrNoSuchEntry)
}

// locked runs f with the journal's current part open for reading and
// appending under an
// exclusive lock. A part archived while this process waited for its lock
// is let go, and the new current part opened.
func (j *Journal) locked(f func(*os.File) error) error {
	for {
		file, err := os.OpenFile(j.path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		fd := int(file.Fd()) //nolint:gosec // a file descriptor fits an int
		if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
			_ = file.Close()
			return err
		}
		held, err1 := file.Stat()
		now, err2 := os.Stat(j.path)
		if err1 == nil && err2 == nil && !os.SameFile(held, now) || errors.Is(err2, os.ErrNotExist) {
			_ = file.Close() // archived meanwhile
			continue
		}
		err = f(file)
		_ = syscall.Flock(fd, syscall.LOCK_UN)
		_ = file.Close()
		return err
	}
}

// journalFile is what reading the file found.
type journalFile struct {
	entries  []domain.JournalEntry
	problems []string
	// maxID is the largest ID any line names, a skipped one too: the next
	// entry's ID is past it.
	maxID int
}

var idField = regexp.MustCompile(`"id":\s*(\d+)`)

// reader reads the journal's parts in order into one journalFile. Marks
// find their entry by ID, never by position, in whichever part it is.
type reader struct {
	out journalFile
	at  map[int]int
}

func (r *reader) readFile(path string) error {
	f, err := os.Open(path) //nolint:gosec // one of the journal's own parts
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	return r.read(f, filepath.Base(path))
}

// read reads every record of one part from its start; part names it in
// problems ("" for the current part). A line that does not parse is
// skipped and said with its number: torn by a crash (the entry it began
// was never acted on, because acting waits for the fsync) when it is the
// last, corrupt otherwise.
func (r *reader) read(f io.ReadSeeker, part string) error {
	if r.at == nil {
		r.at = map[int]int{}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	out := &r.out
	where := func(line int) string {
		if part == "" {
			return fmt.Sprintf("line %d", line)
		}
		return fmt.Sprintf("%s line %d", part, line)
	}
	entry := func(id int) *domain.JournalEntry {
		if i, ok := r.at[id]; ok {
			return &out.entries[i]
		}
		return nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var bad []int
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var rec journalRecord
		if json.Unmarshal(b, &rec) != nil {
			bad = append(bad, line)
			if m := idField.FindSubmatch(b); m != nil {
				if id, err := strconv.Atoi(string(m[1])); err == nil {
					out.maxID = max(out.maxID, id)
				}
			}
			continue
		}
		switch {
		case rec.Entry != nil:
			out.maxID = max(out.maxID, rec.Entry.ID)
			if _, dup := r.at[rec.Entry.ID]; dup {
				out.problems = append(out.problems, fmt.Sprintf("%s repeats entry %d: skipped", where(line), rec.Entry.ID))
				continue
			}
			r.at[rec.Entry.ID] = len(out.entries)
			out.entries = append(out.entries, *rec.Entry)
		case rec.Undone != nil && entry(rec.Undone.ID) != nil:
			entry(rec.Undone.ID).Undone = rec.Undone.Time
		case rec.Refused != nil && entry(rec.Refused.ID) != nil:
			e := entry(rec.Refused.ID)
			e.Refused, e.Outcome = rec.Refused.Error, domain.OutcomeRefused
		case rec.Done != nil && entry(rec.Done.ID) != nil:
			e := entry(rec.Done.ID)
			e.After, e.Outcome = rec.Done.After, domain.OutcomeDone
		case rec.Unknown != nil && entry(rec.Unknown.ID) != nil:
			e := entry(rec.Unknown.ID)
			e.Outcome, e.OutcomeNote = domain.OutcomeUnknown, rec.Unknown.Error
		case rec.Placeholder != nil && entry(rec.Placeholder.ID) != nil:
			entry(rec.Placeholder.ID).Placeholder = rec.Placeholder.Digest
		default:
			out.problems = append(out.problems, fmt.Sprintf("%s marks an entry the journal does not have: skipped", where(line)))
		}
	}
	for _, l := range bad {
		if l == line {
			out.problems = append(out.problems, fmt.Sprintf("%s (the last) is torn: a change was cut off while being recorded and never made", where(l)))
		} else {
			out.problems = append(out.problems, fmt.Sprintf("%s is corrupt and was skipped", where(l)))
		}
	}
	return sc.Err()
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
		state := fmt.Sprint(e.Undone.UnixNano(), e.Refused, e.After, e.Outcome, e.Placeholder)
		if seen[e.ID] != state {
			seen[e.ID] = state
			changed = append(changed, e)
		}
	}
	return changed
}

// Lock takes the lock of key (a repository) among wharf processes: one
// writer at a time reads, checks and writes a repository, so two changes
// never decide on what the other is changing. It waits until the lock is
// free or ctx ends; unlock releases it. A process that dies releases its
// locks with it.
func (j *Journal) Lock(ctx context.Context, key string) (unlock func(), err error) {
	dir := filepath.Join(filepath.Dir(j.path), "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("locking %s: %w", key, err)
	}
	sum := sha256.Sum256([]byte(key))
	f, err := os.OpenFile(filepath.Join(dir, hex.EncodeToString(sum[:8])+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", key, err)
	}
	fd := int(f.Fd()) //nolint:gosec // a file descriptor fits an int
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(fd, syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("locking %s: %w", key, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("waiting for another wharf's change to %s: %w", key, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
