package acr

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

	"github.com/wharf-dev/wharf/registryclient/distribution"
	"github.com/wharf-dev/wharf/registryclient/provider"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/domain"
)

// acrAADUser is the user name `az acr login` stores with a refresh token
// as the password.
const acrAADUser = "00000000-0000-0000-0000-000000000000"

// acr is Azure Container Registry: the distribution API for images, and
// ACR's /acr/v1/ API for the catalog, the tags with their digests, times and
// locks (changeableAttributes), and deleting one tag.
type acr struct{ distribution.OwnAPI }

func (acr) Name() string { return "Azure Container Registry" }

func (a acr) Paths(provider.Capabilities) []domain.ActionPath {
	return []domain.ActionPath{
		{Action: "list repositories", Path: "ACR's API: GET /acr/v1/_catalog, paged"},
		{Action: "list tags", Path: "ACR's API: GET /acr/v1/{name}/_tags and /_manifests, paged, with digests, sizes, times and locks: no HEADs"},
		{Action: "delete tag", Path: "ACR's API: DELETE /acr/v1/{name}/_tags/{tag} (the other tags keep the image); a tag with deleteEnabled false is refused up front"},
		{Action: "retag, undo", Path: "PUT /v2/{name}/manifests/{tag}; a tag with writeEnabled false is refused up front"},
	}
}

// base is the registry's own URL (its API lives on the registry host).
func (a acr) base() string { return a.OnHost() }

// token is an ACR access token for scope, exchanged at the registry's
// oauth2 endpoint from the docker credentials: `az acr login`'s refresh
// token (user 00000000-…) by the refresh_token grant, an admin user's or a
// repository-scoped token's password by the password grant.
func (a acr) token(ctx context.Context, scope string) (string, error) {
	key := "acr " + a.Host + " " + scope
	if t, ok := a.Client.Tokens().Get(key); ok {
		return t, nil
	}
	cfg, err := a.Client.Credentials(ctx, a.Host)
	if err != nil {
		return "", err
	}
	if cfg == nil {
		return "", &provider.Error{Op: "log in to ACR", Registry: a.Host, Kind: provider.ErrUnauthorized, Detail: "no docker credentials for " + a.Host, Advice: a.advice()}
	}
	form := url.Values{"service": {a.Host}, "scope": {scope}}
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
	if _, err := a.Client.Call(ctx, provider.APICall{Op: "log in to ACR", Registry: a.Host, Advice: a.advice(), Method: http.MethodPost, URL: a.base() + "/oauth2/token", Form: form}, &tok); err != nil {
		return "", err
	}
	a.Client.Tokens().Put(key, tok.AccessToken, 50*time.Minute)
	return tok.AccessToken, nil
}

// advice says where ACR's API takes its credentials from.
func (a acr) advice() string {
	return "`az acr login --name " + strings.TrimSuffix(a.Host, ".azurecr.io") + "`, or `docker login " + a.Host + "` with an admin user or a token"
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
		h, err := a.Client.Call(ctx, provider.APICall{Op: op, Registry: a.Host, Advice: a.advice(), URL: next, Token: token}, &page)
		if err != nil {
			return err
		}
		if !each(&page) {
			return nil
		}
		next = provider.NextLink(h, a.base())
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
func (a acr) Repositories(ctx context.Context, _ string) iter.Seq2[provider.Page, error] {
	return func(yield func(provider.Page, error) bool) {
		stopped := false
		err := a.pages(ctx, "list repositories", "registry:catalog:*", "/acr/v1/_catalog?n="+strconv.Itoa(distribution.PageSize), func(p *acrListing) bool {
			if !yield(provider.Page{Items: p.Repositories}, nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield(provider.Page{}, err)
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
		err := a.pages(ctx, op, scope, "/acr/v1/"+r+"/_manifests?n="+strconv.Itoa(distribution.PageSize), func(p *acrListing) bool {
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
		err = a.pages(ctx, op, scope, "/acr/v1/"+r+"/_tags?n="+strconv.Itoa(distribution.PageSize), func(p *acrListing) bool {
			infos := make([]domain.TagInfo, 0, len(p.Tags))
			for _, t := range p.Tags {
				infos = append(infos, domain.TagInfo{
					Tag: t.Name, Digest: t.Digest, Size: sizes[t.Digest], Pushed: provider.FirstTime(t.LastUpdateTime, t.CreatedTime),
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
	_, err = a.Client.Call(ctx, provider.APICall{Op: op, Registry: a.Host, Advice: a.advice(), URL: a.base() + "/acr/v1/" + r + "/_tags/" + url.PathEscape(tag.TagStr()), Token: token}, &body)
	return body.Tag.Attributes, err
}

// Guard refuses a write to a locked tag before anything is sent: a delete
// of a tag with deleteEnabled false, a move of one with writeEnabled false.
func (a acr) Guard(ctx context.Context, w provider.TagWrite) error {
	if !w.Exists {
		return nil
	}
	attrs, err := a.attributes(ctx, w.Op, w.Tag)
	if errors.Is(err, provider.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	lock := func(attr, flag string) error {
		return &provider.Error{Op: w.Op, Registry: a.Host, Kind: provider.ErrLocked, Detail: fmt.Sprintf("ACR has the tag locked (%s false); nothing was changed: `az acr repository update --name %s --image %s:%s --%s true` unlocks it",
			attr, strings.TrimSuffix(a.Host, ".azurecr.io"), w.Tag.RepositoryStr(), w.Tag.TagStr(), flag)}
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
func (a acr) DeleteTag(ctx context.Context, _ *remote.Pusher, req provider.DeleteRequest) (domain.DeletePath, error) {
	r := req.Tag.RepositoryStr()
	token, err := a.token(ctx, "repository:"+r+":delete")
	if err != nil {
		return "", err
	}
	_, err = a.Client.Call(ctx, provider.APICall{
		Op: "delete " + req.Tag.String(), Registry: a.Host, Advice: a.advice(), Method: http.MethodDelete,
		URL: a.base() + "/acr/v1/" + r + "/_tags/" + url.PathEscape(req.Tag.TagStr()), Token: token,
		OK: []int{http.StatusAccepted, http.StatusOK, http.StatusNoContent},
	}, nil)
	if err != nil {
		var e *provider.Error
		if errors.As(err, &e) && e.Status == http.StatusMethodNotAllowed {
			e.Kind = provider.ErrLocked
			e.Detail = "ACR refuses to delete it (" + e.Detail + "): the tag or repository has deleteEnabled false (`az acr repository update --delete-enabled true` unlocks it)"
		}
		return "", err
	}
	return domain.DeletedByAPI, nil
}

func (acr) DeletesThroughAPI(context.Context) string { return "ACR's API" }

// Serves reports whether host is one of Azure's registries.
func Serves(host string) bool { return strings.HasSuffix(host, ".azurecr.io") }

// New is ACR's provider.
func New(h provider.Host, host string) provider.Provider {
	return acr{distribution.NewOwnAPI(h, host)}
}
