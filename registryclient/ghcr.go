package registryclient

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/tomnomnom/linkheader"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DefaultGitHubAPI is GitHub's REST API, which lists a user's or an
// organisation's container packages (GHCR's catalog lists nothing).
const DefaultGitHubAPI = "https://api.github.com"

// WithGitHubAPI points GHCR listings at another base URL (tests, GitHub
// Enterprise).
func WithGitHubAPI(base string) Option { return func(c *Client) { c.apis.github = base } }

// ghcrPackage is the part of GitHub's package object wharf reads.
type ghcrPackage struct {
	Name  string `json:"name"`
	Owner struct {
		Login string `json:"login"`
	} `json:"owner"`
}

func init() {
	register("ghcr", func(host string) bool { return host == domain.GHCR }, func(c *Client, _ string) Provider { return ghcr{distribution{c: c}} })
}

// ghcr is GitHub's container registry: a distribution registry whose
// catalog lists nothing, and whose repositories GitHub's packages API lists.
type ghcr struct{ distribution }

func (ghcr) Kind() string { return "GitHub Container Registry" }

// Notes: GitHub frees its own storage; there is no collector to run.
func (ghcr) Notes(Capabilities) []string { return nil }

// Repositories lists GHCR's repositories (see catalog).
func (g ghcr) Repositories(ctx context.Context, _ string) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) { g.catalog(ctx, yield) }
}

// catalog lists GHCR repositories: the configured ones, then the
// container packages of each configured namespace (an organisation, else a
// user) or, with none configured, of the logged-in user, through GitHub's
// packages API with the token from the docker credentials for ghcr.io.
func (g ghcr) catalog(ctx context.Context, yield func(Page, error) bool) {
	c := g.c
	r := c.registryOf(domain.GHCR)
	if len(r.Repositories) > 0 {
		if !yield(Page{Items: r.Repositories, Configured: true, Note: "ghcr.io: configured repositories"}, nil) {
			return
		}
	}
	token, err := g.token(ctx)
	if err != nil {
		yield(Page{}, err)
		return
	}
	if token == "" {
		if len(r.Repositories) == 0 {
			yield(Page{}, errors.New("ghcr.io lists packages only to a logged-in user: `docker login ghcr.io` with a token that may read:packages, or add `repositories:` for host ghcr.io in wharf's config.yaml"))
		}
		return
	}
	if len(r.Namespaces) == 0 {
		g.packages(ctx, "/user/packages", "your packages", token, yield)
		return
	}
	for _, ns := range r.Namespaces {
		org := "/orgs/" + url.PathEscape(ns) + "/packages"
		if !g.packages(ctx, org, ns, token, func(p Page, err error) bool {
			if errors.Is(err, ErrNotFound) {
				// Not an organisation: a user.
				return g.packages(ctx, "/users/"+url.PathEscape(ns)+"/packages", ns, token, yield)
			}
			return yield(p, err)
		}) {
			return
		}
	}
}

// packages lists one owner's container packages page by page,
// following the Link header; it returns false when yield asked to stop.
func (g ghcr) packages(ctx context.Context, path, owner, token string, yield func(Page, error) bool) bool {
	c := g.c
	next := c.apis.github + path + "?package_type=container&per_page=100"
	for next != "" {
		var pkgs []ghcrPackage
		h, err := c.getJSON(ctx, next, token, domain.GHCR, &pkgs)
		if err != nil {
			return yield(Page{}, c.classify("list packages of "+owner, domain.GHCR, err))
		}
		items := make([]string, 0, len(pkgs))
		for _, p := range pkgs {
			items = append(items, p.Owner.Login+"/"+p.Name)
		}
		if !yield(Page{Items: items, Note: fmt.Sprintf("ghcr.io: %s through GitHub's packages API", owner)}, nil) {
			return false
		}
		next = ""
		for _, l := range linkheader.Parse(h.Get("Link")) {
			if l.Rel == "next" {
				next = l.URL
			}
		}
	}
	return true
}

// token is the token `docker login ghcr.io` stored (GHCR takes a
// GitHub token as the password); "" when not logged in.
func (g ghcr) token(ctx context.Context) (string, error) {
	cfg, err := g.c.credentials(ctx, domain.GHCR)
	if err != nil || cfg == nil {
		return "", err
	}
	switch {
	case cfg.Password != "":
		return cfg.Password, nil
	case cfg.RegistryToken != "":
		return cfg.RegistryToken, nil
	}
	return cfg.IdentityToken, nil
}

// credentials are the docker credentials for host; nil when there are
// none (anonymous).
func (c *Client) credentials(ctx context.Context, host string) (*authn.AuthConfig, error) {
	reg, err := name.NewRegistry(host)
	if err != nil {
		return nil, err
	}
	auth, err := authn.Resolve(ctx, c.keychain, reg)
	if err != nil || auth == authn.Anonymous {
		return nil, err
	}
	return auth.Authorization()
}
