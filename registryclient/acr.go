package registryclient

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/domain"
)

// acrAADUser is the user name `az acr login` stores with a refresh token
// as the password.
const acrAADUser = "00000000-0000-0000-0000-000000000000"

func init() {
	register("acr", func(host string) bool { return strings.HasSuffix(host, ".azurecr.io") }, func(c *Client, host string) Provider {
		return acr{newOwnAPI(c, host)}
	})
}

// acr is Azure Container Registry: the distribution API for images, and
// ACR's /acr/v1/ API for the catalog, the tags with their digests, times and
// locks (changeableAttributes), and deleting one tag.
type acr struct{ ownAPI }

func (acr) Name() string { return "Azure Container Registry" }

func (a acr) Paths(Capabilities) []domain.ActionPath {
	return []domain.ActionPath{
		{Action: "list repositories", Path: "ACR's API: GET /acr/v1/_catalog, paged"},
		{Action: "list tags", Path: "ACR's API: GET /acr/v1/{name}/_tags and /_manifests, paged, with digests, sizes, times and locks: no HEADs"},
		{Action: "delete tag", Path: "ACR's API: DELETE /acr/v1/{name}/_tags/{tag} (the other tags keep the image); a tag with deleteEnabled false is refused up front"},
		{Action: "retag, undo", Path: "PUT /v2/{name}/manifests/{tag}; a tag with writeEnabled false is refused up front"},
	}
}

// base is the registry's own URL (its API lives on the registry host).
func (a acr) base() string { return a.onHost() }

