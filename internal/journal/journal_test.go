package journal_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
)

func entry(tag string) domain.JournalEntry {
	return domain.JournalEntry{Op: domain.OpDeleteTag, Repository: "reg.example/team/app", Tags: []string{tag}, Digest: "sha256:" + tag}
}

func TestRecordAndMark(t *testing.T) {
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i, tag := range []string{"a", "b", "c", "d"} {
		e, err := j.Record(entry(tag))
		if err != nil || e.ID != i+1 || e.Time.IsZero() {
			t.Fatalf("record %s: %+v %v", tag, e, err)
		}
	}
	if err := j.MarkUndone(4); err != nil {
		t.Fatal(err)
	}
	if err := j.MarkRefused(3, errors.New("denied")); err != nil {
		t.Fatal(err)
	}
	if err := j.MarkDone(2, "sha256:after"); err != nil {
		t.Fatal(err)
	}
	last, err := j.Last()
	if err != nil || last.ID != 2 || last.After != "sha256:after" {
		t.Errorf("last to undo: %+v %v (4 is undone, 3 refused)", last, err)
	}
	e, err := j.Entry(3)
	if err != nil || e.Refused != "denied" {
		t.Errorf("entry 3: %+v %v", e, err)
	}
	if _, err := j.Entry(5); !errors.Is(err, journal.ErrNoSuchEntry) {
		t.Errorf("entry 5: %v", err)
	}
	if err := j.MarkUndone(1); err != nil {
		t.Fatal(err)
	}
	if err := j.MarkUndone(2); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Last(); !errors.Is(err, journal.ErrNoSuchEntry) {
		t.Errorf("nothing left to undo: %v", err)
	}
}

