package registryclient_test

import (
	"errors"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// readTargets are the registries the reading tests run against: registry:2
// with token auth (the Hub-like flow), distribution v3 and the in-process one.
func readTargets() map[string]func(t *testing.T) (*registryclient.Client, string) {
	return map[string]func(t *testing.T) (*registryclient.Client, string){
		"token": func(t *testing.T) (*registryclient.Client, string) {
			reg := testenv.NeedRegistry(t, testenv.Token)
			return newClient(t, registryclient.WithTransport(reg.Transport()), registryclient.WithKeychain(reg.Keychain(testenv.AdminUser))), reg.Host
		},
		"v3": func(t *testing.T) (*registryclient.Client, string) {
			reg := testenv.NeedRegistry(t, testenv.V3)
			return newClient(t, registryclient.WithTransport(reg.Transport())), reg.Host
		},
		"inprocess": func(t *testing.T) (*registryclient.Client, string) {
			host := testenv.InProcess(t)
			if err := fixtures.Push(testCtx(t), host, fixtures.Standard()); err != nil {
				t.Fatal(err)
			}
			return newClient(t), host
		},
	}
}

func TestReadCatalogTagsDigests(t *testing.T) {
	app, _ := fixtures.Image(fixtures.App)
	appDigest, _ := app.Digest()
	old, _ := fixtures.Image(fixtures.AppOld)
	oldDigest, _ := old.Digest()
	for name, target := range readTargets() {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			c, host := target(t)
			repos, err := c.Catalog(ctx, host)
			if err != nil {
				t.Fatalf("catalog: %v", err)
			}
			for _, want := range []string{"fixtures/app", "fixtures/deep", "fixtures/multiarch"} {
				if !slices.Contains(repos, want) {
					t.Errorf("catalog %v lacks %s", repos, want)
				}
			}
			tags, err := c.Tags(ctx, host+"/fixtures/app")
			if err != nil {
				t.Fatalf("tags: %v", err)
			}
			var mu sync.Mutex
			got := map[string]string{}
			err = c.Digests(ctx, host+"/fixtures/app", append(tags, "no-such-tag"), func(td domain.TagDigest) {
				mu.Lock()
				defer mu.Unlock()
				if td.Err != nil {
					got[td.Tag] = "error"
					if !errors.Is(td.Err, registryclient.ErrNotFound) {
						t.Errorf("%s: %v, want ErrNotFound", td.Tag, td.Err)
					}
					return
				}
				got[td.Tag] = td.Digest
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, tag := range fixtures.SharedTags {
				if got[tag] != appDigest.String() {
					t.Errorf("%s resolved to %q, want %s", tag, got[tag], appDigest)
				}
			}
			if got["0.9.0"] != oldDigest.String() || got["no-such-tag"] != "error" {
				t.Errorf("digests %v", got)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	for name, target := range readTargets() {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			c, host := target(t)
			d, err := c.Describe(ctx, host+"/fixtures/app:1.0.0")
			if err != nil {
				t.Fatalf("describe: %v", err)
			}
			if d.IsIndex() || len(d.Layers) != 3 || d.Labels["dev.wharf.fixture"] != "app" || d.OS != "linux" ||
				len(d.History) != 4 || !d.History[0].EmptyLayer || d.Entrypoint[0] != "/app" || !d.Created.Equal(fixtures.Epoch) {
				t.Errorf("app details %+v", d)
			}
			idx, err := c.Describe(ctx, host+"/fixtures/multiarch:latest")
			if err != nil {
				t.Fatalf("describe index: %v", err)
			}
			var platforms []string
			for _, p := range idx.Platforms {
				platforms = append(platforms, p.String())
			}
			sort.Strings(platforms)
			if !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64/v8"}) {
				t.Errorf("platforms %v", platforms)
			}
			if _, err := c.Describe(ctx, host+"/fixtures/app:nope"); !errors.Is(err, registryclient.ErrNotFound) {
				t.Errorf("describe missing tag: %v, want ErrNotFound", err)
			}
			if _, err := c.Describe(ctx, "UPPER/Case::bad"); !errors.Is(err, registryclient.ErrInvalidReference) {
				t.Errorf("describe invalid reference: %v, want ErrInvalidReference", err)
			}
		})
	}
}

func TestCreatedTimesOfImagesAndIndexes(t *testing.T) {
	c, host := readTargets()["inprocess"](t)
	app, _ := fixtures.Digest(fixtures.App)
	old, _ := fixtures.Digest(fixtures.AppOld)
	var mu sync.Mutex
	got := map[string]string{}
	err := c.Created(testCtx(t), host+"/fixtures/app", []string{app, old}, func(d string, created time.Time, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			t.Errorf("%s: %v", d, err)
		}
		got[d] = created.UTC().Format(time.DateOnly)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got[app] != "2026-01-02" || got[old] != "2025-12-03" {
		t.Errorf("created %v, want app 2026-01-02 and the old one 30 days before", got)
	}
}

func TestResolveIsOneHead(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	c := newClient(t, registryclient.WithTransport(reg.Transport()))
	app, _ := fixtures.Digest(fixtures.App)
	proxy.ResetCounts()
	d, err := c.Resolve(testCtx(t), proxy.Repo("fixtures/app:stable"))
	if err != nil || d != app {
		t.Fatalf("resolve: %q, %v; want %s", d, err, app)
	}
	if counts := proxy.Counts(); counts["GET manifest"] != 0 || counts["GET blob"] != 0 || counts["HEAD manifest"] != 1 {
		t.Errorf("resolve read more than it needed: %v", counts)
	}
	if _, err := c.Resolve(testCtx(t), proxy.Repo("fixtures/app:nope")); !errors.Is(err, registryclient.ErrNotFound) {
		t.Errorf("resolve of a missing tag: %v, want ErrNotFound", err)
	}
}