// token is an ACR access token for scope, exchanged at the registry's
// oauth2 endpoint from the docker credentials: `az acr login`'s refresh
// token (user 00000000-…) by the refresh_token grant, an admin user's or a
// repository-scoped token's password by the password grant.
func (a acr) token(ctx context.Context, scope string) (string, error) {
	key := "acr " + a.host + " " + scope
	if t, ok := a.c.apiTokens.get(key); ok {
		return t, nil
	}
	cfg, err := a.c.credentials(ctx, a.host)
	if err != nil {
		return "", err
	}
	if cfg == nil {
		return "", &Error{Op: "log in to ACR", Registry: a.host, Kind: ErrUnauthorized, Detail: "no docker credentials for " + a.host, Advice: a.advice()}
	}
	form := url.Values{"service": {a.host}, "scope": {scope}}
	switch {
	case cfg.IdentityToken != "":
		form.Set("grant_type", "refresh_token")
		form.Set("refresh_token", cfg.IdentityToken)
	case cfg.Username == acrAADUser:
		form.Set("grant_type", "refresh_token")
		form.Set("refresh_token", cfg.Password)
	default:
		form.Set("grant_type", "password")
		form.Set("username", cfg.Username)
		form.Set("password", cfg.Password)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if _, err := a.c.call(ctx, apiCall{op: "log in to ACR", registry: a.host, advice: a.advice(), method: http.MethodPost, url: a.base() + "/oauth2/token", form: form}, &tok); err != nil {
		return "", err
	}
	a.c.apiTokens.put(key, tok.AccessToken, 50*time.Minute)
	return tok.AccessToken, nil
}

// advice says where ACR's API takes its credentials from.
func (a acr) advice() string {
	return "`az acr login --name " + strings.TrimSuffix(a.host, ".azurecr.io") + "`, or `docker login " + a.host + "` with an admin user or a token"
}

// pages GETs an /acr/v1 listing page by page, following its Link header.
func (a acr) pages(ctx context.Context, op, scope, path string, each func(v *acrListing) bool) error {
	token, err := a.token(ctx, scope)
	if err != nil {
		return err
	}
	next := a.base() + path
	for next != "" {
		var page acrListing
		h, err := a.c.call(ctx, apiCall{op: op, registry: a.host, advice: a.advice(), url: next, token: token}, &page)
		if err != nil {
			return err
		}
		if !each(&page) {
			return nil
		}
		next = nextLink(h, a.base())
	}
	return nil
}

// acrListing is the documented shape of ACR's catalog, tag and manifest
// listings (each fills its part).
type acrListing struct {
	Repositories []string      `json:"repositories"`
	Tags         []acrTag      `json:"tags"`
	Manifests    []acrManifest `json:"manifests"`
}

type acrTag struct {
	Name           string        `json:"name"`
	Digest         string        `json:"digest"`
	CreatedTime    string        `json:"createdTime"`
	LastUpdateTime string        `json:"lastUpdateTime"`
	Attributes     acrAttributes `json:"changeableAttributes"`
}

type acrManifest struct {
	Digest    string `json:"digest"`
	ImageSize int64  `json:"imageSize"`
}

type acrAttributes struct {
	DeleteEnabled *bool `json:"deleteEnabled"`
	WriteEnabled  *bool `json:"writeEnabled"`
}

// Repositories lists ACR's catalog through its API.
func (a acr) Repositories(ctx context.Context, _ string) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) {
		stopped := false
		err := a.pages(ctx, "list repositories", "registry:catalog:*", "/acr/v1/_catalog?n="+strconv.Itoa(pageSize), func(p *acrListing) bool {
			if !yield(Page{Items: p.Repositories}, nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield(Page{}, err)
		}
	}
}

// TagPages lists a repository's tags through ACR's API: its manifests first
// (for their sizes), then its tags, with digests, times and locks.
func (a acr) TagPages(ctx context.Context, repo name.Repository) iter.Seq2[[]domain.TagInfo, error] {
	return func(yield func([]domain.TagInfo, error) bool) {
		r := repo.RepositoryStr()
		scope := "repository:" + r + ":metadata_read"
		op := "list tags of " + r
		sizes := map[string]int64{}
		err := a.pages(ctx, op, scope, "/acr/v1/"+r+"/_manifests?n="+strconv.Itoa(pageSize), func(p *acrListing) bool {
			for _, m := range p.Manifests {
				sizes[m.Digest] = m.ImageSize
			}
			return true
		})
		if err != nil {
			yield(nil, err)
			return
		}
		stopped := false
		err = a.pages(ctx, op, scope, "/acr/v1/"+r+"/_tags?n="+strconv.Itoa(pageSize), func(p *acrListing) bool {
			infos := make([]domain.TagInfo, 0, len(p.Tags))
			for _, t := range p.Tags {
				infos = append(infos, domain.TagInfo{
					Tag: t.Name, Digest: t.Digest, Size: sizes[t.Digest], Pushed: firstTime(t.LastUpdateTime, t.CreatedTime),
					Immutable: t.Attributes.WriteEnabled != nil && !*t.Attributes.WriteEnabled,
				})
			}
			if !yield(infos, nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield(nil, err)
		}
	}
}

// attributes are a tag's locks as ACR's API says them.
func (a acr) attributes(ctx context.Context, op string, tag name.Tag) (acrAttributes, error) {
	r := tag.RepositoryStr()
	token, err := a.token(ctx, "repository:"+r+":metadata_read")
	if err != nil {
		return acrAttributes{}, err
	}
	var body struct {
		Tag acrTag `json:"tag"`
	}
	_, err = a.c.call(ctx, apiCall{op: op, registry: a.host, advice: a.advice(), url: a.base() + "/acr/v1/" + r + "/_tags/" + url.PathEscape(tag.TagStr()), token: token}, &body)
	return body.Tag.Attributes, err
}

// Guard refuses a write to a locked tag before anything is sent: a delete
// of a tag with deleteEnabled false, a move of one with writeEnabled false.
func (a acr) Guard(ctx context.Context, w TagWrite) error {
	if !w.Exists {
		return nil
	}
	attrs, err := a.attributes(ctx, w.Op, w.Tag)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	lock := func(attr, flag string) error {
		return &Error{Op: w.Op, Registry: a.host, Kind: ErrLocked, Detail: fmt.Sprintf("ACR has the tag locked (%s false); nothing was changed: `az acr repository update --name %s --image %s:%s --%s true` unlocks it",
			attr, strings.TrimSuffix(a.host, ".azurecr.io"), w.Tag.RepositoryStr(), w.Tag.TagStr(), flag)}
	}
	switch {
	case w.Delete && attrs.DeleteEnabled != nil && !*attrs.DeleteEnabled:
		return lock("deleteEnabled", "delete-enabled")
	case !w.Delete && attrs.WriteEnabled != nil && !*attrs.WriteEnabled:
		return lock("writeEnabled", "write-enabled")
	}
	return nil
}

// DeleteTag deletes exactly the tag through ACR's API; the manifest and its
// other tags stay.
func (a acr) DeleteTag(ctx context.Context, _ *remote.Pusher, req DeleteRequest) (domain.DeletePath, error) {
	r := req.Tag.RepositoryStr()
	token, err := a.token(ctx, "repository:"+r+":delete")
	if err != nil {
		return "", err
	}
	_, err = a.c.call(ctx, apiCall{
		op: "delete " + req.Tag.String(), registry: a.host, advice: a.advice(), method: http.MethodDelete,
		url: a.base() + "/acr/v1/" + r + "/_tags/" + url.PathEscape(req.Tag.TagStr()), token: token,
		ok: []int{http.StatusAccepted, http.StatusOK, http.StatusNoContent},
	}, nil)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusMethodNotAllowed {
			e.Kind = ErrLocked
			e.Detail = "ACR refuses to delete it (" + e.Detail + "): the tag or repository has deleteEnabled false (`az acr repository update --delete-enabled true` unlocks it)"
		}
		return "", err
	}
	return domain.DeletedByAPI, nil
}

func (acr) deletesThroughAPI(context.Context) string { return "ACR's API" }
