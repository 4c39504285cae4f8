package distribution

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wharf-dev/wharf/registryclient/provider"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Distribution is the provider of registries that speak the distribution
// API and nothing else: registry:2, distribution v3, Harbor, Zot, Quay,
// the clouds' registries for what the API covers. Every other provider
// embeds it and overrides what its registry does differently.
type Distribution struct {
	// Client is what the provider asks of the client that made it.
	Client provider.Host
	// Hint says where a registry's users find their repository names when
	// it refuses its catalog (a cloud's command).
	Hint string
}

// New is the distribution provider of a host.
func New(h provider.Host, _ string) provider.Provider { return Distribution{Client: h} }

// CatalogHint says where a registry that refuses its catalog lists its
// repositories ("" when the kind does not say).
func (d Distribution) CatalogHint() string { return d.Hint }

// Name is what people call the kind.
func (Distribution) Name() string { return "distribution" }

// Repositories walks the catalog page by page (following the Link
// header). A registry that refuses it (ECR, Artifact Registry, …) is
// answered from the repositories configured for it, with a note; with
// none configured the error says how to add them.
func (d Distribution) Repositories(ctx context.Context, host string) iter.Seq2[provider.Page, error] {
	c := d.Client
	return func(yield func(provider.Page, error) bool) {
		reg, err := c.ParseRegistry(host)
		if err != nil {
			yield(provider.Page{}, &provider.Error{Op: "list repositories", Registry: host, Kind: provider.ErrInvalidReference, Detail: err.Error(), Err: err})
			return
		}
		p, err := c.Puller(ctx, host)
		if err != nil {
			yield(provider.Page{}, err)
			return
		}
		cat, err := p.Catalogger(ctx, reg)
		if err != nil {
			err = c.Classify("list repositories", host, err)
			if refusesCatalog(err) {
				d.configured(host, err, yield)
				return
			}
			yield(provider.Page{}, err)
			return
		}
		for cat.HasNext() {
			page, err := cat.Next(ctx)
			if err != nil {
				yield(provider.Page{}, c.Classify("list repositories", host, err))
				return
			}
			if !yield(provider.Page{Items: page.Repos}, nil) {
				return
			}
		}
	}
}

// GCNote is what a user of a distribution registry (registry:2, v3) must
// know about deletes.
const GCNote = "deleting frees no space until the registry's garbage collector runs (`registry garbage-collect <config.yml>`)"

// Notes — distribution (registry:2, v3) frees no space on delete until its
// garbage collector runs; said only of a registry whose /v2/ answer looks
// like distribution's (other software cleans up its own way).
func (Distribution) Notes(caps provider.Capabilities) []string {
	if caps.ManifestDelete == domain.Supported && caps.RunsDistribution() {
		return []string{GCNote}
	}
	return nil
}

// BudgetReference — none (distribution states no request budget).
func (Distribution) BudgetReference() string { return "" }

// Paths — everything through the distribution API; a tag delete by the
// first of DeleteTag's three ways the probe allows.
func (Distribution) Paths(caps provider.Capabilities) []domain.ActionPath {
	del := "DELETE /v2/{name}/manifests/{tag}"
	switch {
	case caps.TagDelete == domain.Supported:
	case caps.ManifestDelete == domain.Unsupported:
		del = "refused: deletes are disabled"
	case caps.TagDelete == domain.Unsupported:
		del = "DELETE /v2/{name}/manifests/{digest} when no other tag shares it, else the tag is pointed at a placeholder and the placeholder deleted"
	default:
		del = "DELETE by tag, else by digest or through a placeholder (the probe could not tell)"
	}
	return []domain.ActionPath{
		{Action: "list repositories", Path: "GET /v2/_catalog, paged (or the repositories configured)"},
		{Action: "list tags", Path: "GET /v2/{name}/tags/list, paged; digests by HEAD"},
		{Action: "delete tag", Path: del},
		{Action: "retag, undo", Path: "PUT /v2/{name}/manifests/{tag}"},
	}
}

// Guard — distribution refuses nothing up front.
func (Distribution) Guard(context.Context, provider.TagWrite) error { return nil }

// PutTag PUTs the manifest under the tag.
func (Distribution) PutTag(ctx context.Context, w *remote.Pusher, tag name.Tag, m remote.Taggable) error {
	return w.Put(ctx, tag, m)
}

