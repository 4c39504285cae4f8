package localcache_test

// Unit tests against fakeEngine: what localcache makes of the engine's
// answers. The same behaviour is tested against a private dockerd in
// cache_test.go and transfer_test.go.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/jsonstream"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/localcache"
)

func unitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestListWithAFakeEngine(t *testing.T) {
	c := openFake(sampleEngine())
	l, err := c.Images(unitCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Images) != 7 || l.Dangling != 2 || l.Reclaimable != 8_000_000 {
		t.Fatalf("listing %d images, %d dangling, %d reclaimable; want 7, 2, 8000000", len(l.Images), l.Dangling, l.Reclaimable)
	}
	if l.Images[0].ID != hexID('a') || l.Images[1].ID != hexID('b') {
		t.Errorf("not newest first: %s, %s", l.Images[0].ID, l.Images[1].ID)
	}
	first := l.Images[0]
	if !slices.Equal(first.RepoTags, []string{"team/app:1.0", "team/app:latest"}) || len(first.RepoDigests) != 1 || first.Dangling {
		t.Errorf("tagged image: %+v", first)
	}
	for _, img := range l.Images {
		switch img.ID {
		case hexID('c'), hexID('9'):
			if !img.Dangling || len(img.RepoTags) != 0 {
				t.Errorf("dangling image %s: %+v (the engine's <none>:<none> is not a tag)", img.ID, img)
			}
		case hexID('b'):
			if !slices.Equal(img.Containers, []string{"web-1"}) {
				t.Errorf("web's containers: %v", img.Containers)
			}
		}
	}
	dl, err := c.List(unitCtx(t), localcache.ListOptions{DanglingOnly: true})
	if err != nil || len(dl.Images) != 2 {
		t.Errorf("dangling only: %v %v", dl.Images, err)
	}
}

func TestInspectAndHistoryWithAFakeEngine(t *testing.T) {
	c := openFake(sampleEngine())
	d, err := c.Describe(unitCtx(t), "team/app:1.0")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != hexID('a') || d.OS != "linux" || d.Arch != "amd64" || d.Labels["k"] != "v" || !slices.Equal(d.Cmd, []string{"/app"}) || len(d.Layers) != 1 || d.Created.IsZero() {
		t.Errorf("details: %+v", d)
	}
	h, err := c.History(unitCtx(t), "team/app:1.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].CreatedBy != "ENV PATH=/bin" || !h[0].EmptyLayer || h[1].Comment != "buildkit" || h[1].Size != 100 {
		t.Errorf("history is not oldest first with sizes and comments: %+v", h)
	}
	if _, err := c.Inspect(unitCtx(t), "nope:1"); !errors.Is(err, localcache.ErrNotFound) || !strings.Contains(err.Error(), "inspect nope:1") {
		t.Errorf("inspect of a missing image: %v", err)
	}
	if _, err := c.History(unitCtx(t), "nope:1"); !errors.Is(err, localcache.ErrNotFound) {
		t.Errorf("history of a missing image: %v", err)
	}
}

func TestTagWithAFakeEngine(t *testing.T) {
	f := sampleEngine()
	c := openFake(f)
	ctx := unitCtx(t)
	res, err := c.Tag(ctx, "team/app:1.0", "team/app:2.0", localcache.TagOptions{})
	if err != nil || res.Target != "team/app:2.0" || res.Moved != nil {
		t.Fatalf("new tag: %+v %v", res, err)
	}
	// Already there: the engine is not asked.
	f.calls = nil
	if _, err := c.Tag(ctx, "team/app:1.0", "team/app:2.0", localcache.TagOptions{}); err != nil || slices.Contains(f.calls, "tag team/app:2.0") {
		t.Errorf("tagging again: %v, calls %v", err, f.calls)
	}
	// team/web:2 is another image's only tag: refused, and it would dangle.
	_, err = c.Tag(ctx, "team/app:1.0", "team/web:2", localcache.TagOptions{})
	var conflict *localcache.TagConflict
	if !errors.Is(err, localcache.ErrTagExists) || !errors.As(err, &conflict) || !conflict.WouldDangle || conflict.CurrentID != hexID('b') {
		t.Fatalf("moving another image's only tag: %v", err)
	}
	if img := f.find("team/web:2"); img.id != hexID('b') {
		t.Errorf("the refused tag moved")
	}
	res, err = c.Tag(ctx, "team/app:1.0", "team/web:2", localcache.TagOptions{Overwrite: domain.OverwriteAny})
	if err != nil || res.Moved == nil || f.find("team/web:2").id != hexID('a') {
		t.Errorf("overwrite: %+v %v", res, err)
	}
	if _, err := c.Tag(ctx, "team/app:1.0", "Bad Name", localcache.TagOptions{}); !errors.Is(err, localcache.ErrInvalidReference) {
		t.Errorf("invalid target: %v", err)
	}
	if _, err := c.Tag(ctx, "missing:1", "team/x:1", localcache.TagOptions{}); !errors.Is(err, localcache.ErrNotFound) {
		t.Errorf("missing source: %v", err)
	}
	if _, err := c.Tag(ctx, "team/app:1.0", "team/app@sha256:"+strings.Repeat("d", 64), localcache.TagOptions{}); !errors.Is(err, localcache.ErrInvalidReference) {
		t.Errorf("a digest as a tag: %v", err)
	}
}

