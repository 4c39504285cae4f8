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
	Push(ctx context.Context, ref string, onProgress func(localcache.Progress)) (localcache.PushResult, error)
	TagAndPush(ctx context.Context, src, target string, opts localcache.TagAndPushOptions, onProgress func(localcache.Progress)) (localcache.PushResult, error)
}

// PushJournal is what a push asks of the registries (registryclient.Client):
// to journal the remote tag before the engine pushes over it, and where it
// points now.
type PushJournal interface {
	JournalPush(ctx context.Context, reference string) (registryclient.PushEntry, error)
	Resolve(ctx context.Context, reference string) (string, error)
}

// Push pushes a local tag through the engine. What the remote tag named
// before is journaled first, so `wharf undo` (u in the app) can put it back;
// when wharf cannot read the registry — the engine may reach what wharf
// cannot — or has no journal, the push goes ahead unjournaled and the
// result's Warnings say so. A journal that cannot be written stops it.
func Push(ctx context.Context, eng Pusher, reg PushJournal, ref string, progress func(localcache.Progress)) (domain.PushResult, error) {
	j := journalPush(ctx, reg, ref)
	if j.err != nil {
		return domain.PushResult{}, j.err
	}
	res, err := eng.Push(ctx, ref, progress)
	j.done(res.Digest, err)
	return j.result(res), err
}

// TagAndPush tags a local image as target and pushes it, the `docker tag …
// && docker push …` of one key: refused with a *domain.OverwriteError when
// the local or the remote tag names another image, unless overwrite.
// Journaled as Push is.
func TagAndPush(ctx context.Context, eng Pusher, reg PushJournal, src, target string, overwrite bool, progress func(localcache.Progress)) (domain.PushResult, error) {
	var j pushJournal
	opts := localcache.TagAndPushOptions{
		Overwrite: overwrite,
		Guard:     remoteGuard(reg),
		BeforePush: func(ctx context.Context, target string) error {
			j = journalPush(ctx, reg, target)
			return j.err
		},
	}
	res, err := eng.TagAndPush(ctx, src, target, opts, progress)
	if j.done != nil {
		j.done(res.Digest, err)
	}
	return j.result(res), overwriteOf(err, target, src)
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
	case errors.As(err, &regErr) || errors.Is(err, registryclient.ErrNoJournal):
		return pushJournal{done: noop, warning: "not journaled (" + err.Error() + "): wharf undo cannot put back what this push replaces"}
	case err != nil:
		return pushJournal{done: noop, err: err}
	}
	return pushJournal{done: entry.Done, id: entry.ID}
}

// remoteGuard is what TagAndPush asks before pushing: what the remote tag
// names now (a HEAD).
func remoteGuard(reg PushJournal) localcache.RemoteGuard {
	if reg == nil {
		return nil
	}
	return func(ctx context.Context, ref string) (string, bool, error) {
		d, err := reg.Resolve(ctx, ref)
		if errors.Is(err, registryclient.ErrNotFound) {
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
