package localcache

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
)

// ParseTag validates a tag reference the way docker does ("app" means
// docker.io/library/app:latest) and returns it in familiar form
// ("app:latest", "ghcr.io/o/app:1.0").
func ParseTag(s string) (string, error) {
	if err := ref.CheckTarget(s); err != nil {
		return "", &OpError{Op: "parse", Ref: s, Kind: ErrInvalidReference, Detail: err.Error(), Err: err}
	}
	r, _ := ref.Parse(s)
	return r.Latest().Familiar(), nil
}

// normalize validates any reference (tag or digest) and returns it in
// familiar form, adding :latest when neither is given.
func normalize(s string) (string, error) {
	r, err := ref.Parse(s)
	if err != nil {
		return "", &OpError{Op: "parse", Ref: s, Kind: ErrInvalidReference, Detail: err.Error(), Err: err}
	}
	return r.Latest().Familiar(), nil
}

// TagConflict is returned (wrapped in an *OpError of kind ErrTagExists) when
// the target tag already names another image.
type TagConflict struct {
	Target string
	// CurrentID is the image the target tag names now.
	CurrentID string
	// WouldDangle reports that the current image has no other tag and would
	// become dangling.
	WouldDangle bool
}

func (t *TagConflict) Error() string {
	s := fmt.Sprintf("%s already names image %s", t.Target, shortID(t.CurrentID))
	if t.WouldDangle {
		s += ", which would be left dangling"
	}
	return s
}

// TagOptions are the caller's decisions.
type TagOptions struct {
	// Overwrite moves a target tag off the image it names now: any, or
	// only the image IDs it lists.
	Overwrite domain.Overwrite
}

// TagResult says what a tag did.
type TagResult struct {
	Target string
	// Moved is set when the tag moved away from another image.
	Moved *TagConflict
}

// Tag points target at the image src names. A target that already names
// another image is refused with ErrTagExists (and a *TagConflict) unless
// opts.Overwrite allows moving it off that image.
func (c *Cache) Tag(ctx context.Context, src, target string, opts TagOptions) (TagResult, error) {
	dst, err := ParseTag(target)
	if err != nil {
		return TagResult{}, err
	}
	srcImg, err := c.cli.ImageInspect(ctx, src)
	if err != nil {
		return TagResult{}, c.classify("tag", src, err)
	}
	res := TagResult{Target: dst}
	cur, err := c.cli.ImageInspect(ctx, dst)
	switch {
	case err == nil && cur.ID != srcImg.ID:
		res.Moved = &TagConflict{Target: dst, CurrentID: cur.ID, WouldDangle: len(realTags(cur.RepoTags)) <= 1}
		if !opts.Overwrite.Allows(cur.ID) {
			return TagResult{}, &OpError{Op: "tag", Ref: dst, Kind: ErrTagExists, Detail: res.Moved.Error(), Err: res.Moved}
		}
	case err == nil:
		return res, nil // already there
	case !errors.Is(c.classify("tag", dst, err), ErrNotFound):
		return TagResult{}, c.classify("tag", dst, err)
	}
	if _, err := c.cli.ImageTag(ctx, client.ImageTagOptions{Source: srcImg.ID, Target: dst}); err != nil {
		return TagResult{}, c.classify("tag", dst, err)
	}
	return res, nil
}

// RemoveResult lists what a remove did.
type RemoveResult struct {
	Untagged []string
	Deleted  []string
}

// RemoveOptions are the caller's decisions.
type RemoveOptions struct {
	// Force removes an image that containers use or several tags name.
	Force bool
	// Image, when set, is the image ID the reference must name: what the
	// user was shown. A reference that names another image now is refused
	// with ErrMoved and nothing is removed.
	Image string
}

// Untag removes one reference. When it is the image's last tag the engine
// deletes the image too; the result says so.
func (c *Cache) Untag(ctx context.Context, ref string, opts RemoveOptions) (RemoveResult, error) {
	return c.remove(ctx, "untag", ref, opts)
}

// Remove deletes an image by ID (or reference) with all its tags.
func (c *Cache) Remove(ctx context.Context, id string, opts RemoveOptions) (RemoveResult, error) {
	return c.remove(ctx, "remove", id, opts)
}

func (c *Cache) remove(ctx context.Context, op, ref string, opts RemoveOptions) (RemoveResult, error) {
	if opts.Image != "" && ref != opts.Image {
		cur, err := c.cli.ImageInspect(ctx, ref)
		if err != nil {
			return RemoveResult{}, c.classify(op, ref, err)
		}
		if cur.ID != opts.Image {
			return RemoveResult{}, &OpError{
				Op: op, Ref: ref, Kind: ErrMoved,
				Detail: fmt.Sprintf("it names image %s now, not %s as shown; nothing was removed", shortID(cur.ID), shortID(opts.Image)),
			}
		}
	}
	res, err := c.cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: opts.Force})
	if err != nil {
		return RemoveResult{}, c.nameContainers(ctx, c.classify(op, ref, err))
	}
	var out RemoveResult
	for _, item := range res.Items {
		if item.Untagged != "" {
			out.Untagged = append(out.Untagged, item.Untagged)
		}
		if item.Deleted != "" {
			out.Deleted = append(out.Deleted, item.Deleted)
		}
	}
	return out, nil
}

// nameContainers replaces the container IDs of an ErrInUse with names.
func (c *Cache) nameContainers(ctx context.Context, err error) error {
	var op *OpError
	if !errors.As(err, &op) || len(op.Containers) == 0 {
		return err
	}
	res, listErr := c.cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if listErr != nil {
		return err
	}
	for i, id := range op.Containers {
		for _, ctr := range res.Items {
			if len(id) <= len(ctr.ID) && ctr.ID[:len(id)] == id {
				op.Containers[i] = fmt.Sprintf("%s container %s", stateWord(string(ctr.State)), containerName(ctr.Names, ctr.ID))
			}
		}
	}
	op.Containers = slices.Compact(op.Containers)
	return op
}

func stateWord(state string) string {
	if state == "running" {
		return "running"
	}
	return "stopped"
}
