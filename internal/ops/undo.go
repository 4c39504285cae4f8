package ops

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/registryclient"
)

// Undoer puts back what a journal entry recorded (registryclient.Client).
type Undoer interface {
	Undo(ctx context.Context, entry domain.JournalEntry, overwrite bool) (domain.UndoResult, error)
}

// FindUndo is journal entry id, or with id 0 the newest entry not undone
// yet (so that undoing again and again walks back through the changes).
func FindUndo(j *journal.Journal, id int) (domain.JournalEntry, error) {
	if j == nil {
		return domain.JournalEntry{}, registryclient.ErrNoJournal
	}
	if id == 0 {
		e, err := j.Last()
		if err != nil {
			return e, err
		}
		return WithBatch(j, e)
	}
	e, err := j.Entry(id)
	switch {
	case err != nil:
		return e, err
	case !e.Undone.IsZero():
		return e, fmt.Errorf("journal entry %d was undone already (%s)", e.ID, e.Undone.Local().Format(time.DateTime))
	case e.Refused != "":
		return e, fmt.Errorf("journal entry %d changed nothing, so there is nothing to undo: the registry refused it (%s)", e.ID, e.Refused)
	}
	return WithBatch(j, e)
}

// WithBatch fills e.With with the other entries of its batch that are
// still to undo (not undone, not refused), newest first.
func WithBatch(j *journal.Journal, e domain.JournalEntry) (domain.JournalEntry, error) {
	e.With = nil
	if e.Batch == "" {
		return e, nil
	}
	entries, err := j.Entries()
	if err != nil {
		return e, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		o := entries[i]
		if o.Batch == e.Batch && o.ID != e.ID && o.Undone.IsZero() && o.Outcome != domain.OutcomeRefused && o.Refused == "" {
			e.With = append(e.With, o)
		}
	}
	return e, nil
}

// UndoAll undoes e and the rest of its batch (e.With), newest first. It
// stops at the first that fails: what was undone stays undone, and the
// error says how far it got.
func UndoAll(ctx context.Context, reg Undoer, e domain.JournalEntry, overwrite bool) (domain.UndoResult, error) {
	all := append([]domain.JournalEntry{e}, e.With...)
	slices.SortFunc(all, func(a, b domain.JournalEntry) int { return b.ID - a.ID })
	total := domain.UndoResult{Entry: e}
	for i, x := range all {
		x.With = nil
		res, err := reg.Undo(ctx, x, overwrite)
		total.Restored = append(total.Restored, res.Restored...)
		total.Deleted = append(total.Deleted, res.Deleted...)
		if err != nil {
			if len(all) == 1 {
				return total, err
			}
			return total, fmt.Errorf("undid %d of the batch's %d changes; entry %d: %w", i, len(all), x.ID, err)
		}
	}
	return total, nil
}

// Undo undoes journal entry id (0: the newest not undone yet). A tag moved
// since the change is refused with a *domain.OverwriteError unless
// overwrite.
func Undo(ctx context.Context, reg Undoer, j *journal.Journal, id int, overwrite bool) (domain.UndoResult, error) {
	entry, err := FindUndo(j, id)
	if err != nil {
		return domain.UndoResult{}, err
	}
	return UndoAll(ctx, reg, entry, overwrite)
}
