package localcache

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"
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

// Inspect reads a local image's details as docker image inspect and
// docker history show them: tags, repo digests, config (entrypoint, cmd,
// env, labels, user, working dir, ports, volumes), platform, history,
// layers with their sizes, parent, the containers that use it and the size
// it shares with other images.
func (c *Cache) Inspect(ctx context.Context, ref string) (domain.Details, error) {
	var raw bytes.Buffer
	res, err := c.cli.ImageInspect(ctx, ref, client.ImageInspectWithRawResponse(&raw))
	if err != nil {
		return domain.Details{}, c.classify("inspect", ref, err)
	}
	// Parent is gone from the API's types but engines still send it.
	var old struct{ Parent string }
	_ = json.Unmarshal(raw.Bytes(), &old)
	d := domain.Details{
		Reference:   ref,
		ID:          res.ID,
		RepoTags:    realTags(res.RepoTags),
		RepoDigests: realTags(res.RepoDigests),
		Size:        res.Size,
		OS:          res.Os,
		Arch:        res.Architecture,
		Local:       &domain.LocalFacts{Parent: old.Parent, SharedSize: -1},
	}
	if t, err := time.Parse(time.RFC3339Nano, res.Created); err == nil && !t.IsZero() {
		d.Created = t.UTC()
	}
	if cfg := res.Config; cfg != nil {
		d.Labels, d.Env, d.Entrypoint, d.Cmd = cfg.Labels, cfg.Env, cfg.Entrypoint, cfg.Cmd
		d.User, d.WorkingDir = cfg.User, cfg.WorkingDir
		d.ExposedPorts = slices.Sorted(maps.Keys(cfg.ExposedPorts))
		d.Volumes = slices.Sorted(maps.Keys(cfg.Volumes))
	}
	d.DiffIDs = slices.Clone(res.RootFS.Layers)
	if d.History, err = c.History(ctx, res.ID); err != nil {
		return d, err
	}
	// The engine sizes layers only in the history: its steps that made a
	// layer are the layers, in order.
	var sizes []int64
	for _, h := range d.History {
		if !h.EmptyLayer {
			sizes = append(sizes, h.Size)
		}
	}
	d.Local.LayerSizes = len(sizes) == len(res.RootFS.Layers)
	for i, l := range res.RootFS.Layers {
		layer := domain.Layer{Digest: l}
		if d.Local.LayerSizes {
			layer.Size = sizes[i]
		}
		d.Layers = append(d.Layers, layer)
	}
	if d.Local.Containers, err = c.containersOf(ctx, res.ID); err != nil {
		return d, err
	}
	d.Local.SharedSize = c.sharedSize(ctx, res.ID, d.RepoTags)
	return d, nil
}

// containersOf are the containers that use image, with their state.
func (c *Cache) containersOf(ctx context.Context, image string) ([]domain.ContainerUse, error) {
	res, err := c.cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		return nil, c.classify("list containers", "", err)
	}
	var out []domain.ContainerUse
	for _, ctr := range res.Items {
		if ctr.ImageID == image {
			out = append(out, domain.ContainerUse{Name: containerName(ctr.Names, ctr.ID), State: string(ctr.State)})
		}
	}
	return out, nil
}

// sharedSize is the part of image's size other images share (-1 when the
// engine does not say): listed narrowly, by the image's tags when it has
// any.
func (c *Cache) sharedSize(ctx context.Context, image string, tags []string) int64 {
	f := client.Filters{}
	for _, t := range tags {
		f = f.Add("reference", t)
	}
	if len(tags) == 0 {
		f = f.Add("dangling", "true")
	}
	res, err := c.cli.ImageList(ctx, client.ImageListOptions{SharedSize: true, Filters: f})
	if err != nil {
		return -1
	}
	for _, s := range res.Items {
		if s.ID == image {
			return s.SharedSize
		}
	}
	return -1
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
