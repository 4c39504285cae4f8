package ops_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// fakeEngine pushes by saying so.
type fakeEngine struct {
	pushed   []string
	pushErr  error
	conflict error
}

func (f *fakeEngine) PushGuarded(ctx context.Context, ref string, opts localcache.PushOptions, _ func(localcache.Progress)) (localcache.PushResult, error) {
	if err := f.guard(ctx, ref, opts); err != nil {
		return localcache.PushResult{}, err
	}
	if opts.BeforePush != nil {
		if err := opts.BeforePush(ctx, ref); err != nil {
			return localcache.PushResult{}, err
		}
	}
	f.pushed = append(f.pushed, ref)
	return localcache.PushResult{Reference: ref, Digest: "sha256:pushed"}, f.pushErr
}

// guard asks opts.Guard as localcache does: an error stops the push, a
// remote tag on another image is a conflict unless overwrite allows it
// (this fake's local image was never pushed).
func (f *fakeEngine) guard(ctx context.Context, ref string, opts localcache.PushOptions) error {
	if f.conflict != nil {
		return f.conflict
	}
	if opts.Guard == nil {
		return nil
	}
	d, exists, err := opts.Guard(ctx, ref)
	if err != nil {
		return err
	}
	if exists && !opts.Overwrite.Allows(d) {
		return &localcache.OpError{Kind: localcache.ErrTagExists, Err: &localcache.RemoteConflict{Target: ref, RemoteDigest: d}}
	}
	return nil
}

func (f *fakeEngine) TagAndPush(ctx context.Context, _, target string, opts localcache.PushOptions, p func(localcache.Progress)) (localcache.PushResult, error) {
	if err := f.guard(ctx, target, opts); err != nil {
		return localcache.PushResult{}, err
	}
	if opts.BeforePush != nil {
		if err := opts.BeforePush(ctx, target); err != nil {
			return localcache.PushResult{}, err
		}
	}
	return f.PushGuarded(ctx, target, localcache.PushOptions{}, p)
}

// fakeJournal journals pushes, or fails as told: the guard's read
// (Resolve) says resolved or resolveErr, the journal's read before.
type fakeJournal struct {
	err        error
	resolveErr error
	resolved   string
	before     string
	done       []string
	abandoned  []error
}

func (f *fakeJournal) JournalPush(_ context.Context, ref string) (registryclient.PushEntry, error) {
	if f.err != nil {
		return registryclient.PushEntry{}, f.err
	}
	return registryclient.PushEntry{ID: 7, Before: f.before, Done: func(after string, _ error) {
		f.done = append(f.done, ref+" → "+after)
	}, Abandon: func(why error) { f.abandoned = append(f.abandoned, why) }}, nil
}

func (f *fakeJournal) Resolve(context.Context, string) (string, error) {
	switch {
	case f.resolveErr != nil:
		return "", f.resolveErr
	case f.resolved != "":
		return f.resolved, nil
	}
	return "", &registryclient.Error{Kind: registryclient.ErrNotFound}
}

func TestPushIsJournaled(t *testing.T) {
	eng, j := &fakeEngine{}, &fakeJournal{}
	res, err := ops.Push(context.Background(), eng, j, "reg.example/app:1", domain.Overwrite{}, nil)
	if err != nil || res.JournalID != 7 || len(res.Warnings) != 0 || res.Digest != "sha256:pushed" {
		t.Fatalf("push: %+v %v", res, err)
	}
	if len(j.done) != 1 || j.done[0] != "reg.example/app:1 → sha256:pushed" {
		t.Errorf("the journal entry was not finished: %v", j.done)
	}
}

