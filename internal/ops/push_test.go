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
	if f.conflict != nil {
		return localcache.PushResult{}, f.conflict
	}
	if opts.BeforePush != nil {
		if err := opts.BeforePush(ctx, ref); err != nil {
			return localcache.PushResult{}, err
		}
	}
	f.pushed = append(f.pushed, ref)
	return localcache.PushResult{Reference: ref, Digest: "sha256:pushed"}, f.pushErr
}

func (f *fakeEngine) TagAndPush(ctx context.Context, _, target string, opts localcache.PushOptions, p func(localcache.Progress)) (localcache.PushResult, error) {
	if f.conflict != nil {
		return localcache.PushResult{}, f.conflict
	}
	if opts.BeforePush != nil {
		if err := opts.BeforePush(ctx, target); err != nil {
			return localcache.PushResult{}, err
		}
	}
	return f.PushGuarded(ctx, target, localcache.PushOptions{}, p)
}

// fakeJournal journals pushes, or fails as told.
type fakeJournal struct {
	err  error
	done []string
}

func (f *fakeJournal) JournalPush(_ context.Context, ref string) (registryclient.PushEntry, error) {
	if f.err != nil {
		return registryclient.PushEntry{}, f.err
	}
	return registryclient.PushEntry{ID: 7, Done: func(after string, _ error) {
		f.done = append(f.done, ref+" → "+after)
	}}, nil
}

func (f *fakeJournal) Resolve(context.Context, string) (string, error) {
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

// When wharf cannot read the registry (the engine may reach what wharf
// cannot) or has no journal, the push goes ahead and says it was not
// journaled: the CLI and the app show the same warning.
func TestPushThatCannotBeJournaledWarns(t *testing.T) {
	for name, jerr := range map[string]error{
		"registry unreadable": &registryclient.Error{Op: "read before the push", Registry: "reg.example", Kind: registryclient.ErrUnauthorized},
		"no journal":          registryclient.ErrNoJournal,
	} {
		t.Run(name, func(t *testing.T) {
			eng := &fakeEngine{}
			res, err := ops.Push(context.Background(), eng, &fakeJournal{err: jerr}, "reg.example/app:1", domain.Overwrite{}, nil)
			if err != nil || len(eng.pushed) != 1 {
				t.Fatalf("push: %v, pushed %v", err, eng.pushed)
			}
			if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "not journaled") || !strings.Contains(res.Warnings[0], "wharf undo cannot put back") || res.JournalID != 0 {
				t.Errorf("warnings %q", res.Warnings)
			}
			res, err = ops.TagAndPush(context.Background(), eng, &fakeJournal{err: jerr}, "sha256:x", "reg.example/app:2", domain.Overwrite{}, nil)
			if err != nil || len(res.Warnings) != 1 {
				t.Errorf("tag and push: %+v %v", res, err)
			}
		})
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