// CheckDelete refuses when the probe found deletes disabled.
func (Distribution) CheckDelete(caps provider.Capabilities) error {
	if caps.ManifestDelete == domain.Unsupported {
		return &provider.Error{
			Kind: provider.ErrUnsupported, Status: http.StatusMethodNotAllowed,
			Detail: fmt.Sprintf("deletes are disabled on this registry (probed %s; `wharf doctor %s` probes again)", caps.Age(time.Now()), caps.Registry),
		}
	}
	return nil
}

// refusesCatalog: the registry has no catalog for us (Docker Hub answers
// 401 even with credentials, GHCR 403/404, ECR 405 …).
func refusesCatalog(err error) bool {
	return errors.Is(err, provider.ErrUnauthorized) || errors.Is(err, provider.ErrDenied) || errors.Is(err, provider.ErrNotFound) || errors.Is(err, provider.ErrUnsupported)
}

// configured answers a registry that refused its catalog from the
// repositories configured for it.
func (d Distribution) configured(host string, why error, yield func(provider.Page, error) bool) {
	r := d.Client.Settings(host)
	if len(r.Repositories) == 0 {
		if errors.Is(why, provider.ErrUnauthorized) {
			// The cause is the credentials, not the catalog: say that
			// first, and the catalog advice only as the other case.
			yield(provider.Page{}, fmt.Errorf("%w (if your credentials are right but may not read the catalog, name your repositories under `repositories:` for %s in wharf's config.yaml)", why, host))
			return
		}
		yield(provider.Page{}, fmt.Errorf("%w; this registry does not list its repositories: add them under `repositories:` for %s in %s%s", why, host, "wharf's config.yaml", d.Hint))
		return
	}
	var kind string
	var e *provider.Error
	if errors.As(why, &e) {
		kind = e.Kind.Error()
	}
	yield(provider.Page{Items: r.Repositories, Configured: true, Note: fmt.Sprintf("%s refuses its catalog (%s): showing the repositories configured for it", host, kind)}, nil)
}

// PageSize is the n wharf asks catalogs and tag lists for: the most ECR and
// registry:2 ≥ 2.8 accept (more is refused with PAGINATION_NUMBER_INVALID).
const PageSize = 1000

// TagPages lists a repository's tags page by page. registry:2 2.8 returns
// every tag at once; distribution v3 and most clouds page at 1000 with a Link
// header. A registry that cuts a page at n without a Link header (go-
// containerregistry's own in-process registry does) is asked again from the
// last tag, as the distribution spec allows.
func (d Distribution) TagPages(ctx context.Context, repo name.Repository) iter.Seq2[[]domain.TagInfo, error] {
	c := d.Client
	return func(yield func([]domain.TagInfo, error) bool) {
		host := repo.RegistryStr()
		p, err := c.Puller(ctx, host)
		if err != nil {
			yield(nil, err)
			return
		}
		lister, err := p.Lister(ctx, repo)
		if err != nil {
			yield(nil, c.Classify("list tags", host, err))
			return
		}
		var last []string
		for lister.HasNext() {
			page, err := lister.Next(ctx)
			if err != nil {
				yield(nil, c.Classify("list tags", host, err))
				return
			}
			last = page.Tags
			if !yield(tagInfos(page.Tags), nil) {
				return
			}
		}
		if len(last) == PageSize {
			d.tagPagesAfter(ctx, repo, last[len(last)-1], func(tags []string, err error) bool {
				return yield(tagInfos(tags), err)
			})
		}
	}
}

