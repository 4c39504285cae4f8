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
