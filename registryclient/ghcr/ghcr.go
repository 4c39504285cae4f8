package ghcr

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

	"github.com/wharf-dev/wharf/registryclient/distribution"
	"github.com/wharf-dev/wharf/registryclient/provider"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DefaultAPI is GitHub's REST API, which lists a user's or an
// organisation's container packages (GHCR's catalog lists nothing).
const DefaultAPI = "https://api.github.com"

// ghcrPackage is the part of GitHub's package object wharf reads.
type ghcrPackage struct {
	Name  string `json:"name"`
	Owner struct {
		Login string `json:"login"`
	} `json:"owner"`
}

// ghcr is GitHub's container registry: a distribution registry whose
// catalog lists nothing, whose repositories GitHub's packages API lists,
// and which deletes no tag on the registry API: a tag goes by deleting a
// package version through GitHub's API.
type ghcr struct{ distribution.OwnAPI }

func (g ghcr) api() string { return g.Client.APIBase(g.Host, g.Client.WebAPI("github")) }

func (ghcr) Name() string { return "GitHub Container Registry" }

// Repositories lists GHCR's repositories (see catalog).
func (g ghcr) Repositories(ctx context.Context, _ string) iter.Seq2[provider.Page, error] {
	return func(yield func(provider.Page, error) bool) { g.catalog(ctx, yield) }
}

// catalog lists GHCR repositories: the configured ones, then the
// container packages of each configured namespace (an organisation, else a
// user) or, with none configured, of the logged-in user, through GitHub's
// packages API with the token from the docker credentials for ghcr.io.
func (g ghcr) catalog(ctx context.Context, yield func(provider.Page, error) bool) {
	c := g.Client
	r := c.Settings(g.Host)
	if !g.ConfiguredPage(yield) {
		return
	}
	token, err := g.token(ctx)
	if err != nil {
		yield(provider.Page{}, err)
		return
	}
	if token == "" {
		if len(r.Repositories) == 0 {
			yield(provider.Page{}, fmt.Errorf("%s lists packages only to a logged-in user: `docker login %s` with a token that may read:packages, or add `repositories:` for host %s in wharf's config.yaml", g.Host, g.Host, g.Host))
		}
		return
	}
	if len(r.Namespaces) == 0 {
		g.packages(ctx, "/user/packages", "your packages", token, yield)
		return
	}
	for _, ns := range r.Namespaces {
		org := "/orgs/" + url.PathEscape(ns) + "/packages"
		if !g.packages(ctx, org, ns, token, func(p provider.Page, err error) bool {
			if errors.Is(err, provider.ErrNotFound) {
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
func (g ghcr) packages(ctx context.Context, path, owner, token string, yield func(provider.Page, error) bool) bool {
	c := g.Client
	next := g.api() + path + "?package_type=container&per_page=100"
	for next != "" {
		var pkgs []ghcrPackage
		h, err := c.Call(ctx, provider.APICall{Op: "list packages of " + owner, Registry: g.Host, URL: next, Token: token, Header: provider.GitHubHeaders()}, &pkgs)
		if err != nil {
			return yield(provider.Page{}, err)
		}
		items := make([]string, 0, len(pkgs))
		for _, p := range pkgs {
			items = append(items, p.Owner.Login+"/"+p.Name)
		}
		if !yield(provider.Page{Items: items, Note: fmt.Sprintf("%s: %s through GitHub's packages API", g.Host, owner)}, nil) {
			return false
		}
		next = provider.NextLink(h, g.api())
	}
	return true
}

// token is the token `docker login ghcr.io` stored (GHCR takes a
// GitHub token as the password); "" when not logged in.
func (g ghcr) token(ctx context.Context) (string, error) {
	cfg, err := g.Client.Credentials(ctx, g.Host)
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

// Paths — GitHub's packages API for listings and deletes.
func (ghcr) Paths(provider.Capabilities) []domain.ActionPath {
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
			h, err := g.Client.Call(ctx, provider.APICall{Op: op, Registry: g.Host, URL: next, Token: token, Header: provider.GitHubHeaders()}, &vs)
			if errors.Is(err, provider.ErrNotFound) {
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
			next = provider.NextLink(h, g.api())
			if next == "" {
				return ghcrVersion{}, "", &provider.Error{Op: op, Registry: g.Host, Kind: provider.ErrNotFound, Detail: "GitHub's API lists no package version for " + domain.ShortDigest(digest)}
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
func (g ghcr) DeleteTag(ctx context.Context, w *remote.Pusher, req provider.DeleteRequest) (domain.DeletePath, error) {
	op := "delete " + req.Tag.String()
	token, err := g.token(ctx)
	if err != nil {
		return "", err
	}
	if token == "" {
		return "", &provider.Error{Op: op, Registry: g.Host, Kind: provider.ErrUnauthorized, Detail: "deleting on GHCR takes a login: `docker login " + g.Host + "` with a token that may delete:packages"}
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
			return "", &provider.Error{Op: op, Registry: g.Host, Kind: provider.ErrConflict, Detail: fmt.Sprintf("GitHub's API says the version also carries %s; nothing was deleted", strings.Join(others, ", "))}
		}
		return domain.DeletedVersion, g.deleteVersion(ctx, token, op, path, v)
	}
	phDigest, err := distribution.PointAtPlaceholder(ctx, w, req)
	if err != nil {
		return "", err
	}
	v, path, err := g.version(ctx, token, op, repo, phDigest)
	if err == nil && (len(v.Metadata.Container.Tags) > 1 || (len(v.Metadata.Container.Tags) == 1 && v.Metadata.Container.Tags[0] != req.Tag.TagStr())) {
		err = &provider.Error{Op: op, Registry: g.Host, Kind: provider.ErrConflict, Detail: "the placeholder's version carries other tags: " + strings.Join(v.Metadata.Container.Tags, ", ")}
	}
	if err == nil {
		err = g.deleteVersion(ctx, token, op, path, v)
	}
	if err != nil {
		return "", distribution.PutBack(ctx, w, req, err)
	}
	return domain.DeletedByVersion, nil
}

func (g ghcr) deleteVersion(ctx context.Context, token, op, path string, v ghcrVersion) error {
	_, err := g.Client.Call(ctx, provider.APICall{
		Op: op, Registry: g.Host, Method: http.MethodDelete, URL: g.api() + path + "/" + strconv.FormatInt(v.ID, 10),
		Token: token, Header: provider.GitHubHeaders(), OK: []int{http.StatusNoContent, http.StatusOK},
	}, nil)
	var e *provider.Error
	if errors.As(err, &e) && e.Status == http.StatusForbidden {
		e.Detail += ": the token needs delete:packages (and admin rights on the package)"
	}
	return err
}

func (ghcr) DeletesThroughAPI(context.Context) string { return "GitHub's packages API" }

// Serves reports whether host is one of GitHub's container registry.
func Serves(host string) bool { return host == domain.GHCR }

// New is GHCR's provider.
func New(h provider.Host, host string) provider.Provider {
	return ghcr{distribution.NewOwnAPI(h, host)}
}
