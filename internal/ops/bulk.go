package ops

import (
	"context"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/registryclient"
)

// TagDeleter deletes one tag, sparing its digest's other tags, only when
// it still names digest (registryclient.Client).
type TagDeleter interface {
	DeleteTagAt(ctx context.Context, reference, digest string) (domain.DeleteResult, error)
}

// DeleteTags deletes tags in order as one batch in the journal — one undo
// puts all of them back — going on past a tag that fails; each hears of
// every tag. It stops between tags when ctx ends.
func DeleteTags(ctx context.Context, reg TagDeleter, tags []domain.TagAt, each func(domain.TagAt, domain.DeleteResult, error)) error {
	ctx = registryclient.WithBatch(ctx, registryclient.NewBatch())
	for _, t := range tags {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := reg.DeleteTagAt(ctx, t.Reference, t.Digest)
		each(t, res, err)
	}
	return nil
}
