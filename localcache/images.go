package localcache

import (
	"context"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Listing is the engine's image cache (see domain.LocalListing).
type Listing = domain.LocalListing

// ListOptions narrows a listing.
type ListOptions struct {
	// DanglingOnly lists only dangling images.
	DanglingOnly bool
	// All lists the classic builder's intermediate images too (docker
	// images -a); they are marked Intermediate, never Dangling.
	All bool
}

// List returns the engine's images (not intermediate build layers), newest
// first, each with the containers that use it.
func (c *Cache) List(ctx context.Context, opts ListOptions) (Listing, error) {
	listOpts := client.ImageListOptions{SharedSize: true, All: opts.All && !opts.DanglingOnly}
	if opts.DanglingOnly {
		listOpts.Filters = client.Filters{}.Add("dangling", "true")
	}
	res, err := c.cli.ImageList(ctx, listOpts)
	if err != nil {
		return Listing{}, c.classify("list images", "", err)
	}
	users, err := c.containersByImage(ctx)
	if err != nil {
		return Listing{}, err
	}
	parents := map[string]bool{}
	for _, s := range res.Items {
		parents[s.ParentID] = true
	}
	var l Listing
	for _, s := range res.Items {
		img := domain.LocalImage{
			ID:          s.ID,
			RepoTags:    realTags(s.RepoTags),
			RepoDigests: realTags(s.RepoDigests),
			Created:     engineTime(s.Created),
			Size:        s.Size,
			SharedSize:  s.SharedSize,
			Labels:      s.Labels,
			Containers:  users[s.ID],
		}
		untagged := len(img.RepoTags) == 0
		img.Intermediate = listOpts.All && untagged && parents[s.ID]
		img.Dangling = len(img.RepoTags) == 0 && !img.Intermediate
		if img.Dangling {
			l.Dangling++
			l.Reclaimable += img.Size - max(img.SharedSize, 0)
		}
		l.Images = append(l.Images, img)
	}
	domain.SortImages(l.Images)
	return l, nil
}

// Images lists the engine's images (all of them; see List).
func (c *Cache) Images(ctx context.Context) (Listing, error) {
	return c.List(ctx, ListOptions{})
}

// realTags drops the engine's "<none>:<none>" and "<none>@<none>".
func realTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if !strings.HasPrefix(t, "<none>") {
			out = append(out, t)
		}
	}
	return out
}

// containersByImage maps image IDs to the names of the containers using them.
func (c *Cache) containersByImage(ctx context.Context) (map[string][]string, error) {
	res, err := c.cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		return nil, c.classify("list containers", "", err)
	}
	out := map[string][]string{}
	for _, ctr := range res.Items {
		out[ctr.ImageID] = append(out[ctr.ImageID], containerName(ctr.Names, ctr.ID))
	}
	return out, nil
}

func containerName(names []string, id string) string {
	if len(names) > 0 {
		return strings.TrimPrefix(names[0], "/")
	}
	return shortID(id)
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// Inspect reads a local image's details: tags, repo digests, labels, env,
// entrypoint and cmd, platform and layers.
func (c *Cache) Inspect(ctx context.Context, ref string) (domain.Details, error) {
	res, err := c.cli.ImageInspect(ctx, ref)
	if err != nil {
		return domain.Details{}, c.classify("inspect", ref, err)
	}
	d := domain.Details{
		Reference:   ref,
		ID:          res.ID,
		RepoTags:    realTags(res.RepoTags),
		RepoDigests: realTags(res.RepoDigests),
		Size:        res.Size,
		OS:          res.Os,
		Arch:        res.Architecture,
	}
	if t, err := time.Parse(time.RFC3339Nano, res.Created); err == nil {
		d.Created = t.UTC()
	}
	if cfg := res.Config; cfg != nil {
		d.Labels, d.Env, d.Entrypoint, d.Cmd = cfg.Labels, cfg.Env, cfg.Entrypoint, cfg.Cmd
	}
	for _, l := range res.RootFS.Layers {
		d.Layers = append(d.Layers, domain.Layer{Digest: l})
	}
	return d, nil
}

// History is the image's history, oldest step first (the engine answers
// newest first).
func (c *Cache) History(ctx context.Context, ref string) ([]domain.HistoryEntry, error) {
	res, err := c.cli.ImageHistory(ctx, ref)
	if err != nil {
		return nil, c.classify("history", ref, err)
	}
	out := make([]domain.HistoryEntry, 0, len(res.Items))
	for i := len(res.Items) - 1; i >= 0; i-- {
		h := res.Items[i]
		out = append(out, domain.HistoryEntry{
			CreatedBy: h.CreatedBy, Created: engineTime(h.Created), Size: h.Size,
			Comment: h.Comment, ID: h.ID, EmptyLayer: h.Size == 0,
		})
	}
	return out, nil
}

// Describe is Inspect under the name the Details pane asks for.
func (c *Cache) Describe(ctx context.Context, ref string) (domain.Details, error) {
	return c.Inspect(ctx, ref)
}

// engineTime is a time the engine gives in seconds; an image made without
// one (FROM scratch, some exporters) has Go's zero time, which stays zero
// ("unknown", docker's N/A) instead of turning into a date.
func engineTime(sec int64) time.Time {
	t := time.Unix(sec, 0)
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