func TestUntagAndRemoveWithAFakeEngine(t *testing.T) {
	f := sampleEngine()
	c := openFake(f)
	ctx := unitCtx(t)
	res, err := c.Untag(ctx, "team/app:latest", localcache.RemoveOptions{})
	if err != nil || !slices.Equal(res.Untagged, []string{"team/app:latest"}) || len(res.Deleted) != 0 {
		t.Fatalf("untag one of two: %+v %v", res, err)
	}
	res, err = c.Untag(ctx, "team/app:1.0", localcache.RemoveOptions{})
	if err != nil || len(res.Deleted) == 0 || res.Deleted[0] != hexID('a') {
		t.Fatalf("untag the last tag: %+v %v", res, err)
	}
	// A stopped container uses team/web:2's image: refused, and named.
	_, err = c.Untag(ctx, "team/web:2", localcache.RemoveOptions{})
	if !errors.Is(err, localcache.ErrInUse) || !strings.Contains(err.Error(), "stopped container web-1") || !strings.Contains(err.Error(), "remove the container first") {
		t.Errorf("untag of an image in use: %v", err)
	}
	if f.find("team/web:2") == nil {
		t.Error("the refused untag removed the tag")
	}
	f.images[0].tags = []string{"x/y:1", "x/y:2"}
	if _, err := c.Remove(ctx, f.images[0].id, localcache.RemoveOptions{}); !errors.Is(err, localcache.ErrMultipleReferences) || !strings.Contains(err.Error(), "untag the references one by one") {
		t.Errorf("remove by ID with two tags: %v", err)
	}
	if _, err := c.Remove(ctx, f.images[0].id, localcache.RemoveOptions{Force: true}); err != nil {
		t.Errorf("forced remove: %v", err)
	}
}

func TestPruneWithAFakeEngine(t *testing.T) {
	f := sampleEngine()
	c := openFake(f)
	ctx := unitCtx(t)
	plan, err := c.PrunePreview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Remove) != 1 || plan.Remove[0].ID != hexID('c') || len(plan.Blocked) != 1 || plan.Blocked[0].BlockedBy[0] != "old-job" || plan.Total != 7_000_000 {
		t.Fatalf("preview: %+v", plan)
	}
	res, err := c.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The engine's report lists layers too: only the images count.
	if !slices.Equal(res.Removed, []string{hexID('c')}) || res.SpaceReclaimed != 7_000_000 {
		t.Errorf("prune: %+v", res)
	}
	for _, img := range f.images {
		if len(img.tags) > 0 && img.id == hexID('c') {
			t.Errorf("a tagged image went")
		}
	}
}

func pushMessages(digest string) []jsonstream.Message {
	return []jsonstream.Message{
		{Status: "The push refers to repository [registry.example:5000/team/app]"},
		{ID: "1a2b3c4d5e6f", Status: "Preparing"},
		{ID: "1a2b3c4d5e6f", Status: "Pushing", Progress: &jsonstream.Progress{Current: 5, Total: 10}},
		{ID: "1a2b3c4d5e6f", Status: "Pushed"},
		{ID: "7a8b9c0d1e2f", Status: "Mounted from team/base"},
		{Status: "1.0: digest: " + digest + " size: 528"},
	}
}

