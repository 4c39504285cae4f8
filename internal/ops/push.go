package ops

import (
	"context"
	"errors"
	"fmt"

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
// `wharf undo` (u in the app) can put it back. The guard fails closed: when
// wharf cannot read what the remote tag names (after the client's retries),
// nothing is pushed and the error (an *UnreadError) says why — only an
// overwrite of any image (--overwrite) pushes without that check, and its
// result's Warnings say it went unjournaled. A journal that cannot be
// written stops it too.
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
// Guarded and journaled as Push is.
func TagAndPush(ctx context.Context, eng Pusher, reg PushJournal, src, target string, ow domain.Overwrite, progress func(localcache.Progress)) (domain.PushResult, error) {
	j := &pushJournal{}
	opts := pushOptions(reg, ow, j)
	res, err := eng.TagAndPush(ctx, src, target, opts, progress)
	if j.done != nil {
		j.done(res.Digest, err)
	}
	return j.result(res), overwriteOf(err, target, src)
}

// UnreadError refuses a push whose target wharf could not read: a guard
// that cannot see says no.
type UnreadError struct {
	// Reference is the remote tag the push would write.
	Reference string
	// Err is why reading it failed (a *registryclient.Error).
	Err error
}

func (e *UnreadError) Error() string {
	return fmt.Sprintf("could not read what %s holds now (%v); nothing was pushed; --overwrite pushes without that check", e.Reference, e.Err)
}

func (e *UnreadError) Unwrap() error { return e.Err }

// MovedError refuses a push whose target named another image when the
// journal read it than when the guard did: what was checked is not what
// would be replaced.
type MovedError struct {
	Reference       string
	Checked, Before string
}

func (e *MovedError) Error() string {
	return fmt.Sprintf("%s changed while wharf checked it (it named %s, now %s); nothing was pushed; push again to check it anew", e.Reference, orNoImage(e.Checked), orNoImage(e.Before))
}

func orNoImage(d string) string {
	if d == "" {
		return "no image"
	}
	return domain.ShortDigest(d)
}

// guardRead is what the guard read of the remote tag: checked says it
// read it (digest "" for a tag that does not exist).
type guardRead struct {
	checked bool
	digest  string
}

// pushOptions guard a push with reg's view of the target and journal it
// into j just before the engine pushes.
func pushOptions(reg PushJournal, ow domain.Overwrite, j *pushJournal) localcache.PushOptions {
	seen := &guardRead{}
	return localcache.PushOptions{
		Overwrite: ow,
		Guard:     remoteGuard(reg, ow, seen),
		BeforePush: func(ctx context.Context, target string) error {
			*j = journalPush(ctx, reg, target, ow, *seen)
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

// journalPush journals what ref names just before the engine pushes over
// it. A registry that cannot be read stops the push unless ow allows any
// overwrite; a tag that names another digest than the guard approved stops
// it unless ow allows that digest.
func journalPush(ctx context.Context, reg PushJournal, ref string, ow domain.Overwrite, seen guardRead) pushJournal {
	noop := func(string, error) {}
	if reg == nil {
		return pushJournal{done: noop, warning: "not journaled (no registry client): wharf undo cannot put back what this push replaces"}
	}
	entry, err := reg.JournalPush(ctx, ref)
	var regErr *registryclient.Error
	switch {
	case errors.Is(err, registryclient.ErrNoJournal):
		return pushJournal{done: noop, warning: "not journaled (" + err.Error() + "): wharf undo cannot put back what this push replaces"}
	case errors.As(err, &regErr) && ow.Any:
		return pushJournal{done: noop, warning: "not journaled or checked (" + err.Error() + "): --overwrite pushed without reading what the remote tag named, and wharf undo cannot put back what it replaced"}
	case errors.As(err, &regErr):
		return pushJournal{err: &UnreadError{Reference: ref, Err: err}}
	case err != nil:
		return pushJournal{err: err}
	}
	if seen.checked && entry.Before != seen.digest && !ow.Allows(entry.Before) {
		moved := &MovedError{Reference: ref, Checked: seen.digest, Before: entry.Before}
		if entry.Abandon != nil {
			entry.Abandon(moved)
		}
		return pushJournal{err: moved}
	}
	return pushJournal{done: entry.Done, id: entry.ID}
}

// remoteGuard is what a push asks before pushing: what the remote tag
// names now (a HEAD). A tag that does not exist passes; a registry wharf
// cannot read refuses the push (an *UnreadError), unless ow allows any
// overwrite. What it read is kept in seen for the journal to compare.
func remoteGuard(reg PushJournal, ow domain.Overwrite, seen *guardRead) localcache.RemoteGuard {
	if reg == nil {
		return nil
	}
	return func(ctx context.Context, ref string) (string, bool, error) {
		d, err := reg.Resolve(ctx, ref)
		switch {
		case errors.Is(err, registryclient.ErrNotFound):
			*seen = guardRead{checked: true}
			return "", false, nil
		case err != nil && ow.Any:
			// Told to replace whatever is there: journalPush tries again
			// and says so when it cannot read either.
			return "", false, nil
		case err != nil:
			return "", false, &UnreadError{Reference: ref, Err: err}
		}
		*seen = guardRead{checked: true, digest: d}
		return d, true, nil
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
