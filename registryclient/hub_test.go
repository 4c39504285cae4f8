package registryclient_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/contracts"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// hubFake answers like Docker Hub's documented API: POST /v2/users/login and
// GET /v2/namespaces/{ns}/repositories, paged with "next".
func hubFake(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v2/users/login":
			var creds map[string]string
			_ = json.NewDecoder(r.Body).Decode(&creds)
			if creds["username"] != "hubuser" || creds["password"] != "hub-secret" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"token": "jwt-for-hubuser"})
		case r.URL.Path == "/v2/namespaces/hubuser/repositories":
			if r.Header.Get("Authorization") != "Bearer jwt-for-hubuser" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"count": 1, "next": nil, "results": []map[string]any{{"name": "tool", "namespace": "hubuser"}}})
		case r.URL.Path == "/v2/namespaces/myorg/repositories":
			if r.Header.Get("Authorization") != "Bearer jwt-for-hubuser" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			page := r.URL.Query().Get("page")
			res := map[string]any{"count": 3, "next": nil, "previous": nil}
			if page == "" {
				res["next"] = srv.URL + "/v2/namespaces/myorg/repositories?page=2&page_size=100"
				res["results"] = []map[string]any{{"name": "api", "namespace": "myorg", "repository_type": "image"}, {"name": "web", "namespace": "myorg", "repository_type": "image"}}
			} else {
				res["results"] = []map[string]any{{"name": "worker", "namespace": "myorg", "repository_type": "image"}}
			}
			_ = json.NewEncoder(w).Encode(res)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func hubRegistry(namespaces, repos []string) config.Registry {
	return config.Registry{
		Name: "docker.io", Host: "docker.io", Namespaces: namespaces, Repositories: repos,
		Source: config.SourceConfig,
	}
}

// Contract test: Docker Hub cannot be reached from here, so a local server
// answers with the documented response shapes; the code path is the real one.
func TestHubNamespaceListingContract(t *testing.T) {
	hub := hubFake(t)
	c := newClient(t, registryclient.WithHubAPI(hub.URL),
		registryclient.WithRegistries([]config.Registry{hubRegistry([]string{"myorg"}, []string{"library/nginx"})}),
		registryclient.WithKeychain(testenv.KeychainFor("index.docker.io", &authn.Basic{Username: "hubuser", Password: "hub-secret"})))
	var pages [][]string
	for page, err := range c.CatalogPages(testCtx(t), "docker.io") {
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page.Items)
	}
	want := [][]string{{"library/nginx"}, {"myorg/api", "myorg/web"}, {"myorg/worker"}}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("pages %v, want %v", pages, want)
	}

	wrong := newClient(t, registryclient.WithHubAPI(hub.URL),
		registryclient.WithRegistries([]config.Registry{hubRegistry([]string{"myorg"}, nil)}),
		registryclient.WithKeychain(testenv.KeychainFor("index.docker.io", &authn.Basic{Username: "hubuser", Password: "wrong"})))
	if _, err := wrong.Catalog(testCtx(t), "docker.io"); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Errorf("wrong Hub password: %v", err)
	}

	bare := newClient(t, registryclient.WithHubAPI(hub.URL))
	_, err := bare.Catalog(testCtx(t), "docker.io")
	if err == nil || !strings.Contains(err.Error(), "namespaces:") {
		t.Errorf("Hub with nothing configured: %v", err)
	}
	if repos, err := newClient(t, registryclient.WithRegistries([]config.Registry{hubRegistry(nil, []string{"a/b", "c/d"})})).Catalog(testCtx(t), "docker.io"); err != nil || !slices.Equal(repos, []string{"a/b", "c/d"}) {
		t.Errorf("configured Hub repositories: %v %v", repos, err)
	}
}

func hubTarget(h *contracts.Hub) writeTarget {
	w := providerTarget(h.Server, "hub", h.Srv.URL, &authn.Basic{Username: contracts.HubUser, Password: contracts.HubPassword}, domain.DeletedByAPI)
	w.seedRepo = "hubuser/"
	return w
}

// The behaviour suite on Docker Hub's contract server: tags and their
// digests, sizes and push dates come from Hub's API, grouping sends no
// HEAD, and one tag is deleted through Hub's tag DELETE (the registry API's
// DELETE is refused there).
func TestHubBehavesLikeDistribution(t *testing.T) {
	h := contracts.NewHub(t)
	providerSuite(t, hubTarget(h), h.Server, true)
	if n := h.Count("api delete tag"); n != 3 {
		t.Errorf("Hub's tag DELETE was asked %d times, want one per delete of the suite, 3", n)
	}
	// The suite's counts start after its first listing (which logged in):
	// the grouping, the delete and the undo use that login.
	if n := h.Count("api login"); n != 0 {
		t.Errorf("logged in to Hub's API %d more times after the first listing, want none", n)
	}
}

// Listing 1,000 tags of a Hub repository is 10 requests to Hub's API and
// no HEAD: `same` needs nothing more.
func TestHubThousandTagsTakeTenRequestsAndNoHEADs(t *testing.T) {
	h := contracts.NewHub(t)
	w := hubTarget(h)
	full := w.seed(t)
	repo := strings.TrimPrefix(full, w.host+"/")
	app := h.Digest(repo, "a")
	for i := range 996 {
		if !h.PutTag(repo, fmt.Sprintf("build-%d", i), app) {
			t.Fatal("seeding the tags")
		}
	}
	c := w.client(t)
	_, _ = c.Catalog(testCtx(t), w.host) // logs in, like the app would before
	h.Reset()
	tds, err := c.TagDigests(testCtx(t), full)
	if err != nil {
		t.Fatal(err)
	}
	groups := domain.Groups(tds)
	if len(tds) != 1000 || len(groups) != 2 || len(groups[0].Tags) != 999 {
		t.Errorf("%d tags in %d groups, want 1000 in 2", len(tds), len(groups))
	}
	counts := h.Counts()
	if counts["api tags"] != 10 || counts["HEAD manifest"] != 0 || counts["GET manifest"] != 0 {
		t.Errorf("requests %v, want 10 tag pages of Hub's API and no HEAD or GET of a manifest", counts)
	}
}

