package ops

import (
	"context"
	"errors"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// Pusher is what a push asks of the engine (localcache.Cache).
type Pusher interface {
	PushGuarded(ctx context.Context, ref string, opts localcache.PushOptions, onProgress func(localcache.Progress)) (localcache.PushResult, error)
	TagAndPush(ctx context.Context, src, target string, opts localcache.PushOptions, onProgress func(localcache.Progress)) (localcache.PushResult, error)
}

// PushJournal is what a push asks of the registries (registryclient.Client):
// to journal the remote tag before the engine pushes over it, and where it
// points now.
type PushJournal interface {
	JournalPush(ctx context.Context, reference string) (registryclient.PushEntry, error)
	Resolve(ctx context.Context, reference string) (string, error)
}

// Push pushes a local tag through the engine. A remote tag that names
// another image (one the local image was never pushed or pulled as) is
// refused with a *domain.OverwriteError naming both digests, unless ow
// allows replacing it. What the remote tag named before is journaled first, so
// `wharf undo` (u in the app) can put it back; when wharf cannot read the
// registry — the engine may reach what wharf cannot — or has no journal,
// the push goes ahead unjournaled (and unguarded) and the result's Warnings
// say so. A journal that cannot be written stops it.
func Push(ctx context.Context, eng Pusher, reg PushJournal, ref string, ow domain.Overwrite, progress func(localcache.Progress)) (domain.PushResult, error) {
	j := &pushJournal{}
	opts := pushOptions(reg, ow, j)
	res, err := eng.PushGuarded(ctx, ref, opts, progress)
	if j.done != nil {
		j.done(res.Digest, err)
	}
	return j.result(res), overwriteOf(err, ref, ref)
}

// TagAndPush tags a local image as target and pushes it, the `docker tag …
// && docker push …` of one key: refused with a *domain.OverwriteError when
// the local or the remote tag names another image, unless overwrite.
// Journaled as Push is.
func TagAndPush(ctx context.Context, eng Pusher, reg PushJournal, src, target string, ow domain.Overwrite, progress func(localcache.Progress)) (domain.PushResult, error) {
	j := &pushJournal{}
	opts := pushOptions(reg, ow, j)
	res, err := eng.TagAndPush(ctx, src, target, opts, progress)
	if j.done != nil {
		j.done(res.Digest, err)
	}
	return j.result(res), overwriteOf(err, target, src)
}

// pushOptions guard a push with reg's view of the target and journal it
// into j just before the engine pushes.
func pushOptions(reg PushJournal, ow domain.Overwrite, j *pushJournal) localcache.PushOptions {
	return localcache.PushOptions{
		Overwrite: ow,
		Guard:     remoteGuard(reg),
		BeforePush: func(ctx context.Context, target string) error {
			*j = journalPush(ctx, reg, target)
			return j.err
		},
	}
}

// pushJournal is a push's journal entry in the making.
type pushJournal struct {
	done    func(after string, pushErr error)
	id      int
	warning string
	err     error
}

func (j pushJournal) result(r localcache.PushResult) domain.PushResult {
	out := domain.PushResult{Reference: r.Reference, Digest: r.Digest, JournalID: j.id}
	if j.warning != "" {
		out.Warnings = []string{j.warning}
	}
	return out
}

func journalPush(ctx context.Context, reg PushJournal, ref string) pushJournal {
	noop := func(string, error) {}
	if reg == nil {
		return pushJournal{done: noop, warning: "not journaled (no registry client): wharf undo cannot put back what this push replaces"}
	}
	entry, err := reg.JournalPush(ctx, ref)
	var regErr *registryclient.Error
	switch {
	case errors.Is(err, registryclient.ErrNoJournal):
		return pushJournal{done: noop, warning: "not journaled (" + err.Error() + "): wharf undo cannot put back what this push replaces"}
	case errors.As(err, &regErr):
		return pushJournal{done: noop, warning: "not journaled or checked (" + err.Error() + "): wharf could not read the remote tag, so it did not check what this push replaces, and wharf undo cannot put back what it replaces"}
	case err != nil:
		return pushJournal{done: noop, err: err}
	}
	return pushJournal{done: entry.Done, id: entry.ID}
}

// remoteGuard is what a push asks before pushing: what the remote tag
// names now (a HEAD). A registry wharf cannot read (the engine may reach
// what wharf cannot) does not stop the push: journalPush says it went
// unjournaled, and so unguarded.
func remoteGuard(reg PushJournal) localcache.RemoteGuard {
	if reg == nil {
		return nil
	}
	return func(ctx context.Context, ref string) (string, bool, error) {
		d, err := reg.Resolve(ctx, ref)
		var regErr *registryclient.Error
		switch {
		case errors.Is(err, registryclient.ErrNotFound):
			return "", false, nil
		case errors.As(err, &regErr):
			return "", false, nil
		}
		return d, err == nil, err
	}
}

// overwriteOf turns localcache's tag conflicts into the overwrite the CLI
// and the app ask about, with both sides named.
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
