package registryclient

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DescribeTags lists a repository's tags with what retention decides on:
// each one's digest, and each digest's creation time and size (for an
// index: its newest platform's time and the platforms' sizes added up).
func (c *Reads) DescribeTags(ctx context.Context, repository string) ([]domain.RetainedTag, error) {
	all, err := c.TagDigests(ctx, repository)
	if err != nil {
		return nil, err
	}
	tds, err := resolvedOnly(all)
	if err != nil {
		return nil, err
	}
	out := make([]domain.RetainedTag, 0, len(tds))
	for _, td := range tds {
		out = append(out, domain.RetainedTag{Tag: td.Tag, Digest: td.Digest})
	}
	type info struct {
		created time.Time
		size    int64
	}
	infos := map[string]info{}
	var digests []string
	for _, t := range out {
		if _, ok := infos[t.Digest]; !ok {
			infos[t.Digest] = info{}
			digests = append(digests, t.Digest)
		}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(c.digestConc, 1))
	for _, digest := range digests {
		g.Go(func() error {
			created, size, err := c.ageAndSize(gctx, repository, digest)
			mu.Lock()
			defer mu.Unlock()
			infos[digest] = info{created, size}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Created, out[i].Size = infos[out[i].Digest].created, infos[out[i].Digest].size
	}
	return out, nil
}

// ageAndSize is an image's creation time and size; for an index, its
// newest platform's time and the platforms' sizes added up.
func (c *Reads) ageAndSize(ctx context.Context, repository, digest string) (time.Time, int64, error) {
	f, err := c.facts(ctx, repository, digest)
	return f.Created, f.Size, err
}

// facts are what a digest's row shows: creation time and size (for an
// index, its newest platform's time and the platforms' sizes added up)
// and its platforms. Manifests and configs come from the cache when read
// before (a digest names the same bytes for ever).
func (c *Reads) facts(ctx context.Context, repository, digest string) (domain.ImageFacts, error) {
	if f, ok := c.listedFacts(repository, digest); ok {
		return f, nil
	}
	d, err := c.Describe(ctx, repository+"@"+digest)
	if err != nil {
		return domain.ImageFacts{}, err
	}
	f := domain.ImageFacts{Created: d.Created, Size: d.Size, Artifact: d.ArtifactType}
	if !d.IsIndex() {
		if p := (domain.Platform{OS: d.OS, Architecture: d.Arch}).String(); p != "" && d.OS != "" {
			f.Platforms = []string{p}
		}
		return f, nil
	}
	f.Created, f.Size = time.Time{}, 0
	for _, p := range d.Platforms {
		if p.OS == "unknown" {
			continue // BuildKit's attestation manifests
		}
		f.Platforms = append(f.Platforms, p.String())
		pd, err := c.Describe(ctx, repository+"@"+p.Digest)
		if err != nil {
			return f, err
		}
		if pd.Created.After(f.Created) {
			f.Created = pd.Created
		}
		f.Size += pd.Size
	}
	return f, nil
}

// Facts reports each digest's facts (creation time, size, platforms) as
// the descriptions return, a few at a time; a digest that cannot be
// described has err set. Cancelling ctx stops what is queued.
func (c *Reads) Facts(ctx context.Context, repository string, digests []string, each func(digest string, f domain.ImageFacts, err error)) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(c.digestConc, 1))
	for _, d := range digests {
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil
			}
			f, err := c.facts(gctx, repository, d)
			if gctx.Err() == nil {
				each(d, f, err)
			}
			return nil
		})
	}
	_ = g.Wait()
	return ctx.Err()
}

// Created reports each digest's creation time (for an index, its newest
// platform's) as the descriptions return, a few at a time; a digest that
// cannot be described has err set. Cancelling ctx stops what is queued.
func (c *Reads) Created(ctx context.Context, repository string, digests []string, each func(digest string, created time.Time, err error)) error {
	return c.Facts(ctx, repository, digests, func(d string, f domain.ImageFacts, err error) { each(d, f.Created, err) })
}

// listedFacts are a digest's facts as the repository's tag listing gave
// them, on a registry whose reads cost a budget (Docker Hub counts each
// manifest GET as a pull): its size, its platforms, and its newest push
// time among its tags for its creation time. ok is false when the listing
// did not say them, or names no platform (an artifact: it is described).
func (c *Reads) listedFacts(repository, digest string) (domain.ImageFacts, bool) {
	repo, err := c.registries.parseRepository(repository)
	if err != nil || c.Provider(repo.RegistryStr()).BudgetReference() == "" {
		return domain.ImageFacts{}, false
	}
	var f domain.ImageFacts
	found := false
	for _, ti := range c.listed.ofDigest(repo.String(), digest, time.Now()) {
		if ti.Size == 0 || ti.Pushed.IsZero() || len(ti.Platforms) == 0 {
			// Not said, or not an image (an artifact is described, so
			// the Tags view marks it for what it is).
			continue
		}
		// The image's newest push among its tags, whichever tag came first.
		if !found || ti.Pushed.After(f.Created) {
			f = domain.ImageFacts{Created: ti.Pushed, Size: ti.Size}
			for _, p := range ti.Platforms {
				if p.OS != "" && p.OS != "unknown" {
					f.Platforms = append(f.Platforms, p.String())
				}
			}
		}
		found = true
	}
	if found {
		return f, true
	}
	return domain.ImageFacts{}, false
}