// tagPagesAfter continues a listing with ?last= for registries that send no
// Link header.
func (d Distribution) tagPagesAfter(ctx context.Context, repo name.Repository, last string, yield func([]string, error) bool) {
	c := d.Client
	host := repo.RegistryStr()
	hc, err := c.ScopedClient(ctx, repo.Registry, repo.Scope(transport.PullScope))
	if err != nil {
		yield(nil, c.Classify("list tags", host, err))
		return
	}
	for {
		u := url.URL{
			Scheme: repo.Scheme(), Host: host, Path: "/v2/" + repo.RepositoryStr() + "/tags/list",
			RawQuery: url.Values{"n": {strconv.Itoa(PageSize)}, "last": {last}}.Encode(),
		}
		page, err := getTags(ctx, hc, u.String())
		if err != nil {
			yield(nil, c.Classify("list tags", host, err))
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
		if !yield(fresh, nil) || len(page) < PageSize {
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

// tagInfos are tags a listing named and said nothing more of.
func tagInfos(tags []string) []domain.TagInfo {
	out := make([]domain.TagInfo, len(tags))
	for i, t := range tags {
		out[i] = domain.TagInfo{Tag: t}
	}
	return out
}

// DeleteTag removes the tag by the first path that works (see
// Client.DeleteTag). What the registry's probe said of DELETE by tag
// decides whether it is asked first; a registry that refuses it the way
// registries without it do falls through to the next path whatever the
// probe said (a probe can be wrong: a proxy's 404).
func (Distribution) DeleteTag(ctx context.Context, w *remote.Pusher, req provider.DeleteRequest) (domain.DeletePath, error) {
	tag, cur := req.Tag, req.Current
	if req.Caps.TagDelete != domain.Unsupported {
		err := w.Delete(ctx, tag)
		if err == nil {
			return domain.DeletedByTag, nil
		}
		var e *provider.Error
		if !errors.As(provider.Classify("", "", err), &e) || !tagDeleteUnsupported(e) {
			return "", err
		}
		if req.Caps.TagDelete == domain.Supported && req.ProbeWrong != nil {
			req.ProbeWrong()
		}
	}
	if !req.Shared {
		return domain.DeletedByDigest, w.Delete(ctx, tag.Context().Digest(cur.Digest.String()))
	}
	phDigest, err := PointAtPlaceholder(ctx, w, req)
	if err != nil {
		return "", err
	}
	if err := w.Delete(ctx, tag.Context().Digest(phDigest)); err != nil {
		return "", PutBack(ctx, w, req, err)
	}
	return domain.DeletedByPlaceholder, nil
}

// PointAtPlaceholder points req's tag at a placeholder of wharf's own
// (its digest journaled first, through req.Placeholder) and returns the
// placeholder's digest; the image the tag named keeps its other tags.
func PointAtPlaceholder(ctx context.Context, w *remote.Pusher, req provider.DeleteRequest) (string, error) {
	ph, err := placeholder(req.Tag, time.Now())
	if err != nil {
		return "", err
	}
	phDigest, err := ph.Digest()
	if err != nil {
		return "", err
	}
	if req.Placeholder != nil {
		if err := req.Placeholder(phDigest.String()); err != nil {
			return "", err
		}
	}
	if err := w.Push(ctx, req.Tag, ph); err != nil {
		// The registry may have taken the placeholder although it answered
		// otherwise: put the tag back as it was (nothing changes if it is),
		// and take the placeholder away.
		if rerr := w.Put(ctx, req.Tag, provider.ManifestOf(req.Current)); rerr == nil {
			_ = w.Delete(ctx, req.Tag.Context().Digest(phDigest.String()))
		}
		return "", err
	}
	return phDigest.String(), nil
}

// PutBack puts req's tag, left on the placeholder by a step that failed
// with err, back where it was; err is returned, saying so when that
// failed too.
func PutBack(ctx context.Context, w *remote.Pusher, req provider.DeleteRequest, err error) error {
	if rerr := w.Put(ctx, req.Tag, provider.ManifestOf(req.Current)); rerr != nil {
		return fmt.Errorf("%w; and putting %s back failed too (%w): undo the journal entry: %w", err, req.Tag, rerr, provider.ErrTagMoved)
	}
	return err
}

// tagDeleteUnsupported: the registry answered a DELETE by tag the way
// registries do that delete manifests only by digest (registry:2 says 400
// DIGEST_INVALID). A 405 is not among them: registry:2 says that when
// deletes are disabled altogether.
func tagDeleteUnsupported(e *provider.Error) bool {
	switch e.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusNotImplemented:
		return true
	}
	return false
}

// placeholder is an empty image labelled as wharf's placeholder for tag.
func placeholder(tag name.Tag, now time.Time) (v1.Image, error) {
	cf, err := empty.Image.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Config.Labels = map[string]string{provider.PlaceholderLabel: tag.String() + " " + strconv.FormatInt(now.UnixNano(), 10)}
	return mutate.ConfigFile(empty.Image, cf)
}