// A push whose target wharf cannot read is refused, with the cause and
// what pushes without the check; only --overwrite (any image) pushes
// unchecked, and then says it went unjournaled. Without a journal the push
// goes ahead and says so.
func TestPushThatCannotReadItsTargetIsRefused(t *testing.T) {
	unreadable := &registryclient.Error{Op: "read before the push", Registry: "reg.example", Kind: registryclient.ErrServer, Status: 500, Detail: "storage failed"}
	for name, tc := range map[string]struct {
		guardErr, journalErr error
		ow                   domain.Overwrite
		pushed               bool
	}{
		"guard read fails":                  {guardErr: unreadable},
		"journal read fails":                {journalErr: unreadable},
		"journal read fails, overwrite one": {journalErr: unreadable, ow: domain.OverwriteOnly("sha256:shown")},
		"both fail, --overwrite":            {guardErr: unreadable, journalErr: unreadable, ow: domain.OverwriteAny, pushed: true},
		"no journal":                        {journalErr: registryclient.ErrNoJournal, pushed: true},
	} {
		t.Run(name, func(t *testing.T) {
			for _, tagAndPush := range []bool{false, true} {
				eng, j := &fakeEngine{}, &fakeJournal{err: tc.journalErr, resolveErr: tc.guardErr}
				var res domain.PushResult
				var err error
				if tagAndPush {
					res, err = ops.TagAndPush(context.Background(), eng, j, "sha256:x", "reg.example/app:d", tc.ow, nil)
				} else {
					res, err = ops.Push(context.Background(), eng, j, "reg.example/app:d", tc.ow, nil)
				}
				if tc.pushed {
					if err != nil || len(eng.pushed) != 1 {
						t.Fatalf("push: %v, pushed %v", err, eng.pushed)
					}
					if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "not journaled") || !strings.Contains(res.Warnings[0], "wharf undo cannot put back") || res.JournalID != 0 {
						t.Errorf("warnings %q", res.Warnings)
					}
					continue
				}
				var unread *ops.UnreadError
				if !errors.As(err, &unread) || len(eng.pushed) != 0 {
					t.Fatalf("push went ahead or said something else: %v, pushed %v", err, eng.pushed)
				}
				for _, want := range []string{"could not read what reg.example/app:d holds now", "storage failed", "nothing was pushed", "--overwrite pushes without that check"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%q does not say %q", err, want)
					}
				}
				if !errors.Is(err, registryclient.ErrServer) {
					t.Errorf("%v does not keep its kind", err)
				}
			}
		})
	}
}

// A tag that names another image when the journal reads it than when the
// guard did is not pushed over: the entry is abandoned, the error names
// both digests.
func TestPushOverATagThatMovedSinceTheGuardIsRefused(t *testing.T) {
	eng := &fakeEngine{}
	j := &fakeJournal{resolved: "sha256:checked", before: "sha256:other"}
	_, err := ops.Push(context.Background(), eng, j, "reg.example/app:d", domain.OverwriteOnly("sha256:checked"), nil)
	var moved *ops.MovedError
	if !errors.As(err, &moved) || len(eng.pushed) != 0 {
		t.Fatalf("push: %v, pushed %v", err, eng.pushed)
	}
	if len(j.abandoned) != 1 || len(j.done) != 0 {
		t.Errorf("the entry was not abandoned: abandoned %v, done %v", j.abandoned, j.done)
	}
	if !strings.Contains(err.Error(), "nothing was pushed") {
		t.Errorf("error %q", err)
	}
	// Allowed to replace what it names now: pushed.
	j = &fakeJournal{resolved: "sha256:checked", before: "sha256:other"}
	if _, err := ops.Push(context.Background(), eng, j, "reg.example/app:d", domain.OverwriteAny, nil); err != nil || len(eng.pushed) != 1 {
		t.Errorf("push with overwrite: %v, pushed %v", err, eng.pushed)
	}
}

// A journal that cannot be written stops the push: nothing changes that
// could not be undone.
func TestPushStopsWhenTheJournalCannotBeWritten(t *testing.T) {
	eng := &fakeEngine{}
	_, err := ops.Push(context.Background(), eng, &fakeJournal{err: errors.New("writing the journal: disk full")}, "reg.example/app:1", domain.Overwrite{}, nil)
	if err == nil || len(eng.pushed) != 0 {
		t.Errorf("push went ahead: %v, pushed %v", err, eng.pushed)
	}
}

// Conflicts from the engine become the overwrite the CLI and the app ask
// about, with both sides named.
func TestTagAndPushConflictsAreOverwrites(t *testing.T) {
	for _, tc := range []struct {
		conflict error
		note     string
	}{
		{&localcache.OpError{Kind: localcache.ErrTagExists, Err: &localcache.TagConflict{Target: "reg.example/app:2", CurrentID: "sha256:other", WouldDangle: true}}, "left dangling"},
		{&localcache.OpError{Kind: localcache.ErrTagExists, Err: &localcache.RemoteConflict{Target: "reg.example/app:2", RemoteDigest: "sha256:remote", LocalDigests: []string{"sha256:local"}}}, "replaces the image the registry has"},
	} {
		_, err := ops.TagAndPush(context.Background(), &fakeEngine{conflict: tc.conflict}, &fakeJournal{}, "sha256:x", "reg.example/app:2", domain.Overwrite{}, nil)
		var ow *domain.OverwriteError
		if !errors.As(err, &ow) || ow.Reference != "reg.example/app:2" || !strings.Contains(ow.Note, tc.note) || ow.Existing == "" || ow.Incoming == "" {
			t.Errorf("conflict %v became %v", tc.conflict, err)
		}
	}
}
