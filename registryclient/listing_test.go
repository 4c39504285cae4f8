package registryclient_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// pushManyTags puts n tags on one image in repo, reusing one pusher.
func pushManyTags(t *testing.T, reg *testenv.Registry, repo string, n int) {
	t.Helper()
	ctx := testCtx(t)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	pusher, err := remote.NewPusher(reg.RemoteOptions(ctx, "")...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := pusher.Push(ctx, testenv.Ref(t, reg.Repo(fmt.Sprintf("%s:t%05d", repo, i))), img); err != nil {
			t.Fatal(err)
		}
	}
}

// distribution v3 pages tag lists at 1000 with a Link header; registry:2 2.8
// answers with every tag at once. TagPages delivers both, page by page.
func TestTagPagesFollowLinks(t *testing.T) {
	for _, tc := range []struct {
		kind  testenv.Kind
		pages int
	}{{testenv.V3, 2}, {testenv.Anonymous, 1}} {
		t.Run(string(tc.kind), func(t *testing.T) {
			reg := testenv.NeedRegistry(t, tc.kind)
			pushManyTags(t, reg, "it/many", 1050)
			c := newClient(t, registryclient.WithTransport(reg.Transport()))
			var sizes []int
			seen := map[string]bool{}
			for page, err := range c.TagPages(testCtx(t), reg.Repo("it/many")) {
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(page))
				for _, tag := range page {
					seen[tag] = true
				}
			}
			if len(sizes) != tc.pages || len(seen) != 1050 {
				t.Errorf("pages %v (%d distinct tags), want %d pages and 1050 tags", sizes, len(seen), tc.pages)
			}
		})
	}
}

// A registry that refuses the catalog is answered from the configured
// repositories, and says so; without any, the error says how to add them.
func TestCatalogFallsBackToConfiguredRepositories(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Token)
	// The token server grants the catalog scope only to the admin.
	configured := config.Registry{
		Host: reg.Host, Name: "team", Repositories: []string{"fixtures/app", "fixtures/deep"},
		Source: config.SourceConfig,
	}
	c := newClient(t, registryclient.WithTransport(reg.Transport()), registryclient.WithKeychain(reg.Keychain(testenv.ReaderUser)),
		registryclient.WithRegistries([]config.Registry{configured}))
	var pages []registryclient.Page
	for page, err := range c.CatalogPages(testCtx(t), reg.Host) {
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page)
	}
	if len(pages) != 1 || !pages[0].Configured || !slices.Equal(pages[0].Items, configured.Repositories) || !strings.Contains(pages[0].Note, "refuses its catalog") {
		t.Errorf("fallback pages %+v", pages)
	}

	bare := newClient(t, registryclient.WithTransport(reg.Transport()), registryclient.WithKeychain(reg.Keychain(testenv.ReaderUser)))
	_, err := bare.Catalog(testCtx(t), reg.Host)
	if !errors.Is(err, registryclient.ErrDenied) || !strings.Contains(err.Error(), "repositories:") {
		t.Errorf("no configured repositories: %v", err)
	}

	// Without credentials the cause is the credentials: said first, the
	// catalog advice only as the other possibility.
	anonymous := newClient(t, registryclient.WithTransport(reg.Transport()))
	_, err = anonymous.Catalog(testCtx(t), reg.Host)
	if !errors.Is(err, registryclient.ErrUnauthorized) || !strings.Contains(err.Error(), "docker login "+reg.Host) ||
		strings.Contains(err.Error(), "does not list its repositories") ||
		strings.Index(err.Error(), "docker login") > strings.Index(err.Error(), "`repositories:`") {
		t.Errorf("anonymous catalog: %v", err)
	}

	admin := newClient(t, registryclient.WithTransport(reg.Transport()), registryclient.WithKeychain(reg.Keychain(testenv.AdminUser)))
	repos, err := admin.Catalog(testCtx(t), reg.Host)
	if err != nil || !slices.Contains(repos, "fixtures/multiarch") {
		t.Errorf("admin catalog: %v %v", repos, err)
	}
}

func TestSortTags(t *testing.T) {
	tags := []string{"latest", "1.10.0", "1.9.0", "1.0.0", "1.0.0-rc.1", "1.0", "v2.0.0", "sha-abc", "1", "1.0.0-alpha"}
	domain.SortTags(tags, domain.BySemver)
	want := []string{"1.0.0-alpha", "1.0.0-rc.1", "1", "1.0", "1.0.0", "1.9.0", "1.10.0", "v2.0.0", "latest", "sha-abc"}
	if !slices.Equal(tags, want) {
		t.Errorf("semver order %v\nwant          %v", tags, want)
	}
	domain.SortTags(tags, domain.ByName)
	if !slices.IsSorted(tags) {
		t.Errorf("name order %v", tags)
	}
}

func TestGroups(t *testing.T) {
	g := domain.Groups([]domain.TagDigest{
		{Tag: "latest", Digest: "sha256:a"},
		{Tag: "1.0", Digest: "sha256:a"},
		{Tag: "1.0.0", Digest: "sha256:a"},
		{Tag: "0.9", Digest: "sha256:b"},
		{Tag: "broken", Err: errors.New("x")},
	})
	if len(g) != 2 || g[0].Digest != "sha256:a" || !slices.Equal(g[0].Tags, []string{"1.0", "1.0.0", "latest"}) || !slices.Equal(g[1].Tags, []string{"0.9"}) {
		t.Errorf("groups %+v", g)
	}
}

// go-containerregistry's in-process registry cuts pages at n without a Link
// header; TagPages asks again from the last tag and gets them all.
func TestTagPagesWithoutLinkHeader(t *testing.T) {
	ctx := testCtx(t)
	host := testenv.InProcess(t)
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	pusher, err := remote.NewPusher(remote.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2100 {
		if err := pusher.Push(ctx, testenv.Ref(t, fmt.Sprintf("%s/it/nolink:t%05d", host, i)), img); err != nil {
			t.Fatal(err)
		}
	}
	var sizes []int
	seen := map[string]bool{}
	for page, err := range newClient(t).TagPages(ctx, host+"/it/nolink") {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page))
		for _, tag := range page {
			if seen[tag] {
				t.Fatalf("tag %s listed twice", tag)
			}
			seen[tag] = true
		}
	}
	if !slices.Equal(sizes, []int{1000, 1000, 100}) || len(seen) != 2100 {
		t.Errorf("pages %v, %d tags; want 1000, 1000, 100 and 2100", sizes, len(seen))
	}
}

func TestSortTagsByCreated(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	tags := []string{"c", "unknown-b", "a", "b", "unknown-a"}
	domain.SortTagsByCreated(tags, map[string]time.Time{"a": day(3), "b": day(1), "c": day(2)})
	if want := []string{"b", "c", "a", "unknown-a", "unknown-b"}; !slices.Equal(tags, want) {
		t.Errorf("by created %v, want %v", tags, want)
	}
}

func FuzzCosignSubject(f *testing.F) {
	f.Add("sha256-" + strings.Repeat("ab", 32) + ".sig")
	f.Add("latest")
	f.Add("sha256-.att")
	f.Fuzz(func(t *testing.T, tag string) {
		d, kind, ok := registryclient.CosignSubject(tag)
		if !ok {
			return
		}
		if len(d) != len("sha256:")+64 || kind == "" || !strings.HasPrefix(tag, "sha256-") {
			t.Fatalf("CosignSubject(%q) = %q, %q", tag, d, kind)
		}
	})
}