func TestPushWithAFakeEngine(t *testing.T) {
	f := sampleEngine()
	digest := "sha256:" + strings.Repeat("4", 64)
	f.push = pushMessages(digest)
	c := openFake(f, localcache.WithAuth(func(context.Context, string) (localcache.Auth, error) {
		return localcache.Auth{Username: "alice", Password: "s3cret"}, nil
	}))
	var r recorder
	res, err := c.Push(unitCtx(t), "registry.example:5000/team/app:1.0", r.add)
	if err != nil || res.Digest != digest || res.Reference != "registry.example:5000/team/app:1.0" {
		t.Fatalf("push: %+v %v", res, err)
	}
	phases := r.phases(true)
	if phases[localcache.PhasePushing] != 1 || phases[localcache.PhasePushed] != 1 || phases[localcache.PhaseMounted] != 1 {
		t.Errorf("phases %v", phases)
	}
	var auth map[string]string
	b, _ := base64.URLEncoding.DecodeString(f.lastAuth)
	if err := json.Unmarshal(b, &auth); err != nil || auth["username"] != "alice" || auth["serveraddress"] != "registry.example:5000" {
		t.Errorf("registry auth %s: %v", b, err)
	}
	var tally localcache.Tally
	for _, e := range r.events {
		tally.Add(e)
	}
	if lines := tally.Lines(); len(lines) != 2 || !strings.Contains(lines[1], "mounted") {
		t.Errorf("tally lines %v", lines)
	}

	// The engine says why in the stream: classified.
	f.push = []jsonstream.Message{{ID: "1a2b3c4d5e6f", Status: "Preparing"}, {Error: &jsonstream.Error{Message: "denied: requested access to the resource is denied"}}}
	if _, err := c.Push(unitCtx(t), "registry.example:5000/team/app:1.0", nil); !errors.Is(err, localcache.ErrDenied) || !strings.Contains(err.Error(), "docker login registry.example:5000") {
		t.Errorf("denied push: %v", err)
	}
	f.pushErr = errors.New("unauthorized: authentication required")
	if _, err := c.Push(unitCtx(t), "team/app:1.0", nil); !errors.Is(err, localcache.ErrUnauthorized) || !strings.Contains(err.Error(), "docker login docker.io") {
		t.Errorf("unauthorized push: %v", err)
	}
	if _, err := c.Push(unitCtx(t), "team//app:1", nil); !errors.Is(err, localcache.ErrInvalidReference) {
		t.Errorf("invalid reference: %v", err)
	}
	failing := openFake(f, localcache.WithAuth(func(context.Context, string) (localcache.Auth, error) {
		return localcache.Auth{}, errors.New("helper crashed")
	}))
	if _, err := failing.Push(unitCtx(t), "team/app:1.0", nil); err == nil || !strings.Contains(err.Error(), "credentials for docker.io: helper crashed") {
		t.Errorf("credential helper failure: %v", err)
	}
}

