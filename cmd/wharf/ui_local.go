package main

import (
	"context"
	"errors"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// localChanges adapts localcache (and registryclient, to look before a
// push overwrites a remote tag and to journal it) to the Local pane's
// Changer.
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
	done, _, err := journalPush(ctx, l.rc, ref)
	if err != nil {
		return "", err
	}
	res, err := l.c.Push(ctx, ref, tally(progress))
	done(res.Digest, err)
	return res.Digest, err
}

func (l localChanges) TagAndPush(ctx context.Context, src, target string, overwrite bool, progress func(domain.CopyProgress)) (string, error) {
	done := func(string, error) {}
	opts := localcache.TagAndPushOptions{
		Overwrite: overwrite, Guard: l.remoteDigest,
		BeforePush: func(ctx context.Context, target string) error {
			var err error
			done, _, err = journalPush(ctx, l.rc, target)
			return err
		},
	}
	res, err := l.c.TagAndPush(ctx, src, target, opts, tally(progress))
	done(res.Digest, err)
	return res.Digest, overwriteOf(err, target, src)
}

// journalPush journals what ref's remote tag names before the engine pushes
// over it, so `wharf undo` (u in the app) can put it back. When wharf cannot
// read the registry — the engine may reach what wharf cannot — the push
// goes ahead unjournaled and warning says so (as without a journal); a
// journal that cannot be written stops it.
func journalPush(ctx context.Context, rc *registryclient.Client, ref string) (done func(after string, pushErr error), warning string, err error) {
	noop := func(string, error) {}
	if rc == nil {
		return noop, "", nil
	}
	done, err = rc.JournalPush(ctx, ref)
	var regErr *registryclient.Error
	if errors.As(err, &regErr) || errors.Is(err, registryclient.ErrNoJournal) {
		return noop, "not journaled (" + err.Error() + "): wharf undo cannot put back what this push replaces", nil
	}
	if err != nil {
		return noop, "", err
	}
	return done, "", nil
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
