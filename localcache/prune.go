package localcache

import (
	"context"
	"math"
	"strings"

	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/domain"
)

type (
	// DanglingImage is a dangling image a cleanup would consider.
	DanglingImage = domain.DanglingImage
	// PrunePlan is what a dangling-image cleanup would do.
	PrunePlan = domain.PrunePlan
	// PruneResult is what a cleanup did.
	PruneResult = domain.PruneResult
)

// PrunePreview lists the dangling images a cleanup would remove, and those
// containers keep. It changes nothing.
func (c *Cache) PrunePreview(ctx context.Context) (PrunePlan, error) {
	l, err := c.List(ctx, ListOptions{DanglingOnly: true})
	if err != nil {
		return PrunePlan{}, err
	}
	var p PrunePlan
	for _, img := range l.Images {
		if !img.Dangling {
			continue // the filter says dangling; never trust it with a tagged image
		}
		d := DanglingImage{ID: img.ID, Size: img.Size, Created: img.Created, BlockedBy: img.Containers}
		if len(d.BlockedBy) > 0 {
			p.Blocked = append(p.Blocked, d)
			continue
		}
		p.Remove = append(p.Remove, d)
		p.Total += d.Size
	}
	return p, nil
}

// Prune removes dangling images (never a tagged one: the engine's
// dangling=true filter) and reports each image removed and the space freed.
func (c *Cache) Prune(ctx context.Context) (PruneResult, error) {
	// The engine's report lists deleted layers too; the images are the
	// entries that were dangling images just before.
	before, err := c.List(ctx, ListOptions{DanglingOnly: true})
	if err != nil {
		return PruneResult{}, err
	}
	dangling := map[string]bool{}
	for _, img := range before.Images {
		dangling[img.ID] = true
	}
	res, err := c.cli.ImagePrune(ctx, client.ImagePruneOptions{Filters: client.Filters{}.Add("dangling", "true")})
	if err != nil {
		return PruneResult{}, c.classify("prune", "dangling images", err)
	}
	out := PruneResult{SpaceReclaimed: clampInt64(res.Report.SpaceReclaimed)}
	for _, d := range res.Report.ImagesDeleted {
		// Podman's compatible API names them without the sha256: prefix
		// its own listing has.
		id := d.Deleted
		if id != "" && !strings.HasPrefix(id, "sha256:") {
			id = "sha256:" + id
		}
		if dangling[id] {
			out.Removed = append(out.Removed, id)
		}
	}
	return out, nil
}

func clampInt64(u uint64) int64 {
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}
