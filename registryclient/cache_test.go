package registryclient_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func openCacheT(t *testing.T, dir string, size int64) *registryclient.DiskCache {
	t.Helper()
	c, err := registryclient.OpenCache(dir, size)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCacheBlobsAreVerified(t *testing.T) {
	dir := t.TempDir()
	c := openCacheT(t, dir, 1<<20)
	data := []byte(`{"schemaVersion":2}`)
	d := digestOf(data)
	if err := c.PutBlob(d, []byte("something else")); err == nil {
		t.Error("stored content under a digest it does not have")
	}
	if err := c.PutBlob(d, data); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.GetBlob(d); !ok || string(got) != string(data) {
		t.Fatalf("get: %q %v", got, ok)
	}
	// Corrupt it on disk: the next read drops it.
	path := filepath.Join(dir, "blobs", "sha256", d[len("sha256:"):])
	if err := os.WriteFile(path, []byte(`{"schemaVersion":3}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.GetBlob(d); ok {
		t.Error("a corrupt entry was served")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("a corrupt entry was kept")
	}
}

// Two caches on one directory (as two wharf processes) writing at once
// leave every entry whole.
func TestCacheSharedByConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	a, b := openCacheT(t, dir, 64<<20), openCacheT(t, dir, 64<<20)
	var wg sync.WaitGroup
	for w, c := range []*registryclient.DiskCache{a, b} {
		wg.Go(func() {
			for i := range 200 {
				data := []byte(fmt.Sprintf(`{"n":%d,"pad":"%0200d"}`, i, i))
				if err := c.PutBlob(digestOf(data), data); err != nil {
					t.Error(err)
				}
				tags := []string{fmt.Sprintf("w%d-%d", w, i)}
				if err := c.PutTags("reg/repo", tags); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for i := range 200 {
		data := []byte(fmt.Sprintf(`{"n":%d,"pad":"%0200d"}`, i, i))
		if got, ok := a.GetBlob(digestOf(data)); !ok || string(got) != string(data) {
			t.Fatalf("entry %d lost or torn", i)
		}
	}
	snap, ok := b.Repo("reg/repo")
	if !ok || len(snap.Tags) != 1 {
		t.Errorf("repository snapshot torn: %+v %v", snap, ok)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-*"))
	if len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

func TestCacheEvictsPastItsCap(t *testing.T) {
	c := openCacheT(t, t.TempDir(), 50_000)
	var first string
	for i := range 100 {
		data := []byte(fmt.Sprintf(`{"n":%d,"pad":"%01000d"}`, i, i))
		if i == 0 {
			first = digestOf(data)
		}
		if err := c.PutBlob(digestOf(data), data); err != nil {
			t.Fatal(err)
		}
	}
	if c.Size() > 50_000 {
		t.Errorf("cache holds %d bytes, cap 50000", c.Size())
	}
	if _, ok := c.GetBlob(first); ok {
		t.Error("the oldest entry survived eviction")
	}
}

// With a cache, describing a tag again costs one HEAD; what was read is
// known without the network, even when the registry is gone.
func TestClientCache(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	dir := t.TempDir()
	c := newClient(t, registryclient.WithCache(openCacheT(t, dir, registryclient.DefaultCacheSize)))
	ctx := testCtx(t)
	ref := proxy.Repo("fixtures/app:1.0.0")
	first, err := c.Describe(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	proxy.ResetCounts()
	again, err := c.Describe(ctx, ref)
	if err != nil || again.Digest != first.Digest || len(again.Layers) != 3 {
		t.Fatalf("second describe: %+v %v", again, err)
	}
	if counts := proxy.Counts(); counts["HEAD manifest"] != 1 || counts["GET manifest"]+counts["GET blob"] != 0 {
		t.Errorf("second describe made %v, want one HEAD", counts)
	}

	tags, err := c.Tags(ctx, proxy.Repo("fixtures/app"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Digests(ctx, proxy.Repo("fixtures/app"), tags, func(domain.TagDigest) {}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.Catalog(ctx, proxy.Host); err != nil {
		t.Fatal(err)
	}

	// Another client on the same cache, with the registry unreachable.
	proxy.Inject(func(*http.Request) bool { return true }, testenv.Fault{Reset: true})
	offline := newClient(t, registryclient.WithCache(openCacheT(t, dir, registryclient.DefaultCacheSize)))
	snap, ok := offline.Known(proxy.Repo("fixtures/app"))
	app, _ := fixtures.Image(fixtures.App)
	appDigest, _ := app.Digest()
	if !ok || !slices.Equal(slices.Sorted(slices.Values(snap.Tags)), slices.Sorted(slices.Values(tags))) || snap.Digests["stable"] != appDigest.String() || snap.TagsAt.IsZero() {
		t.Errorf("known offline: %+v %v", snap, ok)
	}
	if cat, ok := offline.KnownCatalog(proxy.Host); !ok || !slices.Contains(cat.Repositories, "fixtures/app") || time.Since(cat.At) > time.Minute {
		t.Errorf("the catalog is not known offline: %+v %v", cat, ok)
	}
	if _, ok := offline.KnownCatalog("elsewhere.example"); ok {
		t.Error("a registry never listed has a known catalog")
	}
	if d, ok := offline.CachedDescribe(ref); !ok || d.Digest != first.Digest || d.Labels["dev.wharf.fixture"] != "app" {
		t.Errorf("cached describe offline: %+v %v", d, ok)
	}
	if _, err := offline.Describe(ctx, ref); !errors.Is(err, registryclient.ErrUnreachable) {
		t.Errorf("describe with the registry gone: %v, want ErrUnreachable", err)
	}
}

// A tag list that did not change is marked as fetched now but not written
// again (100,000 tags are a megabyte); one that changed is written; what
// wharf deleted is forgotten and the rest keeps its fetch time.
func TestCacheTagListIsWrittenOnlyWhenItChanged(t *testing.T) {
	dir := t.TempDir()
	c := openCacheT(t, dir, 1<<30)
	files := func() os.FileInfo {
		t.Helper()
		m, _ := filepath.Glob(filepath.Join(dir, "repos", "*.tags"))
		if len(m) != 1 {
			t.Fatalf("tag list files: %v", m)
		}
		fi, err := os.Stat(m[0])
		if err != nil {
			t.Fatal(err)
		}
		return fi
	}
	tags := []string{"1.0", "1.1", "latest"}
	if err := c.PutTags("r.example/app", tags); err != nil {
		t.Fatal(err)
	}
	first, snap1 := files(), must(c.Repo("r.example/app"))
	old := time.Now().Add(-time.Hour)
	m, _ := filepath.Glob(filepath.Join(dir, "repos", "*.tags"))
	_ = os.Chtimes(m[0], old, old)

	if err := c.PutTags("r.example/app", slices.Clone(tags)); err != nil {
		t.Fatal(err)
	}
	same, snap2 := files(), must(c.Repo("r.example/app"))
	if !os.SameFile(first, same) {
		t.Error("an unchanged tag list was written again")
	}
	if !slices.Equal(snap2.Tags, tags) || time.Since(snap2.TagsAt) > time.Minute || !snap2.TagsAt.After(old) {
		t.Errorf("an unchanged list is not marked as fetched now: %v at %v (first %v)", snap2.Tags, snap2.TagsAt, snap1.TagsAt)
	}

	if err := c.PutTags("r.example/app", []string{"1.0", "1.1", "1.2", "latest"}); err != nil {
		t.Fatal(err)
	}
	if changed := files(); os.SameFile(same, changed) || !slices.Equal(must(c.Repo("r.example/app")).Tags, []string{"1.0", "1.1", "1.2", "latest"}) {
		t.Error("a changed tag list was not written")
	}
	_ = c.PutDigests("r.example/app", map[string]string{"1.1": "sha256:" + strings.Repeat("1", 64), "latest": "sha256:" + strings.Repeat("1", 64)})
	at := must(c.Repo("r.example/app")).TagsAt
	if err := c.ForgetTags("r.example/app", []string{"1.1"}); err != nil {
		t.Fatal(err)
	}
	s := must(c.Repo("r.example/app"))
	if !slices.Equal(s.Tags, []string{"1.0", "1.2", "latest"}) || s.Digests["1.1"] != "" || s.Digests["latest"] == "" || !s.TagsAt.Equal(at) {
		t.Errorf("after forgetting 1.1: %v %v at %v (was %v)", s.Tags, s.Digests, s.TagsAt, at)
	}
	if _, ok := c.Repo("r.example/other"); ok {
		t.Error("a repository never seen has a snapshot")
	}
}

func must(s registryclient.RepoSnapshot, ok bool) registryclient.RepoSnapshot {
	if !ok {
		panic("no snapshot")
	}
	return s
}

// Opening a registry as the app does — probe, catalog, tag list, digests,
// describe — pings it once, not once per transport: the answer to /v2/ is
// reused for a minute. The token registry's ping (401, the realm) is
// reused as well, and the logged-in check still goes out.
func TestOneClientPingsARegistryOnce(t *testing.T) {
	for _, kind := range []testenv.Kind{testenv.Anonymous, testenv.Basic} {
		t.Run(string(kind), func(t *testing.T) {
			reg := testenv.NeedRegistry(t, kind)
			proxy := testenv.StartProxy(t, reg)
			c := newClient(t, registryclient.WithKeychain(testenv.KeychainFor(proxy.Host, reg.Auth("admin"))))
			ctx := testCtx(t)
			if _, err := c.Probe(ctx, proxy.Host); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Catalog(ctx, proxy.Host); err != nil {
				t.Fatal(err)
			}
			tags, err := c.Tags(ctx, proxy.Repo("fixtures/app"))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Digests(ctx, proxy.Repo("fixtures/app"), tags, func(domain.TagDigest) {}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Describe(ctx, proxy.Repo("fixtures/app:1.0.0")); err != nil {
				t.Fatal(err)
			}
			pings := 0
			for _, r := range proxy.Requests() {
				if r == "GET /v2/" {
					pings++
				}
			}
			want := 1
			if reg.NeedsAuth() {
				want = 2 // and the logged-in check, with the credentials
			}
			if pings != want {
				t.Errorf("%d requests to /v2/, want %d: %v", pings, want, proxy.Requests())
			}
		})
	}
}