// A crash mid-write leaves a torn last line: it is skipped, and the next
// record stands on a line of its own.
func TestTornLastRecord(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Record(entry("a")); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "journal.jsonl"), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"entry":{"id":2,"op":"delete-t`); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	// The torn line claimed ID 2: the next entry does not reuse it.
	e, err := j.Record(entry("b"))
	if err != nil || e.ID != 3 {
		t.Fatalf("after a torn line: %+v %v", e, err)
	}
	all, problems, err := j.Read()
	if err != nil || len(all) != 2 || all[1].Tags[0] != "b" {
		t.Errorf("entries %+v %v", all, err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "line 2 is corrupt") {
		t.Errorf("problems %q", problems)
	}
}

// Several processes append at once: every entry is kept, with its own ID.
func TestConcurrentRecords(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			j, err := journal.Open(dir)
			if err != nil {
				t.Error(err)
				return
			}
			for range 5 {
				if _, err := j.Record(entry("x")); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	j, _ := journal.Open(dir)
	all, err := j.Entries()
	if err != nil || len(all) != 40 {
		t.Fatalf("%d entries, want 40: %v", len(all), err)
	}
	for i, e := range all {
		if e.ID != i+1 {
			t.Errorf("entry %d has ID %d", i, e.ID)
		}
	}
}

// Watch reports what another process records or undoes, not what was
// there when it started.
func TestWatchReportsOtherWriters(t *testing.T) {
	dir := t.TempDir()
	mine, err := journal.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mine.Record(entry("old")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := mine.Watch(ctx, 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // the watch takes stock
	other, _ := journal.Open(dir)
	e, err := other.Record(entry("new"))
	if err != nil {
		t.Fatal(err)
	}
	got := waitChange(t, changes)
	if len(got) != 1 || got[0].ID != e.ID || got[0].Tags[0] != "new" {
		t.Fatalf("first change %+v, want the new entry alone", got)
	}
	if err := other.MarkUndone(1); err != nil {
		t.Fatal(err)
	}
	if got := waitChange(t, changes); len(got) != 1 || got[0].ID != 1 || got[0].Undone.IsZero() {
		t.Fatalf("after an undo %+v, want entry 1 undone", got)
	}
}

func waitChange(t *testing.T, ch <-chan []domain.JournalEntry) []domain.JournalEntry {
	t.Helper()
	select {
	case es := <-ch:
		return es
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported")
	}
	return nil
}

// A corrupt line in the middle (a disk error, a hand edit): the entries
// around it keep their marks, the next ID is past every ID any line names,
// and the line is said with its number.
func TestCorruptLineInTheMiddle(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"a", "b", "c"} {
		if _, err := j.Record(entry(tag)); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.MarkUndone(3); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "journal.jsonl")
	b, _ := os.ReadFile(path)
	lines := strings.Split(string(b), "\n")
	lines[1] = `{"entry":{"id":2,"op":"delete-tag","repos` + "\x00garbage"
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	all, problems, err := j.Read()
	if err != nil || len(all) != 2 || all[0].ID != 1 || all[1].ID != 3 || all[1].Undone.IsZero() || !all[0].Undone.IsZero() {
		t.Fatalf("entries around the corrupt line: %+v (%v)", all, err)
	}
	if len(problems) != 1 || problems[0] != "line 2 is corrupt and was skipped" {
		t.Errorf("problems %q", problems)
	}
	if e, err := j.Record(entry("d")); err != nil || e.ID != 4 {
		t.Errorf("next entry %+v %v, want ID 4", e, err)
	}
	if last, err := j.Last(); err != nil || last.ID != 4 {
		t.Errorf("last %+v %v", last, err)
	}
}

func FuzzReadJournal(f *testing.F) {
	f.Add([]byte(`{"entry":{"id":1,"op":"delete-tag","repository":"r","tags":["a"]}}` + "\n" + `{"undone":{"id":1}}` + "\n"))
	f.Add([]byte(`{"entry":{"id":7}}` + "\n" + `{"done":{"id":7,"after":"x"}}` + "\n" + `{"entry":{"id":7}}`))
	f.Add([]byte("\x00\n{}\n{\"refused\":{\"id\":9}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "journal.jsonl"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := journal.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		all, _, err := j.Read()
		if err != nil {
			return // a line longer than the reader takes
		}
		seen := map[int]bool{}
		maxID := 0
		for _, e := range all {
			if seen[e.ID] {
				t.Fatalf("entry %d twice", e.ID)
			}
			seen[e.ID] = true
			maxID = max(maxID, e.ID)
		}
		e, err := j.Record(entry("next"))
		if err != nil {
			t.Fatal(err)
		}
		if e.ID <= maxID || seen[e.ID] {
			t.Fatalf("new entry reuses ID %d (max %d)", e.ID, maxID)
		}
	})
}

// A full journal is archived beside the new part, whole: every entry is
// still read, in order, marks written after the rotation reach entries in
// the archive, undo walks back into it, and IDs go on — even when wharf
// was killed between archiving and starting the new part.
func TestRotationKeepsTheOldParts(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 2048
	j.SetMaxBytes(limit)
	for i := 1; i <= 60; i++ {
		e, err := j.Record(entry(fmt.Sprint("t", i)))
		if err != nil || e.ID != i {
			t.Fatalf("record %d: %+v %v", i, e, err)
		}
		if i%3 == 0 {
			if err := j.MarkUndone(i); err != nil {
				t.Fatal(err)
			}
		}
	}
	archives, _ := filepath.Glob(filepath.Join(dir, "journal.*-*.jsonl"))
	if len(archives) < 2 {
		t.Fatalf("archives %v: the journal did not rotate", archives)
	}
	if info, err := os.Stat(j.Path()); err != nil || info.Size() > limit+512 {
		t.Errorf("current part: %v %v, want at most about %d bytes", info.Size(), err, limit)
	}
	// Marks after the rotation, of entries in the oldest part.
	if err := j.MarkDone(1, "sha256:after"); err != nil {
		t.Fatal(err)
	}
	entries, problems, err := j.Read()
	if err != nil || len(problems) != 0 {
		t.Fatalf("read: %v %v", problems, err)
	}
	if len(entries) != 60 {
		t.Fatalf("%d entries, want 60", len(entries))
	}
	for i, e := range entries {
		if e.ID != i+1 || e.Tags[0] != fmt.Sprint("t", i+1) {
			t.Fatalf("entry %d is %d %v", i+1, e.ID, e.Tags)
		}
		if undone := !e.Undone.IsZero(); undone != (e.ID%3 == 0) {
			t.Errorf("entry %d undone=%v", e.ID, undone)
		}
	}
	if entries[0].Outcome != domain.OutcomeDone || entries[0].After != "sha256:after" {
		t.Errorf("the mark of entry 1 written after the rotation: %+v", entries[0])
	}
	// Undo walks back past the current part into the archives.
	for _, e := range entries[len(entries)-20:] {
		if e.Undone.IsZero() {
			if err := j.MarkUndone(e.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if last, err := j.Last(); err != nil || last.ID != 40 {
		t.Errorf("next undo: %d %v, want 40", last.ID, err)
	}
	// Killed after archiving, before the new part had a line: the
	// current part is under its archive name and there is no other.
	first := 1
	for _, a := range archives {
		var from, to int
		if _, err := fmt.Sscanf(filepath.Base(a), "journal.%d-%d.jsonl", &from, &to); err == nil {
			first = max(first, to+1)
		}
	}
	if err := os.Rename(j.Path(), filepath.Join(dir, fmt.Sprintf("journal.%d-60.jsonl", first))); err != nil {
		t.Fatal(err)
	}
	if e, err := j.Record(entry("after-crash")); err != nil || e.ID != 61 {
		t.Errorf("after a crash between the parts: %+v %v, want ID 61", e, err)
	}
	if entries, problems, err := j.Read(); err != nil || len(problems) != 0 || len(entries) != 61 {
		t.Errorf("after a crash between the parts: %d entries, %v %v", len(entries), problems, err)
	}
}

// Writers that each rotate the journal, at once: none loses an entry,
// writes into a part another archived, or reuses an ID.
func TestRotationAmongWriters(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			j, err := journal.Open(dir)
			if err != nil {
				t.Error(err)
				return
			}
			j.SetMaxBytes(1024)
			for i := range 40 {
				if _, err := j.Record(entry(fmt.Sprint("w", w, "-", i))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	j, _ := journal.Open(dir)
	entries, problems, err := j.Read()
	if err != nil || len(problems) != 0 {
		t.Fatalf("read: %v %v", problems, err)
	}
	tags := map[string]bool{}
	for i, e := range entries {
		if e.ID != i+1 {
			t.Fatalf("entry %d has ID %d", i+1, e.ID)
		}
		tags[e.Tags[0]] = true
	}
	if len(entries) != 160 || len(tags) != 160 {
		t.Errorf("%d entries of %d changes, want 160 of 160", len(entries), len(tags))
	}
}
