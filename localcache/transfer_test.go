package localcache_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
)

// recorder collects progress events.
type recorder struct {
	mu     sync.Mutex
	events []localcache.Progress
}

func (r *recorder) add(p localcache.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, p)
}

func (r *recorder) phases(layersOnly bool) map[localcache.Phase]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[localcache.Phase]int{}
	for _, e := range r.events {
		if layersOnly && e.Layer == "" {
			continue
		}
		out[e.Phase]++
	}
	return out
}

func guardFor(reg *testenv.Registry) localcache.RemoteGuard {
	return func(ctx context.Context, ref string) (string, bool, error) {
		desc, err := remote.Head(testenv.RefNoT(ref), reg.RemoteOptions(ctx, "")...)
		if err != nil {
			if strings.Contains(err.Error(), "404") || strings.Contains(err.Error(), "MANIFEST_UNKNOWN") {
				return "", false, nil
			}
			return "", false, err
		}
		return desc.Digest.String(), true, nil
	}
}

func TestTagAndPushThenPushAgainFindsLayers(t *testing.T) {
	ctx := testenv.Context(t, 2*time.Minute)
	eng := testenv.NeedEngine(t)
	testenv.NeedEngineFixtures(t, eng)
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	c := openCache(t, eng)

	first := &recorder{}
	res, err := c.TagAndPush(ctx, "wharf-fixtures/app:1.0.0", reg.Repo("lc/app:1"), localcache.PushOptions{Guard: guardFor(reg)}, first.add)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(testenv.Ref(t, reg.Repo("lc/app:1")), reg.RemoteOptions(ctx, "")...)
	if err != nil || res.Digest != desc.Digest.String() {
		t.Fatalf("pushed digest %q, registry says %v (%v)", res.Digest, desc, err)
	}
	if p := first.phases(true); p[localcache.PhasePushed] != 3 {
		t.Errorf("first push: %v, want 3 layers pushed", p)
	}

	second := &recorder{}
	if _, err := c.TagAndPush(ctx, "wharf-fixtures/app:1.0.0", reg.Repo("lc/app:2"), localcache.PushOptions{}, second.add); err != nil {
		t.Fatal(err)
	}
	if p := second.phases(true); p[localcache.PhaseExists] != 3 || p[localcache.PhasePushed] != 0 {
		t.Errorf("second push of the same layers: %v, want 3 already exists", p)
	}

	// The remote tag lc/app:1 names app; pushing deep there is refused
	// before anything changes, unless overwrite is chosen.
	_, err = c.TagAndPush(ctx, "wharf-fixtures/deep:latest", reg.Repo("lc/app:1"), localcache.PushOptions{Guard: guardFor(reg)}, nil)
	var conflict *localcache.RemoteConflict
	if !errors.Is(err, localcache.ErrTagExists) || !errors.As(err, &conflict) || conflict.RemoteDigest != res.Digest {
		t.Fatalf("push onto a remote tag of another image: %v", err)
	}
	if d, _ := c.Inspect(ctx, reg.Repo("lc/app:1")); d.Labels["dev.wharf.fixture"] != "app" {
		t.Errorf("the refused push moved the local tag")
	}
	if _, err := c.TagAndPush(ctx, "wharf-fixtures/deep:latest", reg.Repo("lc/app:1"), localcache.PushOptions{Guard: guardFor(reg), Overwrite: domain.OverwriteAny}, nil); err != nil {
		t.Errorf("push with overwrite: %v", err)
	}
}

