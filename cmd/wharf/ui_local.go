package main

import (
	"context"
	"errors"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// localChanges adapts localcache (and registryclient, to look before a
// push overwrites a remote tag) to the Local pane's Changer.
type localChanges struct {
	c  *localcache.Cache
	rc *registryclient.Client
}

func (l localChanges) Tag(ctx context.Context, src, target string, overwrite bool) error {
	_, err := l.c.Tag(ctx, src, target, localcache.TagOptions{Overwrite: overwrite})
	return overwriteOf(err, target, src)
}

func (l localChanges) Untag(ctx context.Context, ref string) (bool, error) {
	res, err := l.c.Untag(ctx, ref, localcache.RemoveOptions{})
	return len(res.Deleted) > 0, err
}

func (l localChanges) Push(ctx context.Context, ref string, progress func(domain.CopyProgress)) (string, error) {
	res, err := l.c.Push(ctx, ref, tally(progress))
	return res.Digest, err
}

func (l localChanges) TagAndPush(ctx context.Context, src, target string, overwrite bool, progress func(domain.CopyProgress)) (string, error) {
	opts := localcache.TagAndPushOptions{Overwrite: overwrite, Guard: l.remoteDigest}
	res, err := l.c.TagAndPush(ctx, src, target, opts, tally(progress))
	return res.Digest, overwriteOf(err, target, src)
}

func (l localChanges) Pull(ctx context.Context, ref, platform string, progress func(domain.CopyProgress)) (string, error) {
	res, err := l.c.Pull(ctx, ref, localcache.PullOptions{Platform: platform}, tally(progress))
	return res.Digest, err
}

// remoteDigest is the guard TagAndPush asks: what the remote tag names now
// (a HEAD).
func (l localChanges) remoteDigest(ctx context.Context, ref string) (string, bool, error) {
	d, err := l.rc.Resolve(ctx, ref)
	if errors.Is(err, registryclient.ErrNotFound) {
		return "", false, nil
	}
	return d, err == nil, err
}

// tally turns the engine's per-layer events into one progress.
func tally(progress func(domain.CopyProgress)) func(localcache.Progress) {
	var t localcache.Tally
	return func(p localcache.Progress) {
		done, total, layersDone, layers := t.Add(p)
		progress(domain.CopyProgress{BytesDone: done, BytesTotal: total, BlobsDone: layersDone, BlobsTotal: layers, Detail: t.Lines()})
	}
}

// overwriteOf turns localcache's tag conflicts into the overwrite the panes
// ask about, with both sides named.
func overwriteOf(err error, target, src string) error {
	var local *localcache.TagConflict
	var remote *localcache.RemoteConflict
	switch {
	case errors.As(err, &local):
		ow := &domain.OverwriteError{Reference: target, Existing: local.CurrentID, Incoming: src}
		if local.WouldDangle {
			ow.Note = "That image has no other tag: it would be left dangling."
		}
		return ow
	case errors.As(err, &remote):
		incoming := src
		if len(remote.LocalDigests) > 0 {
			incoming = remote.LocalDigests[0]
		}
		return &domain.OverwriteError{
			Reference: target, Existing: remote.RemoteDigest, Incoming: incoming,
			Note: "Pushing replaces the image the registry has under it.",
		}
	}
	return err
}
