package ops

import (
	"context"
	"fmt"
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
		return j.Last()
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
	return e, nil
}

// Undo undoes journal entry id (0: the newest not undone yet). A tag moved
// since the change is refused with a *domain.OverwriteError unless
// overwrite.
func Undo(ctx context.Context, reg Undoer, j *journal.Journal, id int, overwrite bool) (domain.UndoResult, error) {
	entry, err := FindUndo(j, id)
	if err != nil {
		return domain.UndoResult{}, err
	}
	return reg.Undo(ctx, entry, overwrite)
}
