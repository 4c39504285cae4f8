package registryclient_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// githubFake answers like GitHub's documented packages API:
// GET /user/packages, /orgs/{org}/packages and /users/{user}/packages with
// package_type=container, paged with a Link header, 404 for an
// organisation that does not exist, 401 "Bad credentials" for a wrong token.
func githubFake(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	pkg := func(owner, name string) map[string]any {
		return map[string]any{"id": len(name), "name": name, "package_type": "container", "visibility": "private", "owner": map[string]any{"login": owner, "type": "User"}}
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ghp_secret" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = fmt.Fprint(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`)
			return
		}
		if r.URL.Query().Get("package_type") != "container" || r.Header.Get("X-GitHub-Api-Version") == "" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var out []map[string]any
		switch r.URL.Path {
		case "/user/packages":
			if r.URL.Query().Get("page") == "" {
				w.Header().Set("Link", fmt.Sprintf(`<%s/user/packages?package_type=container&per_page=100&page=2>; rel="next", <%s/user/packages?package_type=container&per_page=100&page=2>; rel="last"`, srv.URL, srv.URL))
				out = []map[string]any{pkg("octocat", "app"), pkg("octocat", "tools/builder")}
			} else {
				out = []map[string]any{pkg("octocat", "web")}
			}
		case "/orgs/myorg/packages":
			out = []map[string]any{pkg("myorg", "api")}
		case "/users/octocat/packages":
			out = []map[string]any{pkg("octocat", "app")}
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = fmt.Fprint(w, `{"message":"Not Found"}`)
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func ghcrClient(t *testing.T, api string, password string, namespaces []string) *registryclient.Client {
	t.Helper()
	opts := []registryclient.Option{registryclient.WithGitHubAPI(api), registryclient.WithRegistries([]config.Registry{{
		Name: "ghcr.io", Host: "ghcr.io", Namespaces: namespaces, Source: config.SourceConfig,
	}})}
	if password != "" {
		opts = append(opts, registryclient.WithKeychain(testenv.KeychainFor("ghcr.io", &authn.Basic{Username: "octocat", Password: password})))
	}
	return newClient(t, opts...)
}

// Contract test: GitHub cannot be reached from here, so a local server
// answers with the documented response shapes; the code path is the real one.
func TestGHCRPackageListingContract(t *testing.T) {
	gh := githubFake(t)
	ctx := testCtx(t)

	var pages [][]string
	for page, err := range ghcrClient(t, gh.URL, "ghp_secret", nil).CatalogPages(ctx, "ghcr.io") {
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page.Items)
	}
	if want := [][]string{{"octocat/app", "octocat/tools/builder"}, {"octocat/web"}}; fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("the logged-in user's packages: %v, want %v", pages, want)
	}

	// An organisation, then a user (not an organisation: 404, asked again
	// as a user).
	repos, err := ghcrClient(t, gh.URL, "ghp_secret", []string{"myorg", "octocat"}).Catalog(ctx, "ghcr.io")
	if err != nil || fmt.Sprint(repos) != "[myorg/api octocat/app]" {
		t.Errorf("namespaces: %v %v", repos, err)
	}

	_, err = ghcrClient(t, gh.URL, "ghp_wrong", nil).Catalog(ctx, "ghcr.io")
	if err == nil || !strings.Contains(err.Error(), "unauthorized") || !strings.Contains(err.Error(), "docker login ghcr.io") || strings.Contains(err.Error(), "ghp_wrong") {
		t.Errorf("wrong token: %v", err)
	}
	_, err = ghcrClient(t, gh.URL, "", nil).Catalog(ctx, "ghcr.io")
	if err == nil || !strings.Contains(err.Error(), "read:packages") || !strings.Contains(err.Error(), "repositories:") {
		t.Errorf("not logged in: %v", err)
	}
}

// Contract test: logged in to Docker Hub with nothing configured, wharf
// lists the user's own namespace.
func TestHubListsTheLoggedInUsersNamespaceContract(t *testing.T) {
	hub := hubFake(t)
	c := newClient(t, registryclient.WithHubAPI(hub.URL),
		registryclient.WithKeychain(testenv.KeychainFor("index.docker.io", &authn.Basic{Username: "hubuser", Password: "hub-secret"})))
	repos, err := c.Catalog(testCtx(t), "docker.io")
	if err != nil || fmt.Sprint(repos) != "[hubuser/tool]" {
		t.Errorf("logged in as hubuser: %v %v", repos, err)
	}
}

// A cloud registry without a usable catalog says how to list its
// repositories in the message that asks for them.
func TestCloudRegistriesSayWhereTheirRepositoriesAreListed(t *testing.T) {
	c := newClient(t)
	for host, want := range map[string]string{
		"gcr.io":              "gcloud artifacts docker images list",
		"registry.gitlab.com": "Container Registry page",
	} {
		if got := registryclient.HintOf(c, host); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want it to mention %q", host, got, want)
		}
	}
	if got := registryclient.HintOf(c, "registry.local:5000"); got != "" {
		t.Errorf("a private registry gets a provider hint: %q", got)
	}
}

