package quay

import (
	"context"
	"errors"
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

// quayOAuthUser is the user name Quay takes with an OAuth token as the
// password (`docker login -u '$oauthtoken' quay.io`); its API takes that
// token too.
const quayOAuthUser = "$oauthtoken"

// quay is Quay (quay.io and self-hosted, `provider: quay`): the
// distribution API for images, Quay's /api/v1 for repositories, tags with
// their digests, sizes and dates, and deleting one tag.
type quay struct{ distribution.OwnAPI }

func (quay) Name() string { return "Quay" }

func (quay) Paths(provider.Capabilities) []domain.ActionPath {
	del := "Quay's API: DELETE /api/v1/repository/{namespace}/{name}/tag/{tag} (the other tags keep the image) with an OAuth token (`docker login -u '$oauthtoken'`); with other credentials as distribution does"
	return []domain.ActionPath{
		{Action: "list repositories", Path: "Quay's API: GET /api/v1/repository?namespace=…, paged (namespaces from the config or the logged-in user)"},
		{Action: "list tags", Path: "Quay's API: GET /api/v1/repository/{namespace}/{name}/tag/?onlyActiveTags=true, 100 a page, with digests, sizes and dates: no HEADs"},
		{Action: "delete tag", Path: del},
		{Action: "retag, undo", Path: "PUT /v2/{name}/manifests/{tag}"},
	}
}

// CheckDelete — with an API token Quay deletes through its API; otherwise
// as distribution.
func (q quay) CheckDelete(caps provider.Capabilities) error {
	if q.DeletesThroughAPI(context.Background()) != "" {
		return nil
	}
	return q.Distribution.CheckDelete(caps)
}

func (q quay) base() string { return q.OnHost() }

// apiToken is the OAuth token the docker credentials hold ("" when they
// are a user's or a robot's password, which Quay's API does not take).
func (q quay) apiToken(ctx context.Context) string {
	cfg, err := q.Client.Credentials(ctx, q.Host)
	if err != nil || cfg == nil || cfg.Username != quayOAuthUser {
		return ""
	}
	return cfg.Password
}

// Repositories lists the configured repositories, then each namespace's
// (configured, else the logged-in user's or robot's organisation) through
// Quay's API, following next_page.
func (q quay) Repositories(ctx context.Context, _ string) iter.Seq2[provider.Page, error] {
	return func(yield func(provider.Page, error) bool) {
		c := q.Client
		r := c.Settings(q.Host)
		if !q.ConfiguredPage(yield) {
			return
		}
		token := q.apiToken(ctx)
		namespaces := r.Namespaces
		if len(namespaces) == 0 && token != "" {
			var me struct {
				Username string `json:"username"`
			}
			if _, err := c.Call(ctx, provider.APICall{Op: "ask Quay who is logged in", Registry: q.Host, Advice: quayAdvice, URL: q.base() + "/api/v1/user/", Token: token}, &me); err != nil {
				yield(provider.Page{}, err)
				return
			}
			namespaces = []string{me.Username}
		}
		if user := c.User(q.Host); len(namespaces) == 0 && user != "" && user != "token" {
			// A user's or a robot's (org+robot) namespace: its public
			// repositories (the API takes no password).
			namespaces = []string{quayNamespace(user)}
		}
		if len(namespaces) == 0 {
			if len(r.Repositories) == 0 {
				yield(provider.Page{}, fmt.Errorf("%s lists repositories by namespace: add `namespaces:` (users or organisations) or `repositories:` for host %s in wharf's config.yaml, or `docker login -u '$oauthtoken' %s` with an OAuth token", q.Host, q.Host, q.Host))
			}
			return
		}
		for _, ns := range namespaces {
			u := q.base() + "/api/v1/repository?namespace=" + url.QueryEscape(ns)
			for u != "" {
				var page struct {
					Repositories []struct {
						Namespace string `json:"namespace"`
						Name      string `json:"name"`
					} `json:"repositories"`
					NextPage string `json:"next_page"`
				}
				if _, err := c.Call(ctx, provider.APICall{Op: "list repositories of " + ns, Registry: q.Host, Advice: quayAdvice, URL: u, Token: token}, &page); err != nil {
					yield(provider.Page{}, err)
					return
				}
				items := make([]string, 0, len(page.Repositories))
				for _, r := range page.Repositories {
					items = append(items, r.Namespace+"/"+r.Name)
				}
				if !yield(provider.Page{Items: items, Note: q.Host + "/" + ns + " through Quay's API"}, nil) {
					return
				}
				u = ""
				if page.NextPage != "" {
					u = q.base() + "/api/v1/repository?namespace=" + url.QueryEscape(ns) + "&next_page=" + url.QueryEscape(page.NextPage)
				}
			}
		}
	}
}

// quayTag is the documented shape of a tag in Quay's tag listing.
type quayTag struct {
	Name           string `json:"name"`
	ManifestDigest string `json:"manifest_digest"`
	Size           int64  `json:"size"`
	StartTS        int64  `json:"start_ts"`
	LastModified   string `json:"last_modified"`
}

// TagPages lists a repository's active tags through Quay's API, 100 a
// page, each with its digest, size and the time it was pushed.
func (q quay) TagPages(ctx context.Context, repo name.Repository) iter.Seq2[[]domain.TagInfo, error] {
	return func(yield func([]domain.TagInfo, error) bool) {
		token := q.apiToken(ctx)
		r := repo.RepositoryStr()
		for page := 1; ; page++ {
			u := fmt.Sprintf("%s/api/v1/repository/%s/tag/?onlyActiveTags=true&limit=100&page=%d", q.base(), r, page)
			var body struct {
				Tags          []quayTag `json:"tags"`
				HasAdditional bool      `json:"has_additional"`
			}
			if _, err := q.Client.Call(ctx, provider.APICall{Op: "list tags of " + r, Registry: q.Host, Advice: quayAdvice, URL: u, Token: token}, &body); err != nil {
				if page == 1 && token == "" && (errors.Is(err, provider.ErrUnauthorized) || errors.Is(err, provider.ErrDenied)) {
					// A private repository and no OAuth token: the
					// registry API lists it for the docker credentials.
					for infos, err := range q.Distribution.TagPages(ctx, repo) {
						if !yield(infos, err) || err != nil {
							return
						}
					}
					return
				}
				yield(nil, err)
				return
			}
			infos := make([]domain.TagInfo, 0, len(body.Tags))
			for _, t := range body.Tags {
				info := domain.TagInfo{Tag: t.Name, Digest: t.ManifestDigest, Size: t.Size}
				if t.StartTS > 0 {
					info.Pushed = time.Unix(t.StartTS, 0).UTC()
				} else if ts, err := time.Parse(time.RFC1123Z, t.LastModified); err == nil {
					info.Pushed = ts.UTC()
				}
				infos = append(infos, info)
			}
			if !yield(infos, nil) || !body.HasAdditional {
				return
			}
		}
	}
}

// DeleteTag deletes exactly the tag through Quay's API with an OAuth token;
// with other credentials, as distribution does.
func (q quay) DeleteTag(ctx context.Context, w *remote.Pusher, req provider.DeleteRequest) (domain.DeletePath, error) {
	token := q.apiToken(ctx)
	if token == "" {
		return q.Distribution.DeleteTag(ctx, w, req)
	}
	r := req.Tag.RepositoryStr()
	_, err := q.Client.Call(ctx, provider.APICall{
		Op: "delete " + req.Tag.String(), Registry: q.Host, Advice: quayAdvice, Method: http.MethodDelete,
		URL: q.base() + "/api/v1/repository/" + r + "/tag/" + url.PathEscape(req.Tag.TagStr()), Token: token,
		OK: []int{http.StatusNoContent, http.StatusOK, http.StatusAccepted},
	}, nil)
	if err != nil {
		var e *provider.Error
		if errors.As(err, &e) && e.Status == http.StatusForbidden {
			e.Detail += ": the token may not write to " + r + " (an OAuth token with repo:write, or an admin of the organisation)"
		}
		return "", err
	}
	return domain.DeletedByAPI, nil
}

// quayAdvice says what Quay's API takes.
const quayAdvice = "Quay's API takes an OAuth token: `docker login -u '$oauthtoken' -p TOKEN` (an application's token from Quay's settings)"

// quayNamespace is the namespace part of a robot account's name
// (org+robot → org).
func quayNamespace(user string) string {
	ns, _, _ := strings.Cut(user, "+")
	return ns
}

// deletesThroughAPI: with an OAuth token (else as distribution).
func (q quay) DeletesThroughAPI(ctx context.Context) string {
	if q.apiToken(ctx) == "" {
		return ""
	}
	return "Quay's API"
}

// Serves reports whether host is one of quay.io (a self-hosted Quay is named by provider: quay).
func Serves(host string) bool { return host == "quay.io" }

// New is Quay's provider.
func New(h provider.Host, host string) provider.Provider {
	return quay{distribution.NewOwnAPI(h, host)}
}
