package registryclient

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

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
	register("ghcr", func(host string) bool { return host == domain.GHCR }, func(c *Client, host string) Provider {
		return ghcr{newOwnAPI(c, host)}
	})
}

// ghcr is GitHub's container registry: a distribution registry whose
// catalog lists nothing, whose repositories GitHub's packages API lists,
// and which deletes no tag on the registry API: a tag goes by deleting a
// package version through GitHub's API.
type ghcr struct{ ownAPI }

func (g ghcr) api() string { return g.c.apiBase(g.host, g.c.apis.github) }

func (ghcr) Name() string { return "GitHub Container Registry" }

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
	r := c.registryOf(g.host)
	if !g.configured(yield) {
		return
	}
	token, err := g.token(ctx)
	if err != nil {
		yield(Page{}, err)
		return
	}
	if token == "" {
		if len(r.Repositories) == 0 {
			yield(Page{}, fmt.Errorf("%s lists packages only to a logged-in user: `docker login %s` with a token that may read:packages, or add `repositories:` for host %s in wharf's config.yaml", g.host, g.host, g.host))
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
	next := g.api() + path + "?package_type=container&per_page=100"
	for next != "" {
		var pkgs []ghcrPackage
		h, err := c.call(ctx, apiCall{op: "list packages of " + owner, registry: g.host, url: next, token: token, header: githubHeaders()}, &pkgs)
		if err != nil {
			return yield(Page{}, err)
		}
		items := make([]string, 0, len(pkgs))
		for _, p := range pkgs {
			items = append(items, p.Owner.Login+"/"+p.Name)
		}
		if !yield(Page{Items: items, Note: fmt.Sprintf("%s: %s through GitHub's packages API", g.host, owner)}, nil) {
			return false
		}
		next = nextLink(h, g.api())
	}
	return true
}

// token is the token `docker login ghcr.io` stored (GHCR takes a
// GitHub token as the password); "" when not logged in.
func (g ghcr) token(ctx context.Context) (string, error) {
	cfg, err := g.c.credentials(ctx, g.host)
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

// credLife is how long the credentials read for a registry's own API serve
// before they are read again: a credential helper may take seconds, and a
// listing and a delete ask for them several times.
const credLife = time.Minute

// readCreds are a host's credentials as read at a time (nil: anonymous).
type readCreds struct {
	cfg *authn.AuthConfig
	at  time.Time
}

// credentials are the docker credentials for host; nil when there are
// none (anonymous). They are read at most once a credLife (a failure is
// not kept).
func (c *Client) credentials(ctx context.Context, host string) (*authn.AuthConfig, error) {
	c.conns.mu.Lock()
	rc, ok := c.conns.creds[host]
	c.conns.mu.Unlock()
	if ok && time.Since(rc.at) < credLife {
		return rc.cfg, nil
	}
	reg, err := name.NewRegistry(host)
	if err != nil {
		return nil, err
	}
	auth, err := authn.Resolve(ctx, c.keychain, reg)
	if err != nil {
		return nil, err
	}
	var cfg *authn.AuthConfig
	if auth != authn.Anonymous {
		if cfg, err = auth.Authorization(); err != nil {
			return nil, err
		}
	}
	c.conns.mu.Lock()
	c.conns.creds[host] = readCreds{cfg: cfg, at: time.Now()}
	c.conns.mu.Unlock()
	return cfg, nil
}

// Paths: GitHub's packages API for listings and deletes.
func (ghcr) Paths(Capabilities) []domain.ActionPath {
	return []domain.ActionPath{
		{Action: "list repositories", Path: "GitHub's API: GET /user/packages, /orgs/{org}/packages or /users/{user}/packages?package_type=container, paged"},
		{Action: "list tags", Path: "GET /v2/{name}/tags/list; digests by HEAD"},
		{Action: "delete tag", Path: "a tag its version shares: pointed at a placeholder, and the placeholder's package version deleted through GitHub's API (DELETE …/packages/container/{name}/versions/{id}); the version's last tag: that version deleted"},
		{Action: "retag, undo", Path: "PUT /v2/{name}/manifests/{tag}"},
	}
}

// ghcrVersion is the part of GitHub's package version object wharf reads:
// a container version is one manifest digest and the tags on it.
type ghcrVersion struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Metadata struct {
		Container struct {
			Tags []string `json:"tags"`
		} `json:"container"`
	} `json:"metadata"`
}

// versionsPath is the package's versions in GitHub's API: an
// organisation's, else the logged-in user's (owner ghcr.io/{owner}/…).
func (g ghcr) versionsPaths(repo name.Repository) []string {
	owner, pkg, _ := strings.Cut(repo.RepositoryStr(), "/")
	esc := url.PathEscape(pkg)
	return []string{
		"/orgs/" + url.PathEscape(owner) + "/packages/container/" + esc + "/versions",
		"/user/packages/container/" + esc + "/versions",
	}
}

// version finds the package version whose manifest is digest, and the
// versions path it was found under.
func (g ghcr) version(ctx context.Context, token, op string, repo name.Repository, digest string) (ghcrVersion, string, error) {
	var lastErr error
	for _, path := range g.versionsPaths(repo) {
		next := g.api() + path + "?per_page=100"
		for next != "" {
			var vs []ghcrVersion
			h, err := g.c.call(ctx, apiCall{op: op, registry: g.host, url: next, token: token, header: githubHeaders()}, &vs)
			if errors.Is(err, ErrNotFound) {
				lastErr = err
				break // not an organisation's: the user's
			}
			if err != nil {
				return ghcrVersion{}, "", err
			}
			for _, v := range vs {
				if v.Name == digest {
					return v, path, nil
				}
			}
			next = nextLink(h, g.api())
			if next == "" {
				return ghcrVersion{}, "", &Error{Op: op, Registry: g.host, Kind: ErrNotFound, Detail: "GitHub's API lists no package version for " + domain.ShortDigest(digest)}
			}
		}
	}
	return ghcrVersion{}, "", lastErr
}

// DeleteTag deletes exactly one tag on GHCR, whose registry API deletes
// nothing: a tag whose version has other tags is pointed at a placeholder
// of wharf's own, and the placeholder's version deleted — never the version
// that carries the siblings; the version's last tag goes with its version.
// Either way through GitHub's packages API, with the token from `docker
// login ghcr.io` (it needs delete:packages).
func (g ghcr) DeleteTag(ctx context.Context, w *remote.Pusher, req DeleteRequest) (domain.DeletePath, error) {
	op := "delete " + req.Tag.String()
	token, err := g.token(ctx)
	if err != nil {
		return "", err
	}
	if token == "" {
		return "", &Error{Op: op, Registry: g.host, Kind: ErrUnauthorized, Detail: "deleting on GHCR takes a login: `docker login " + g.host + "` with a token that may delete:packages"}
	}
	repo := req.Tag.Context()
	if !req.Shared {
		v, path, err := g.version(ctx, token, op, repo, req.Current.Digest.String())
		if err != nil {
			return "", err
		}
		if others := slices.DeleteFunc(slices.Clone(v.Metadata.Container.Tags), func(t string) bool { return t == req.Tag.TagStr() }); len(others) > 0 {
			// The registry said no sibling; GitHub says otherwise: trust
			// neither, delete nothing.
			return "", &Error{Op: op, Registry: g.host, Kind: ErrConflict, Detail: fmt.Sprintf("GitHub's API says the version also carries %s; nothing was deleted", strings.Join(others, ", "))}
		}
		return domain.DeletedVersion, g.deleteVersion(ctx, token, op, path, v)
	}
	phDigest, err := pointAtPlaceholder(ctx, w, req)
	if err != nil {
		return "", err
	}
	v, path, err := g.version(ctx, token, op, repo, phDigest)
	if err == nil && (len(v.Metadata.Container.Tags) > 1 || (len(v.Metadata.Container.Tags) == 1 && v.Metadata.Container.Tags[0] != req.Tag.TagStr())) {
		err = &Error{Op: op, Registry: g.host, Kind: ErrConflict, Detail: "the placeholder's version carries other tags: " + strings.Join(v.Metadata.Container.Tags, ", ")}
	}
	if err == nil {
		err = g.deleteVersion(ctx, token, op, path, v)
	}
	if err != nil {
		return "", putBack(ctx, w, req, err)
	}
	return domain.DeletedByVersion, nil
}

func (g ghcr) deleteVersion(ctx context.Context, token, op, path string, v ghcrVersion) error {
	_, err := g.c.call(ctx, apiCall{
		op: op, registry: g.host, method: http.MethodDelete, url: g.api() + path + "/" + strconv.FormatInt(v.ID, 10),
		token: token, header: githubHeaders(), ok: []int{http.StatusNoContent, http.StatusOK},
	}, nil)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusForbidden {
		e.Detail += ": the token needs delete:packages (and admin rights on the package)"
	}
	return err
}

func (ghcr) deletesThroughAPI(context.Context) string { return "GitHub's packages API" }
