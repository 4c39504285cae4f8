package ops

import (
	"context"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/registryclient"
)

// Undoer puts back what a journal entry recorded (registryclient.Client).
type Undoer interface {
	Undo(ctx context.Context, entry domain.JournalEntry, overwrite bool) (domain.UndoResult, error)
}

// Undo undoes journal entry id, or with id 0 the newest entry not undone
// yet. A tag moved since the change is refused with a
// *domain.OverwriteError unless overwrite.
func Undo(ctx context.Context, reg Undoer, j *journal.Journal, id int, overwrite bool) (domain.UndoResult, error) {
	if j == nil {
		return domain.UndoResult{}, registryclient.ErrNoJournal
	}
	var entry domain.JournalEntry
	var err error
	if id == 0 {
		entry, err = j.Last()
	} else {
		entry, err = j.Entry(id)
	}
	if err != nil {
		return domain.UndoResult{}, err
	}
	return reg.Undo(ctx, entry, overwrite)
}