func TestPullWithAFakeEngine(t *testing.T) {
	f := sampleEngine()
	digest := "sha256:" + strings.Repeat("5", 64)
	f.pull = []jsonstream.Message{
		{Status: "Pulling from team/app", ID: "1.0"},
		{ID: "1a2b3c4d5e6f", Status: "Pulling fs layer"},
		{ID: "1a2b3c4d5e6f", Status: "Downloading", Progress: &jsonstream.Progress{Current: 3, Total: 9}},
		{ID: "1a2b3c4d5e6f", Status: "Pull complete"},
		{Status: "Digest: " + digest},
		{Status: "Status: Image is up to date for team/app:1.0"},
	}
	c := openFake(f)
	var r recorder
	res, err := c.Pull(unitCtx(t), "team/app:1.0", localcache.PullOptions{Platform: "linux/arm64/v8"}, r.add)
	if err != nil || res.Digest != digest || !res.UpToDate || res.Reference != "team/app:1.0" {
		t.Fatalf("pull: %+v %v", res, err)
	}
	if r.phases(true)[localcache.PhaseDownloading] != 1 {
		t.Errorf("phases %v", r.phases(true))
	}
	if _, err := c.Pull(unitCtx(t), "team/app:1.0", localcache.PullOptions{Platform: "arm64"}, nil); !errors.Is(err, localcache.ErrInvalidReference) || !strings.Contains(err.Error(), "os/arch") {
		t.Errorf("bad platform: %v", err)
	}
	f.pullErr = errors.New("manifest unknown: manifest unknown")
	if _, err := c.Pull(unitCtx(t), "team/app:9", localcache.PullOptions{}, nil); !errors.Is(err, localcache.ErrNotFound) {
		t.Errorf("pull of a missing tag: %v", err)
	}
	f.pullErr = nil
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Pull(ctx, "team/app:1.0", localcache.PullOptions{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled pull: %v", err)
	}
}

func TestTagAndPushGuardWithAFakeEngine(t *testing.T) {
	f := sampleEngine()
	pushed := "sha256:" + strings.Repeat("d", 64)
	f.push = pushMessages(pushed)
	c := openFake(f)
	other := "sha256:" + strings.Repeat("7", 64)
	guard := func(remote string, exists bool) localcache.RemoteGuard {
		return func(context.Context, string) (string, bool, error) { return remote, exists, nil }
	}
	// The remote tag holds another image: refused before anything changes.
	_, err := c.TagAndPush(unitCtx(t), "team/app:1.0", "team/app:stable", localcache.PushOptions{Guard: guard(other, true)}, nil)
	var conflict *localcache.RemoteConflict
	if !errors.Is(err, localcache.ErrTagExists) || !errors.As(err, &conflict) || conflict.RemoteDigest != other || !slices.Equal(conflict.LocalDigests, []string{pushed}) {
		t.Fatalf("guarded push: %v", err)
	}
	if f.find("team/app:stable") != nil || slices.ContainsFunc(f.calls, func(s string) bool { return strings.HasPrefix(s, "push") }) {
		t.Fatalf("the refused push tagged or pushed: %v", f.calls)
	}
	// The remote tag holds this very image: no conflict.
	var before []string
	res, err := c.TagAndPush(unitCtx(t), "team/app:1.0", "team/app:stable", localcache.PushOptions{
		Guard:      guard(pushed, true),
		BeforePush: func(_ context.Context, target string) error { before = append(before, target); return nil },
	}, nil)
	if err != nil || res.Digest != pushed || !slices.Equal(before, []string{"team/app:stable"}) || f.find("team/app:stable") == nil {
		t.Fatalf("push of the same image: %+v %v (before push: %v)", res, err, before)
	}
	// BeforePush can stop it.
	stop := errors.New("journal full")
	if _, err := c.TagAndPush(unitCtx(t), "team/app:1.0", "team/app:next", localcache.PushOptions{BeforePush: func(context.Context, string) error { return stop }}, nil); !errors.Is(err, stop) {
		t.Errorf("BeforePush's error: %v", err)
	}
	if _, err := c.TagAndPush(unitCtx(t), "team/app:1.0", "bad//name", localcache.PushOptions{}, nil); !errors.Is(err, localcache.ErrInvalidReference) {
		t.Errorf("invalid target: %v", err)
	}
}

func TestWatchWithAFakeEngine(t *testing.T) {
	f := sampleEngine()
	c := openFake(f)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := c.Watch(ctx)
	f.events <- events.Message{Type: events.ImageEventType, Action: "tag", Actor: events.Actor{ID: hexID('a'), Attributes: map[string]string{"name": "team/app:2"}}, TimeNano: 1}
	e := <-ch
	if e.Kind != localcache.EventImage || e.Action != "tag" || e.Name != "team/app:2" || e.ID != hexID('a') {
		t.Fatalf("event %+v", e)
	}
	// The stream breaks: disconnected, then (the engine answers) back.
	f.eventErr <- errors.New("connection reset")
	if e := <-ch; e.Kind != localcache.EventDisconnected || !errors.Is(e.Err, localcache.ErrEngineUnreachable) {
		t.Fatalf("after the stream broke: %+v", e)
	}
	if e := <-ch; e.Kind != localcache.EventReconnected {
		t.Fatalf("after the engine answered: %+v", e)
	}
	changes := c.ImageChanges(ctx)
	f.events <- events.Message{Type: events.ImageEventType, Action: "untag", Actor: events.Actor{ID: hexID('a')}}
	select {
	case got := <-changes:
		if got.Kind != string(localcache.EventImage) {
			t.Errorf("change %+v", got)
		}
	case e := <-ch:
		// Both subscriptions read the same fake stream; either may win.
		if e.Kind != localcache.EventImage {
			t.Errorf("event %+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported")
	}
	cancel()
	for range ch { //nolint:revive // drain until closed
	}
}

func TestPingAndCloseWithAFakeEngine(t *testing.T) {
	f := sampleEngine()
	c := openFake(f)
	info, err := c.Ping(unitCtx(t))
	if err != nil || info.Version != "28.0.0-fake" || info.APIVersion != "1.41" || info.OS != "linux" {
		t.Errorf("ping: %+v %v", info, err)
	}
	if c.Endpoint().Source != "test" {
		t.Errorf("endpoint %+v", c.Endpoint())
	}
	if err := c.Close(); err != nil || !f.closed {
		t.Errorf("close: %v", err)
	}
}

// An engine that is down: every call says so with the host, never hangs.
func TestEngineDownWithoutAnEngine(t *testing.T) {
	sock := "unix://" + t.TempDir() + "/nobody.sock"
	c, err := localcache.Open(localcache.Endpoint{Host: sock})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for name, call := range map[string]func() error{
		"list":    func() error { _, err := c.Images(unitCtx(t)); return err },
		"inspect": func() error { _, err := c.Inspect(unitCtx(t), "x"); return err },
		"tag":     func() error { _, err := c.Tag(unitCtx(t), "x", "y:1", localcache.TagOptions{}); return err },
		"untag":   func() error { _, err := c.Untag(unitCtx(t), "x", localcache.RemoveOptions{}); return err },
		"prune":   func() error { _, err := c.Prune(unitCtx(t)); return err },
		"push":    func() error { _, err := c.Push(unitCtx(t), "x:1", nil); return err },
		"pull":    func() error { _, err := c.Pull(unitCtx(t), "x:1", localcache.PullOptions{}, nil); return err },
		"history": func() error { _, err := c.History(unitCtx(t), "x"); return err },
	} {
		if err := call(); !errors.Is(err, localcache.ErrEngineUnreachable) || !strings.Contains(err.Error(), sock) {
			t.Errorf("%s with the engine down: %v", name, err)
		}
	}
}

// What the engine answers is turned into the kinds a user acts on.
func TestEngineErrorsAreClassified(t *testing.T) {
	f := sampleEngine()
	c := openFake(f)
	for _, tc := range []struct {
		err  error
		kind error
	}{
		{cerrdefs.ErrNotFound, localcache.ErrNotFound},
		{errors.New("pull access denied for x, repository does not exist or may require 'docker login': denied"), localcache.ErrDenied},
		{errors.New("authentication required"), localcache.ErrUnauthorized},
		{cerrdefs.ErrInvalidArgument, localcache.ErrInvalidReference},
	} {
		f.pullErr = tc.err
		_, err := c.Pull(unitCtx(t), "team/app:1.0", localcache.PullOptions{}, nil)
		if !errors.Is(err, tc.kind) {
			t.Errorf("%v: classified as %v, want %v", tc.err, err, tc.kind)
		}
	}
	f.pullErr = errors.New("something odd")
	_, err := c.Pull(unitCtx(t), "team/app:1.0", localcache.PullOptions{}, nil)
	var op *localcache.OpError
	if !errors.As(err, &op) || op.Detail != "something odd" || !strings.Contains(err.Error(), "something odd") {
		t.Errorf("an unknown failure keeps the engine's words: %v", err)
	}
}

// A push or pull whose registry stops answering mid-transfer does not hang
// wharf: after the stall timeout without progress it ends with ErrStalled —
// and an engine that keeps saying it retries (a registry answering 429 or
// 500 forever) makes none.
func TestStalledTransfersEnd(t *testing.T) {
	f := sampleEngine()
	f.push = []jsonstream.Message{{ID: "1a2b3c4d5e6f", Status: "Pushing", Progress: &jsonstream.Progress{Current: 1, Total: 9}}}
	f.pull = f.push
	f.hang = true
	c := openFake(f, localcache.WithStallTimeout(100*time.Millisecond))
	_, err := c.Push(unitCtx(t), "team/app:1.0", nil)
	if !errors.Is(err, localcache.ErrStalled) || !strings.Contains(err.Error(), "no progress for 100ms") {
		t.Errorf("stalled push: %v", err)
	}
	f.hang, f.retrying = false, true
	if _, err := c.Push(unitCtx(t), "team/app:1.0", nil); !errors.Is(err, localcache.ErrStalled) {
		t.Errorf("a push that retries forever: %v", err)
	}
	f.hang, f.retrying = true, false
	if _, err := c.Pull(unitCtx(t), "team/app:1.0", localcache.PullOptions{}, nil); !errors.Is(err, localcache.ErrStalled) {
		t.Errorf("stalled pull: %v", err)
	}
	// Cancelling is not stalling.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Push(ctx, "team/app:1.0", nil); errors.Is(err, localcache.ErrStalled) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled push: %v", err)
	}
}