// Each registry is reached through the provider of its kind.
func TestProvidersByHost(t *testing.T) {
	c := newClient(t)
	for host, want := range map[string]string{
		"docker.io": "Docker Hub", "index.docker.io": "Docker Hub", "registry-1.docker.io": "Docker Hub",
		"ghcr.io": "GitHub Container Registry",
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com": "Amazon ECR",
		"europe-docker.pkg.dev":                        "Google Artifact Registry", "gcr.io": "Google Container Registry",
		"myreg.azurecr.io":    "Azure Container Registry",
		"registry.gitlab.com": "GitLab", "quay.io": "Quay",
		"registry.local:5000": "distribution", "127.0.0.1:5000": "distribution",
	} {
		p := c.Provider(host)
		if got := p.Name(); got != want {
			t.Errorf("%s is reached as %q, want %q", host, got, want)
		}
		wantRef := ""
		if want == "Docker Hub" {
			wantRef = domain.HubBudgetReference
		}
		if got := p.BudgetReference(); got != wantRef {
			t.Errorf("%s: budget reference %q, want %q", host, got, wantRef)
		}
	}
}

func ghcrTarget(g *contracts.GitHub, token string, path domain.DeletePath) writeTarget {
	var creds authn.Authenticator
	if token != "" {
		creds = &authn.Basic{Username: contracts.GitHubUser, Password: token}
	}
	w := providerTarget(g.Server, "ghcr", g.Srv.URL, creds, path)
	w.seedRepo = contracts.GitHubUser + "/"
	return w
}

// The behaviour suite on GHCR's contract server: a tag whose version has
// siblings goes by pointing it at a placeholder and deleting the
// placeholder's package version; the version with the siblings is never
// deleted.
func TestGHCRBehavesLikeDistribution(t *testing.T) {
	g := contracts.NewGitHub(t)
	w := ghcrTarget(g, contracts.GitHubToken, domain.DeletedByVersion)
	providerSuite(t, w, g.Server, false)
	app := testenv.FixtureDigest(t, fixtures.App)
	// Each of the suite's three deletes of a tag with siblings deletes its
	// placeholder's version, never the image's.
	if len(g.Deleted) != 3 || slices.Contains(g.Deleted, app) {
		t.Errorf("versions deleted %v: want three, the placeholders', not %s", g.Deleted, app)
	}
}

// The last tag of a version goes with its version, and the result says so.
func TestGHCRLastTagDeletesItsVersion(t *testing.T) {
	g := contracts.NewGitHub(t)
	w := ghcrTarget(g, contracts.GitHubToken, domain.DeletedVersion)
	full := w.seed(t)
	c := w.client(t)
	res, err := c.DeleteTag(testCtx(t), full+":solo")
	if err != nil {
		t.Fatal(err)
	}
	old := testenv.FixtureDigest(t, fixtures.AppOld)
	if res.Path != domain.DeletedVersion || !strings.Contains(res.Path.Explain(), "version's last") || len(g.Deleted) != 1 || g.Deleted[0] != old {
		t.Errorf("result %+v, versions deleted %v", res, g.Deleted)
	}
	if got := w.digestOf(t, full+":a"); got != testenv.FixtureDigest(t, fixtures.App) {
		t.Errorf("a resolves to %q after deleting solo", got)
	}
	if _, err := c.Undo(testCtx(t), mustEntry(t, c, res.JournalID), false); err != nil {
		t.Fatal(err)
	}
	if got := w.digestOf(t, full+":solo"); got != old {
		t.Errorf("after undo solo resolves to %q", got)
	}
}

// Without a login nothing is deleted, and the error says what to do.
func TestGHCRDeleteNeedsALogin(t *testing.T) {
	g := contracts.NewGitHub(t)
	w := ghcrTarget(g, "", domain.DeletedByVersion)
	full := w.seed(t)
	_, err := w.client(t).DeleteTag(testCtx(t), full+":b")
	if err == nil || !strings.Contains(err.Error(), "delete:packages") {
		t.Errorf("delete without a login: %v", err)
	}
	if len(g.Deleted) != 0 || len(g.Tags(strings.TrimPrefix(full, w.host+"/"))) != 4 {
		t.Error("something was deleted")
	}
}

// Every kind the config accepts has its provider, and no other.
func TestProviderKindsAreTheConfigs(t *testing.T) {
	if got := registryclient.ProviderKinds(); !slices.Equal(got, config.Providers) {
		t.Errorf("providers %v, config accepts %v", got, config.Providers)
	}
}
