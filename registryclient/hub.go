package registryclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DefaultHubAPI is Docker Hub's web API, which lists a namespace's
// repositories (the registry itself has no catalog).
const DefaultHubAPI = "https://hub.docker.com"

// WithHubAPI points Docker Hub listings at another base URL (tests).
func WithHubAPI(base string) Option { return func(c *Client) { c.apis.hub = base } }

// hubPage is the documented shape of GET /v2/namespaces/{ns}/repositories.
type hubPage struct {
	Count   int     `json:"count"`
	Next    *string `json:"next"`
	Results []struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"results"`
}

func init() {
	register(func(host string) bool { return host == domain.DockerHub }, func(c *Client) Provider { return dockerHub{distribution{c: c}} })
}

// dockerHub is Docker Hub: a distribution registry without a catalog, whose
// repositories its web API lists, and whose pull budget a HEAD of Docker's
// test image reads.
type dockerHub struct{ distribution }

func (dockerHub) Kind() string { return "Docker Hub" }

// Notes: Hub frees its own storage; there is no collector to run.
func (dockerHub) Notes(Capabilities) []string { return nil }

func (dockerHub) BudgetReference() string { return domain.HubBudgetReference }

// Repositories lists Docker Hub repositories: the configured ones, then each
// configured namespace's, page by page, through Hub's API (logged in with
// the docker credentials for Hub when there are any).
func (h dockerHub) Repositories(ctx context.Context, _ string) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) { h.catalog(ctx, yield) }
}

func (h dockerHub) catalog(ctx context.Context, yield func(Page, error) bool) {
	c := h.c
	r := c.registryOf(domain.DockerHub)
	namespaces := r.Namespaces
	if len(namespaces) == 0 {
		// Logged in: the user's own namespace.
		if user := c.User(domain.DockerHub); user != "" && user != "token" {
			namespaces = []string{user}
		}
	}
	if len(r.Repositories) == 0 && len(namespaces) == 0 {
		yield(Page{}, fmt.Errorf("docker.io has no catalog: `docker login` to list your own repositories, or add `namespaces:` (users or organisations) or `repositories:` for host docker.io in wharf's config.yaml"))
		return
	}
	if len(r.Repositories) > 0 {
		if !yield(Page{Items: r.Repositories, Configured: true, Note: "docker.io: configured repositories"}, nil) {
			return
		}
	}
	if len(namespaces) == 0 {
		return
	}
	token, err := h.login(ctx)
	if err != nil {
		yield(Page{}, err)
		return
	}
	for _, ns := range namespaces {
		next := c.apis.hub + "/v2/namespaces/" + url.PathEscape(ns) + "/repositories?page_size=100"
		for next != "" {
			var page hubPage
			if _, err := c.getJSON(ctx, next, token, domain.DockerHub, &page); err != nil {
				yield(Page{}, c.classify("list repositories of "+ns, "hub.docker.com", err))
				return
			}
			items := make([]string, 0, len(page.Results))
			for _, res := range page.Results {
				items = append(items, res.Namespace+"/"+res.Name)
			}
			if !yield(Page{Items: items, Note: "docker.io/" + ns + " through Docker Hub's API"}, nil) {
				return
			}
			next = ""
			if page.Next != nil {
				next = *page.Next
			}
		}
	}
}

// hubLogin exchanges the docker credentials for Hub for an API token; with
// none it returns "" (public repositories only).
func (h dockerHub) login(ctx context.Context) (string, error) {
	c := h.c
	cfg, err := c.credentials(ctx, domain.DockerHub)
	if err != nil || cfg == nil || cfg.Username == "" || cfg.Password == "" {
		return "", err
	}
	body, err := json.Marshal(map[string]string{"username": cfg.Username, "password": cfg.Password})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.apis.hub+"/v2/users/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: c.guard}).Do(req)
	if err != nil {
		return "", c.classify("log in to Docker Hub's API", "hub.docker.com", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", &Error{Op: "log in to Docker Hub's API", Registry: domain.DockerHub, Kind: ErrUnauthorized, Status: resp.StatusCode, Detail: http.StatusText(resp.StatusCode)}
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return "", c.classify("log in to Docker Hub's API", "hub.docker.com", err)
	}
	return tok.Token, nil
}
