package registryclient

import (
	"context"
	"iter"

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
//
// A listing that runs to its end is recorded in the cache (KnownCatalog).
func (c *Reads) CatalogPages(ctx context.Context, host string) iter.Seq2[Page, error] {
	pages := c.Provider(host).Repositories(ctx, host)
	if c.cache == nil {
		return pages
	}
	return func(yield func(Page, error) bool) {
		var all []string
		for page, err := range pages {
			if err == nil {
				all = append(all, page.Items...)
			}
			if !yield(page, err) || err != nil {
				return
			}
		}
		_ = c.cache.PutCatalog(config.NormalizeHost(host), all)
	}
}

// KnownCatalog is a registry's repository list as the cache last saw it
// whole, without the network.
func (c *Reads) KnownCatalog(host string) (domain.CatalogSnapshot, bool) {
	if c.cache == nil {
		return domain.CatalogSnapshot{}, false
	}
	return c.cache.Catalog(config.NormalizeHost(host))
}

// Catalog lists all of a registry's repositories (see CatalogPages).
func (c *Reads) Catalog(ctx context.Context, host string) ([]string, error) {
	var all []string
	for page, err := range c.CatalogPages(ctx, host) {
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
	}
	return all, nil
}

// TagPages lists a repository's tag names page by page (see TagInfoPages).
func (c *Reads) TagPages(ctx context.Context, repository string) iter.Seq2[[]string, error] {
	return func(yield func([]string, error) bool) {
		for page, err := range c.TagInfoPages(ctx, repository) {
			names := make([]string, len(page))
			for i, t := range page {
				names[i] = t.Tag
			}
			if !yield(names, err) || err != nil {
				return
			}
		}
	}
}

// Tags lists all of a repository's tags (see TagInfos), and records the
// list in the cache.
func (c *Reads) Tags(ctx context.Context, repository string) ([]string, error) {
	infos, err := c.TagInfos(ctx, repository)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(infos))
	for i, t := range infos {
		names[i] = t.Tag
	}
	return names, nil
}
