package registryclient_test

// The behaviour suite every provider runs on its contract server
// (internal/contracts), and distribution on the real registries.

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/contracts"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// providerTarget is a writeTarget on a contract server: its registry is
// configured as the provider's kind, with its API at the server.
func providerTarget(k *contracts.Server, kind, api string, creds authn.Authenticator, path domain.DeletePath, opts ...registryclient.Option) writeTarget {
	reg := config.Registry{Name: kind, Host: k.Host(), Provider: kind, API: api, Source: config.SourceConfig}
	w := writeTarget{host: k.Host(), sharedPath: path, onlyPath: path}
	w.opts = append([]registryclient.Option{registryclient.WithRegistries([]config.Registry{reg})}, opts...)
	if creds != nil {
		w.opts = append(w.opts, registryclient.WithKeychain(testenv.KeychainFor(k.Host(), creds)))
	}
	return w
}

// providerSuite is what every provider must do as distribution does: list
// the repository, its tags (with the metadata the provider's API gives:
// digest, size, push date), group the tags that are one image, delete one of
// three sibling tags while the other two keep their digest, and undo that.
// With metadata, grouping the tags sends no HEAD.
func providerSuite(t *testing.T, w writeTarget, k *contracts.Server, metadata bool) {
	t.Helper()
	ctx := testCtx(t)
	full := w.seed(t)
	repo := strings.TrimPrefix(full, w.host+"/")
	app, old := testenv.FixtureDigest(t, fixtures.App), testenv.FixtureDigest(t, fixtures.AppOld)
	c := w.client(t)

	t.Run("list", func(t *testing.T) {
		repos, err := c.Catalog(ctx, w.host)
		if err != nil || !slices.Contains(repos, repo) {
			t.Fatalf("catalog %v (%v), want it to hold %s", repos, err, repo)
		}
	})
	t.Run("tags with metadata", func(t *testing.T) {
		infos, err := c.TagInfos(ctx, full)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, ti := range infos {
			names = append(names, ti.Tag)
			if !metadata {
				continue
			}
			want := map[string]string{"a": app, "b": app, "c": app, "solo": old}[ti.Tag]
			if ti.Digest != want || ti.Size <= 0 || ti.Pushed.IsZero() {
				t.Errorf("%s: digest %s size %d pushed %v, want digest %s, a size and a push date", ti.Tag, ti.Digest, ti.Size, ti.Pushed, want)
			}
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"a", "b", "c", "solo"}) {
			t.Errorf("tags %v", names)
		}
	})
	t.Run("digest groups", func(t *testing.T) {
		if k != nil {
			k.Reset()
		}
		tds, err := c.TagDigests(ctx, full)
		if err != nil {
			t.Fatal(err)
		}
		groups := domain.Groups(tds)
		if len(groups) != 2 || groups[0].Digest != app || !slices.Equal(groups[0].Tags, []string{"a", "b", "c"}) || !slices.Equal(groups[1].Tags, []string{"solo"}) {
			t.Errorf("groups %+v", groups)
		}
		if k != nil && metadata {
			if n := k.Count("HEAD manifest") + k.Count("GET manifest"); n != 0 {
				t.Errorf("grouping sent %d manifest requests; the listing said every digest (%v)", n, k.Counts())
			}
		}
	})
	t.Run("delete one of three siblings, then undo", func(t *testing.T) {
		res, err := c.DeleteTag(ctx, full+":b")
		if err != nil {
			t.Fatalf("delete: %v", err)
		}
		if res.Path != w.sharedPath || !slices.Equal(res.Siblings, []string{"a", "c"}) || res.Digest != app || len(res.Restored) != 0 {
			t.Errorf("result %+v, want path %s, siblings [a c]", res, w.sharedPath)
		}
		if got := w.digestOf(t, full+":b"); got != "" {
			t.Errorf("b still resolves to %s", got)
		}
		for tag, want := range map[string]string{"a": app, "c": app, "solo": old} {
			if got := w.digestOf(t, full+":"+tag); got != want {
				t.Errorf("%s resolves to %q after the delete, want %s", tag, got, want)
			}
		}
		entry := mustEntry(t, c, res.JournalID)
		if _, err := c.Undo(ctx, entry, false); err != nil {
			t.Fatalf("undo: %v", err)
		}
		if got := w.digestOf(t, full+":b"); got != app {
			t.Errorf("after undo b resolves to %q, want %s", got, app)
		}
		tags, err := c.Tags(ctx, full)
		slices.Sort(tags)
		if err != nil || !slices.Equal(tags, []string{"a", "b", "c", "solo"}) {
			t.Errorf("after undo the listing says %v (%v)", tags, err)
		}
	})
	// Two deletes a moment apart (a bulk delete): the second sees the
	// first's result, never an answer from before it — which would take b
	// for a sibling gone missing and put it back.
	t.Run("delete two siblings one after the other", func(t *testing.T) {
		first, err := c.DeleteTag(ctx, full+":b")
		if err != nil {
			t.Fatalf("delete b: %v", err)
		}
		second, err := c.DeleteTag(ctx, full+":c")
		if err != nil {
			t.Fatalf("delete c: %v", err)
		}
		if !slices.Equal(second.Siblings, []string{"a"}) || len(second.Restored) != 0 {
			t.Errorf("the second delete: siblings %v, restored %v; want [a] and nothing restored", second.Siblings, second.Restored)
		}
		for tag, want := range map[string]string{"a": app, "b": "", "c": "", "solo": old} {
			if got := w.digestOf(t, full+":"+tag); got != want {
				t.Errorf("%s resolves to %q after both deletes, want %q", tag, got, want)
			}
		}
		for _, id := range []int{second.JournalID, first.JournalID} {
			if _, err := c.Undo(ctx, mustEntry(t, c, id), false); err != nil {
				t.Fatalf("undo %d: %v", id, err)
			}
		}
		for _, tag := range []string{"b", "c"} {
			if got := w.digestOf(t, full+":"+tag); got != app {
				t.Errorf("after the undos %s resolves to %q, want %s", tag, got, app)
			}
		}
	})
}

// The suite every provider runs, against distribution itself: registry:2
// and distribution v3 (real, from the test environment).
func TestDistributionBehaviourSuite(t *testing.T) {
	for _, name := range []string{"registry2", "v3"} {
		t.Run(name, func(t *testing.T) {
			w := writeTargets()[name](t)
			providerSuite(t, w, nil, false)
		})
	}
}