func TestPullByDigestAndPlatform(t *testing.T) {
	ctx := testenv.Context(t, 2*time.Minute)
	eng := testenv.NeedEngine(t)
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	c := openCache(t, eng)

	// An image the engine has never seen, so every layer is downloaded.
	fresh := fixtures.Spec{Seed: 601, LayerSizes: []int64{600, 700, 800}}
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "lc/pullme", Tags: []string{"1"}, Image: &fresh}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	img, _ := fixtures.Image(fresh)
	digest, _ := img.Digest()
	cfg, _ := img.ConfigName()
	rec := &recorder{}
	res, err := c.Pull(ctx, reg.Repo("lc/pullme@"+digest.String()), localcache.PullOptions{}, rec.add)
	if err != nil {
		t.Fatal(err)
	}
	if res.Digest != digest.String() {
		t.Errorf("pull by digest reported %q, want %s", res.Digest, digest)
	}
	if p := rec.phases(true); p[localcache.PhasePullComplete] != 3 {
		t.Errorf("pull progress %v, want 3 layers complete", p)
	}
	d, err := c.Inspect(ctx, reg.Repo("lc/pullme@"+digest.String()))
	if err != nil || d.ID != cfg.String() {
		t.Errorf("pulled image %s (%v), want %s", d.ID, err, cfg)
	}

	if _, err := c.Pull(ctx, reg.Repo("fixtures/multiarch:latest"), localcache.PullOptions{Platform: "linux/arm64/v8"}, nil); err != nil {
		t.Fatal(err)
	}
	if d, err := c.Inspect(ctx, reg.Repo("fixtures/multiarch:latest")); err != nil || d.Arch != "arm64" {
		t.Errorf("pulled platform %s (%v), want arm64", d.Arch, err)
	}

	if _, err := c.Pull(ctx, reg.Repo("fixtures/app:no-such-tag"), localcache.PullOptions{}, nil); !errors.Is(err, localcache.ErrNotFound) {
		t.Errorf("pull of a missing tag: %v, want ErrNotFound", err)
	}
	if _, err := c.Pull(ctx, reg.Repo("fixtures/app:1.0"), localcache.PullOptions{Platform: "arm64"}, nil); !errors.Is(err, localcache.ErrInvalidReference) {
		t.Errorf("bad platform: %v, want ErrInvalidReference", err)
	}
}

// The engine pushes with X-Registry-Auth built from our credentials; a
// read-only user of the token registry is denied, in words.
func TestPushAsReadOnlyUserIsDenied(t *testing.T) {
	ctx := testenv.Context(t, 2*time.Minute)
	eng := testenv.NeedEngine(t)
	testenv.NeedEngineFixtures(t, eng)
	reg := testenv.NeedRegistry(t, testenv.Token)
	as := func(user string) localcache.AuthFunc {
		return func(_ context.Context, host string) (localcache.Auth, error) {
			if host != reg.Host {
				t.Errorf("credentials asked for %s, want %s", host, reg.Host)
			}
			return localcache.Auth{Username: user, Password: testenv.Password(user)}, nil
		}
	}
	reader := openCache(t, eng, localcache.WithAuth(as(testenv.ReaderUser)))
	target := reg.Repo("lc/readonly:1")
	// The token server refuses the push scope with 403; the engine retries
	// each layer for about 50 s before it gives up, and says so meanwhile.
	rec := &recorder{}
	_, err := reader.TagAndPush(ctx, "wharf-fixtures/app:1.0.0", target, localcache.PushOptions{}, rec.add)
	if rec.phases(true)[localcache.PhaseRetrying] == 0 {
		t.Errorf("no retrying progress while the engine retried: %v", rec.phases(false))
	}
	if !errors.Is(err, localcache.ErrDenied) {
		t.Fatalf("push as reader: %v, want ErrDenied", err)
	}
	if !strings.Contains(err.Error(), "docker login "+reg.Host) || strings.Contains(err.Error(), testenv.ReaderPassword) {
		t.Errorf("denied message %q", err)
	}
	t.Logf("read-only push through the engine refused with: %v", err)

	if _, err := reader.Pull(ctx, reg.Repo("fixtures/deep:latest"), localcache.PullOptions{}, nil); err != nil {
		t.Errorf("reader cannot pull: %v", err)
	}
	admin := openCache(t, eng, localcache.WithAuth(as(testenv.AdminUser)))
	if _, err := admin.Push(ctx, target, nil); err != nil {
		t.Errorf("admin push: %v", err)
	}
}
