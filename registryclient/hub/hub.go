package hub

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wharf-dev/wharf/registryclient/distribution"
	"github.com/wharf-dev/wharf/registryclient/provider"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DefaultAPI is Docker Hub's web API, which lists a namespace's
// repositories (the registry itself has no catalog) and a repository's tags
// with their digests, sizes and push dates, and deletes one tag.
const DefaultAPI = "https://hub.docker.com"

// hubTokenLife is how long wharf uses one login to Hub's API.
const hubTokenLife = 5 * time.Minute

// hubPageSize is the most tags or repositories Hub's API gives a page.
const hubPageSize = 100

// hubPage is the documented shape of GET /v2/namespaces/{ns}/repositories.
type hubPage struct {
	Count   int     `json:"count"`
	Next    *string `json:"next"`
	Results []struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"results"`
}

// hubTagPage is the documented shape of GET
// /v2/namespaces/{ns}/repositories/{repo}/tags: each tag with the digest it
// points at (an index's for a multi-platform image), its size, when it was
// last pushed, and each platform's image.
type hubTagPage struct {
	Count   int     `json:"count"`
	Next    *string `json:"next"`
	Results []struct {
		Name          string `json:"name"`
		Digest        string `json:"digest"`
		FullSize      int64  `json:"full_size"`
		LastUpdated   string `json:"last_updated"`
		TagLastPushed string `json:"tag_last_pushed"`
		// ContentType is "image", or what else the manifest is
		// ("unrecognized" for an OCI artifact, "plugin", …).
		ContentType string `json:"content_type"`
		Images      []struct {
			Architecture string `json:"architecture"`
			OS           string `json:"os"`
			Variant      string `json:"variant"`
			Digest       string `json:"digest"`
			Size         int64  `json:"size"`
		} `json:"images"`
	} `json:"results"`
}

// dockerHub is Docker Hub: a distribution registry without a catalog, whose
// repositories and tags its web API lists (tags with their digests, 100 a
// page, so a listing costs no pull budget and no HEADs), which deletes one
// tag through that API, and whose pull budget a HEAD of Docker's test image
// reads.
type dockerHub struct{ distribution.OwnAPI }

func (dockerHub) Name() string { return "Docker Hub" }

func (dockerHub) BudgetReference() string { return domain.HubBudgetReference }

func (h dockerHub) api() string { return h.Client.APIBase(h.Host, h.Client.WebAPI("hub")) }

// Paths — Hub's web API for listings and deletes.
func (h dockerHub) Paths(provider.Capabilities) []domain.ActionPath {
	return []domain.ActionPath{
		{Action: "list repositories", Path: "Docker Hub's API: GET /v2/namespaces/{namespace}/repositories, 100 a page (namespaces from the config or the logged-in user)"},
		{Action: "list tags", Path: "Docker Hub's API: GET /v2/namespaces/{namespace}/repositories/{name}/tags, 100 a page, with digests, sizes and push dates: no HEADs, no pull budget"},
		{Action: "delete tag", Path: "Docker Hub's API: DELETE /v2/repositories/{namespace}/{name}/tags/{tag}/ (the other tags keep the image)"},
		{Action: "retag, undo", Path: "PUT /v2/{name}/manifests/{tag}"},
	}
}

// Repositories lists Docker Hub repositories: the configured ones, then each
// configured namespace's, page by page, through Hub's API (logged in with
// the docker credentials for Hub when there are any).
func (h dockerHub) Repositories(ctx context.Context, _ string) iter.Seq2[provider.Page, error] {
	return func(yield func(provider.Page, error) bool) { h.catalog(ctx, yield) }
}

func (h dockerHub) catalog(ctx context.Context, yield func(provider.Page, error) bool) {
	c := h.Client
	r := c.Settings(h.Host)
	namespaces := r.Namespaces
	if len(namespaces) == 0 {
		// Logged in: the user's own namespace.
		if user := c.User(h.Host); user != "" && user != "token" {
			namespaces = []string{user}
		}
	}
	if len(r.Repositories) == 0 && len(namespaces) == 0 {
		yield(provider.Page{}, fmt.Errorf("%s has no catalog: `docker login` to list your own repositories, or add `namespaces:` (users or organisations) or `repositories:` for host %s in wharf's config.yaml", h.Host, h.Host))
		return
	}
	if !h.ConfiguredPage(yield) {
		return
	}
	if len(namespaces) == 0 {
		return
	}
	token, err := h.login(ctx)
	if err != nil {
		yield(provider.Page{}, err)
		return
	}
	for _, ns := range namespaces {
		next := h.api() + "/v2/namespaces/" + url.PathEscape(ns) + "/repositories?page_size=100"
		for next != "" {
			var page hubPage
			if _, err := c.Call(ctx, provider.APICall{Op: "list repositories of " + ns, Registry: h.Host, URL: next, Token: token}, &page); err != nil {
				yield(provider.Page{}, err)
				return
			}
			items := make([]string, 0, len(page.Results))
			for _, res := range page.Results {
				items = append(items, res.Namespace+"/"+res.Name)
			}
			if !yield(provider.Page{Items: items, Note: h.Host + "/" + ns + " through Docker Hub's API"}, nil) {
				return
			}
			next = ""
			if page.Next != nil {
				next = *page.Next
			}
		}
	}
}

// hubPath splits a Hub repository into its namespace and name
// (library/nginx: library, nginx).
func hubPath(repo name.Repository) (ns, rest string) {
	ns, rest, ok := strings.Cut(repo.RepositoryStr(), "/")
	if !ok {
		return "library", ns
	}
	return ns, rest
}

// TagPages lists a repository's tags through Hub's API, 100 a page, each
// with its digest, size, push date and platforms.
func (h dockerHub) TagPages(ctx context.Context, repo name.Repository) iter.Seq2[[]domain.TagInfo, error] {
	return func(yield func([]domain.TagInfo, error) bool) {
		c := h.Client
		token, err := h.login(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		ns, rest := hubPath(repo)
		op := "list tags of " + repo.RepositoryStr()
		next := fmt.Sprintf("%s/v2/namespaces/%s/repositories/%s/tags?page_size=%d", h.api(), url.PathEscape(ns), url.PathEscape(rest), hubPageSize)
		for next != "" {
			var page hubTagPage
			if _, err := c.Call(ctx, provider.APICall{Op: op, Registry: h.Host, URL: next, Token: token}, &page); err != nil {
				yield(nil, err)
				return
			}
			infos := make([]domain.TagInfo, 0, len(page.Results))
			for _, t := range page.Results {
				info := domain.TagInfo{Tag: t.Name, Digest: t.Digest, Size: t.FullSize, Pushed: provider.FirstTime(t.TagLastPushed, t.LastUpdated)}
				for _, im := range t.Images {
					if t.ContentType == "" || t.ContentType == "image" {
						info.Platforms = append(info.Platforms, domain.Platform{OS: im.OS, Architecture: im.Architecture, Variant: im.Variant, Digest: im.Digest, Size: im.Size})
					}
				}
				if info.Digest == "" && len(t.Images) == 1 {
					// An older answer names the image's digest only.
					info.Digest = t.Images[0].Digest
				}
				infos = append(infos, info)
			}
			if !yield(infos, nil) {
				return
			}
			next = ""
			if page.Next != nil {
				next = *page.Next
			}
		}
	}
}

// DeleteTag deletes exactly the tag through Hub's API; the image and its
// other tags stay (Hub offers no DELETE by tag on the registry API).
func (h dockerHub) DeleteTag(ctx context.Context, _ *remote.Pusher, req provider.DeleteRequest) (domain.DeletePath, error) {
	token, err := h.login(ctx)
	if err != nil {
		return "", err
	}
	if token == "" {
		return "", &provider.Error{Op: "delete " + req.Tag.String(), Registry: h.Host, Kind: provider.ErrUnauthorized, Detail: "deleting a tag on Docker Hub takes a login: `docker login` with a personal access token that may delete"}
	}
	ns, rest := hubPath(req.Tag.Context())
	u := fmt.Sprintf("%s/v2/repositories/%s/%s/tags/%s/", h.api(), url.PathEscape(ns), url.PathEscape(rest), url.PathEscape(req.Tag.TagStr()))
	_, err = h.Client.Call(ctx, provider.APICall{Op: "delete " + req.Tag.String(), Registry: h.Host, Method: http.MethodDelete, URL: u, Token: token, OK: []int{http.StatusNoContent, http.StatusOK, http.StatusAccepted}}, nil)
	if err != nil {
		return "", err
	}
	return domain.DeletedByAPI, nil
}

// login exchanges the docker credentials for Hub (a password or a personal
// access token) for an API token; with none it returns "" (public
// repositories only).
func (h dockerHub) login(ctx context.Context) (string, error) {
	c := h.Client
	key := "hub " + h.Host
	if t, ok := c.Tokens().Get(key); ok {
		return t, nil
	}
	cfg, err := c.Credentials(ctx, h.Host)
	if err != nil || cfg == nil || cfg.Username == "" || cfg.Password == "" {
		return "", err
	}
	var tok struct {
		Token string `json:"token"`
	}
	_, err = c.Call(ctx, provider.APICall{
		Op: "log in to Docker Hub's API", Registry: h.Host, Method: http.MethodPost, URL: h.api() + "/v2/users/login",
		Body: map[string]string{"username": cfg.Username, "password": cfg.Password},
	}, &tok)
	if err != nil {
		return "", err
	}
	// Hub's tokens last longer than this: one login serves the listings
	// and deletes of a few minutes.
	c.Tokens().Put(key, tok.Token, hubTokenLife)
	return tok.Token, nil
}

func (dockerHub) DeletesThroughAPI(context.Context) string { return "Docker Hub's API" }

// Serves reports whether host is one of Docker Hub.
func Serves(host string) bool { return host == domain.DockerHub }

// New is Docker Hub's provider.
func New(h provider.Host, host string) provider.Provider {
	return dockerHub{distribution.NewOwnAPI(h, host)}
}