// A Hub that answers 429 for longer than wharf waits: the listing fails
// with a message that says so, and a delete changes nothing.
func TestHubRateLimitedSaysSoAndChangesNothing(t *testing.T) {
	h := contracts.NewHub(t)
	w := hubTarget(h)
	full := w.seed(t)
	c := w.client(t)
	h.Limit(100)
	_, err := c.Tags(testCtx(t), full)
	if !errors.Is(err, registryclient.ErrRateLimited) || !strings.Contains(err.Error(), "Too Many Requests") {
		t.Errorf("listing under a 429: %v", err)
	}
	if _, err := c.DeleteTag(testCtx(t), full+":b"); err == nil {
		t.Error("a delete whose sibling check was refused went ahead")
	}
	repo := strings.TrimPrefix(full, w.host+"/")
	if got := h.Tags(repo); !slices.Equal(got, []string{"a", "b", "c", "solo"}) {
		t.Errorf("tags after the refused delete: %v", got)
	}
}

// A Hub delete without a login is refused before anything is sent.
func TestHubDeleteNeedsALogin(t *testing.T) {
	h := contracts.NewHub(t)
	w := providerTarget(h.Server, "hub", h.Srv.URL, nil, domain.DeletedByAPI)
	w.seedRepo = "hubuser/"
	full := w.seed(t)
	_, err := w.client(t).DeleteTag(testCtx(t), full+":b")
	if err == nil {
		t.Fatal("deleted without a login")
	}
	if h.Count("api delete tag") != 0 || len(h.Tags(strings.TrimPrefix(full, w.host+"/"))) != 4 {
		t.Errorf("something was deleted: %v", h.Counts())
	}
}

// On Docker Hub, whose manifest GETs count as pulls, the Tags view's size,
// age and platforms come from the listing: no manifest is read.
func TestHubFactsComeFromTheListing(t *testing.T) {
	h := contracts.NewHub(t)
	w := hubTarget(h)
	full := w.seed(t)
	c := w.client(t)
	infos, err := c.TagInfos(testCtx(t), full)
	if err != nil {
		t.Fatal(err)
	}
	newest := infos[0].Pushed
	for _, ti := range infos {
		if ti.Digest == infos[0].Digest && ti.Pushed.After(newest) {
			newest = ti.Pushed
		}
	}
	h.Reset()
	var got []domain.ImageFacts
	err = c.Facts(testCtx(t), full, []string{infos[0].Digest}, func(_ string, f domain.ImageFacts, err error) {
		if err != nil {
			t.Error(err)
		}
		got = append(got, f)
	})
	if err != nil || len(got) != 1 || got[0].Size != infos[0].Size || !got[0].Created.Equal(newest) || !slices.Equal(got[0].Platforms, []string{"linux/amd64"}) {
		t.Errorf("facts %+v (%v), want the listing's size, newest push time and platform", got, err)
	}
	if n := h.Count("GET manifest") + h.Count("HEAD manifest"); n != 0 {
		t.Errorf("%d manifest requests (%v)", n, h.Counts())
	}
}

// A non-image artifact on Hub (its listing says content_type unrecognized
// and no platform) is described, so the Tags view marks it for what it is;
// an index's platforms come from the listing.
func TestHubArtifactsAreDescribedAndIndexesListed(t *testing.T) {
	h := contracts.NewHub(t)
	w := hubTarget(h)
	repo := contracts.HubUser + "/mixed"
	err := fixtures.Push(testCtx(t), h.Host(), []fixtures.Entry{
		{Repo: repo, Tags: []string{"chart"}, Artifact: &fixtures.ArtifactSpec{ConfigType: "application/vnd.cncf.helm.config.v1+json", Config: []byte(`{"name":"c"}`)}},
		{Repo: repo, Tags: []string{"multi"}, Platforms: []fixtures.Spec{fixtures.AMD64, fixtures.ARM64}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := w.client(t)
	infos, err := c.TagInfos(testCtx(t), h.Host()+"/"+repo)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]domain.ImageFacts{}
	var digests []string
	for _, ti := range infos {
		digests = append(digests, ti.Digest)
	}
	var mu sync.Mutex // Facts reports from several goroutines
	err = c.Facts(testCtx(t), h.Host()+"/"+repo, digests, func(d string, f domain.ImageFacts, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			t.Error(err)
		}
		for _, ti := range infos {
			if ti.Digest == d {
				got[ti.Tag] = f
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got["chart"].Artifact != "application/vnd.cncf.helm.config.v1+json" || len(got["chart"].Platforms) != 0 {
		t.Errorf("the chart's facts %+v: want it described as the artifact it is", got["chart"])
	}
	if !slices.Equal(got["multi"].Platforms, []string{"linux/amd64", "linux/arm64/v8"}) {
		t.Errorf("the index's platforms %v", got["multi"].Platforms)
	}
	if n := h.Count("GET manifest"); n != 1 {
		t.Errorf("%d manifest GETs, want one, the chart's (%v)", n, h.Counts())
	}
}
