package ops

import (
	"context"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/localcache"
)

// What the app reads of the engine, by the interfaces its panes declare
// (cmd/wharf holds each at compile time): the engine client's methods,
// named one by one.

// ImageChanges is Watch reduced to what a view needs: that images changed,
// or that the engine went away or came back.
func (l *Local) ImageChanges(ctx context.Context) <-chan domain.EngineEvent {
	return l.c.ImageChanges(ctx)
}

// LayerFiles reads the entries of each layer of a local image, bottom
// first, through the engine's image export (what `docker save` streams):
// nothing is pulled and nothing is written, only each layer's listing is
// kept. Both export formats are read: the classic one (<id>/layer.tar) and
// the OCI layout newer engines write (blobs/sha256/…, plain, gzip or
// zstd). Layers are named by their uncompressed digest (the config's
// diff_ids) where the export says it.
func (l *Local) LayerFiles(ctx context.Context, ref string, each func(i int, layer domain.Layer, entries []filetree.Entry)) error {
	return l.c.LayerFiles(ctx, ref, each)
}

// LayerFilesProgress is LayerFiles telling progress, when not nil, how
// many bytes of the export it has read, every few megabytes.
func (l *Local) LayerFilesProgress(ctx context.Context, ref string, progress func(read int64), each func(i int, layer domain.Layer, entries []filetree.Entry)) error {
	return l.c.LayerFilesProgress(ctx, ref, progress, each)
}

// Images lists the engine's images (all of them; see List).
func (l *Local) Images(ctx context.Context) (localcache.Listing, error) {
	return l.c.Images(ctx)
}

// Prune removes dangling images (never a tagged one: the engine's
// dangling=true filter) and reports each image removed and the space freed.
func (l *Local) Prune(ctx context.Context) (localcache.PruneResult, error) {
	return l.c.Prune(ctx)
}

// PrunePreview lists the dangling images a cleanup would remove, and those
// containers keep. It changes nothing.
func (l *Local) PrunePreview(ctx context.Context) (localcache.PrunePlan, error) {
	return l.c.PrunePreview(ctx)
}
