package registryclient_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// journalOf makes n tag deletes through a client whose every change
// "crashes" after journaling, so each leaves one entry and no change.
func journalOf(t *testing.T, dir string, n int) *registryclient.Client {
	t.Helper()
	j, err := journal.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := writeTargets()["in-process"](t)
	repo := w.seed(t)
	c := newClient(t, registryclient.WithJournal(j), registryclient.WithCrashAfterJournal(errCrash))
	for range n {
		if _, err := c.DeleteTag(testCtx(t), repo+":solo"); !errors.Is(err, errCrash) {
			t.Fatalf("delete: %v", err)
		}
	}
	return c
}

func TestJournalSurvivesATornLastRecord(t *testing.T) {
	dir := t.TempDir()
	journalOf(t, dir, 2)
	path := filepath.Join(dir, "journal.jsonl")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	// A crash in the middle of writing a third record.
	if _, err := f.WriteString(`{"entry":{"id":3,"op":"delete-t`); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	c := journalOf(t, dir, 1)
	entries, err := registryclient.JournalOf(c).Entries()
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, e := range entries {
		ids = append(ids, e.ID)
		if e.Op != domain.OpDeleteTag || len(e.Manifest) == 0 || e.Digest == "" || e.Time.IsZero() {
			t.Errorf("entry %d is incomplete: %+v", e.ID, e)
		}
	}
	// The torn record claimed 3: the next one takes 4, never an ID a line
	// already named.
	if !slices.Equal(ids, []int{1, 2, 4}) {
		t.Errorf("entry IDs %v, want [1 2 4]: the torn record skipped, the next one whole", ids)
	}
	data, _ := os.ReadFile(path)
	if lines := strings.Count(string(data), "\n"); lines != 4 {
		t.Errorf("%d lines, want 4 (three records and the torn one on its own line)", lines)
	}
}

func TestJournalAppendsFromManyWritersGetDistinctIDs(t *testing.T) {
	dir := t.TempDir()
	journalOf(t, dir, 0)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			j, err := journal.Open(dir)
			if err != nil {
				t.Error(err)
				return
			}
			c := newClient(t, registryclient.WithJournal(j), registryclient.WithCrashAfterJournal(errCrash))
			for range 5 {
				if _, err := c.Retag(testCtx(t), testenv.InProcess(t)+"/changes/testjournalappendsfrommanywritersgetdistinctids:a", "x", domain.OverwriteIf(true)); !errors.Is(err, errCrash) {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	j, _ := journal.Open(dir)
	entries, err := j.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 20 {
		t.Fatalf("%d entries, want 20", len(entries))
	}
	for i, e := range entries {
		if e.ID != i+1 {
			t.Errorf("entry %d has ID %d", i+1, e.ID)
		}
	}
}

func TestJournalLastSkipsUndoneEntries(t *testing.T) {
	dir := t.TempDir()
	c := journalOf(t, dir, 2)
	last, err := registryclient.JournalOf(c).Last()
	if err != nil || last.ID != 2 {
		t.Fatalf("last %d, %v", last.ID, err)
	}
	plain := newClient(t, registryclient.WithJournal(registryclient.JournalOf(c)))
	if _, err := plain.Undo(testCtx(t), last, false); err != nil {
		t.Fatal(err)
	}
	if last, err = registryclient.JournalOf(c).Last(); err != nil || last.ID != 1 {
		t.Errorf("after undoing 2, last is %d (%v), want 1", last.ID, err)
	}
	if e, _ := registryclient.JournalOf(c).Entry(2); e.Undone.IsZero() {
		t.Error("entry 2 is not marked undone")
	}
	if _, err := registryclient.JournalOf(c).Entry(9); !errors.Is(err, journal.ErrNoSuchEntry) {
		t.Errorf("entry 9: %v, want ErrNoSuchEntry", err)
	}
}
