package registryclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
)

// Page is one page of a repository listing (see domain.CatalogPage).
type Page = domain.CatalogPage

// CatalogPages lists a registry's repositories page by page (following the
// Link header). A registry that refuses _catalog (GHCR, ECR, …) is answered
// from the repositories configured for it, with a note; with none
// configured the error says how to add them. Docker Hub, which has no
// catalog, is answered from its configured repositories and, for its
// configured namespaces (or the logged-in user's), from Hub's repositories
// API; GHCR likewise from GitHub's packages API.
func (c *Client) CatalogPages(ctx context.Context, host string) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) {
		switch config.NormalizeHost(host) {
		case domain.DockerHub:
			c.hubCatalog(ctx, yield)
			return
		case domain.GHCR:
			c.ghcrCatalog(ctx, yield)
			return
		}
		reg, err := c.parseRegistry(host)
		if err != nil {
			yield(Page{}, &Error{Op: "list repositories", Registry: host, Kind: ErrInvalidReference, Detail: err.Error(), Err: err})
			return
		}
		p, err := c.puller(ctx, host)
		if err != nil {
			yield(Page{}, err)
			return
		}
		cat, err := p.Catalogger(ctx, reg)
		if err != nil {
			err = c.classify("list repositories", host, err)
			if refusesCatalog(err) {
				c.configuredRepositories(host, err, yield)
				return
			}
			yield(Page{}, err)
			return
		}
		for cat.HasNext() {
			page, err := cat.Next(ctx)
			if err != nil {
				yield(Page{}, c.classify("list repositories", host, err))
				return
			}
			if !yield(Page{Items: page.Repos}, nil) {
				return
			}
		}
	}
}

// refusesCatalog: the registry has no catalog for us (Docker Hub answers
// 401 even with credentials, GHCR 403/404, ECR 405 …).
func refusesCatalog(err error) bool {
	return errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrDenied) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnsupported)
}

func (c *Client) configuredRepositories(host string, why error, yield func(Page, error) bool) {
	r := c.registries[config.NormalizeHost(host)]
	if len(r.Repositories) == 0 {
		yield(Page{}, fmt.Errorf("%w; this registry does not list its repositories: add them under `repositories:` for %s in %s%s", why, host, "wharf's config.yaml", providerHint(host)))
		return
	}
	var kind string
	var e *Error
	if errors.As(why, &e) {
		kind = e.Kind.Error()
	}
	yield(Page{Items: r.Repositories, Configured: true, Note: fmt.Sprintf("%s refuses its catalog (%s): showing the repositories configured for it", host, kind)}, nil)
}

// Catalog lists all of a registry's repositories (see CatalogPages).
func (c *Client) Catalog(ctx context.Context, host string) ([]string, error) {
	var all []string
	for page, err := range c.CatalogPages(ctx, host) {
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
	}
	return all, nil
}

// pageSize is the n wharf asks catalogs and tag lists for: the most ECR and
// registry:2 ≥ 2.8 accept (more is refused with PAGINATION_NUMBER_INVALID).
const pageSize = 1000

// TagPages lists a repository's tags page by page. registry:2 2.8 returns
// every tag at once; distribution v3 and most clouds page at 1000 with a Link
// header. A registry that cuts a page at n without a Link header (go-
// containerregistry's own in-process registry does) is asked again from the
// last tag, as the distribution spec allows.
func (c *Client) TagPages(ctx context.Context, repository string) iter.Seq2[[]string, error] {
	return func(yield func([]string, error) bool) {
		repo, err := c.parseRepository(repository)
		if err != nil {
			yield(nil, invalidReference("list tags", repository, err))
			return
		}
		host := repo.RegistryStr()
		p, err := c.puller(ctx, host)
		if err != nil {
			yield(nil, err)
			return
		}
		lister, err := p.Lister(ctx, repo)
		if err != nil {
			yield(nil, c.classify("list tags", host, err))
			return
		}
		var last []string
		for lister.HasNext() {
			page, err := lister.Next(ctx)
			if err != nil {
				yield(nil, c.classify("list tags", host, err))
				return
			}
			last = page.Tags
			if !yield(page.Tags, nil) {
				return
			}
		}
		if len(last) == pageSize {
			c.tagPagesAfter(ctx, repo, last[len(last)-1], yield)
		}
	}
}

// tagPagesAfter continues a listing with ?last= for registries that send no
// Link header.
func (c *Client) tagPagesAfter(ctx context.Context, repo name.Repository, last string, yield func([]string, error) bool) {
	host := repo.RegistryStr()
	hc, err := c.scopedClient(ctx, repo.Registry, repo.Scope(transport.PullScope))
	if err != nil {
		yield(nil, c.classify("list tags", host, err))
		return
	}
	for {
		u := url.URL{
			Scheme: repo.Scheme(), Host: host, Path: "/v2/" + repo.RepositoryStr() + "/tags/list",
			RawQuery: url.Values{"n": {strconv.Itoa(pageSize)}, "last": {last}}.Encode(),
		}
		page, err := getTags(ctx, hc, u.String())
		if err != nil {
			yield(nil, c.classify("list tags", host, err))
			return
		}
		// Keep only tags after last: a registry that ignores last (or
		// returns everything when last is past the end) must not loop.
		fresh := page[:0]
		for _, t := range page {
			if t > last {
				fresh = append(fresh, t)
			}
		}
		if len(fresh) == 0 {
			return
		}
		if !yield(fresh, nil) || len(page) < pageSize {
			return
		}
		last = fresh[len(fresh)-1]
	}
}

func getTags(ctx context.Context, hc *http.Client, u string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		return nil, err
	}
	var body struct {
		Tags []string `json:"tags"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("reading tag list: %w", err)
	}
	return body.Tags, nil
}

// Tags lists all of a repository's tags (see TagPages), and records the
// list in the cache.
func (c *Client) Tags(ctx context.Context, repository string) ([]string, error) {
	var all []string
	for page, err := range c.TagPages(ctx, repository) {
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
	}
	if c.cache != nil {
		if repo, err := c.parseRepository(repository); err == nil {
			_ = c.cache.PutTags(repo.String(), all)
		}
	}
	return all, nil
}

// providerHint says where a cloud registry's users find their repository
// names, for the message that asks them to configure the list.
func providerHint(host string) string {
	h := config.NormalizeHost(host)
	switch {
	case strings.HasSuffix(h, ".amazonaws.com"):
		return " (Amazon ECR: `aws ecr describe-repositories` lists them)"
	case strings.HasSuffix(h, "-docker.pkg.dev"), h == "gcr.io", strings.HasSuffix(h, ".gcr.io"):
		return " (Google Artifact Registry: `gcloud artifacts docker images list` lists them)"
	case strings.HasSuffix(h, ".azurecr.io"):
		return " (Azure Container Registry: `az acr repository list` lists them)"
	case h == "registry.gitlab.com" || strings.HasPrefix(h, "registry.gitlab."):
		return " (GitLab: each project's Deploy › Container Registry page shows them)"
	}
	return ""
}
