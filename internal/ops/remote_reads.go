package ops

// What the app reads of the registries, by the interfaces its panes declare
// (cmd/wharf holds each at compile time): the registry client's methods,
// named one by one, so the app is handed what it uses and no more.

import (
	"context"
	"iter"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/registryclient"
)

// AskRateBudget asks host for its budget when its provider knows a request
// that tells it for free (Docker Hub: a HEAD of Docker's test image), and
// returns what host last stated otherwise.
func (r *Remote) AskRateBudget(ctx context.Context, host string) (registryclient.RateBudget, bool, error) {
	return r.c.AskRateBudget(ctx, host)
}

// Capabilities returns what the registry can do: from memory, else from the
// disk cache when younger than ProbeTTL, else from a new probe.
func (r *Remote) Capabilities(ctx context.Context, host string) (registryclient.Capabilities, error) {
	return r.c.Capabilities(ctx, host)
}

// CatalogPages lists a registry's repositories page by page (following the
// Link header). A registry that refuses _catalog (GHCR, ECR, …) is answered
// from the repositories configured for it, with a note; with none
// configured the error says how to add them. Docker Hub, which has no
// catalog, is answered from its configured repositories and, for its
// configured namespaces (or the logged-in user's), from Hub's repositories
// API; GHCR likewise from GitHub's packages API.
//
// A listing that runs to its end is recorded in the cache (KnownCatalog).
func (r *Remote) CatalogPages(ctx context.Context, host string) iter.Seq2[registryclient.Page, error] {
	return r.c.CatalogPages(ctx, host)
}

// Created reports each digest's creation time (for an index, its newest
// platform's) as the descriptions return, a few at a time; a digest that
// cannot be described has err set. Cancelling ctx stops what is queued.
func (r *Remote) Created(ctx context.Context, repository string, digests []string, each func(digest string, created time.Time, err error)) error {
	return r.c.Created(ctx, repository, digests, each)
}

// DeleteRepository deletes every tag of a repository as the caller showed
// them (shown: each tag and the digest it named), a manifest at a time by
// digest, each journaled first; they are one batch, so one undo puts the
// repository back. When the repository's tags or digests are not what was
// shown, nothing is deleted. A registry that cannot delete manifests is
// refused up front, with the reason. It stops at the first manifest that
// fails (what was deleted is journaled). each hears of every manifest.
func (r *Remote) DeleteRepository(ctx context.Context, repository string, shown []domain.TagDigest, each func(domain.DeletedManifest)) (domain.RepoDeleteResult, error) {
	return r.c.DeleteRepository(ctx, repository, shown, each)
}

// Diff compares two references without pulling layers: the platforms of
// two indexes, or the layers (added, removed, shared, with sizes), config
// (labels, env, entrypoint, cmd, platform) and history of two images.
func (r *Remote) Diff(ctx context.Context, refA, refB string) (domain.Diff, error) {
	return r.c.Diff(ctx, refA, refB)
}

// Facts reports each digest's facts (creation time, size, platforms) as
// the descriptions return, a few at a time; a digest that cannot be
// described has err set. Cancelling ctx stops what is queued.
func (r *Remote) Facts(ctx context.Context, repository string, digests []string, each func(digest string, f domain.ImageFacts, err error)) error {
	return r.c.Facts(ctx, repository, digests, each)
}

// Known is what the cache knows of a repository, without the network: its
// tags and their digests, with when each was fetched.
func (r *Remote) Known(repository string) (registryclient.RepoSnapshot, bool) {
	return r.c.Known(repository)
}

// KnownCatalog is a registry's repository list as the cache last saw it
// whole, without the network.
func (r *Remote) KnownCatalog(host string) (domain.CatalogSnapshot, bool) {
	return r.c.KnownCatalog(host)
}

// LayerFiles reads the entries of each layer of reference's image, bottom
// first, handing each to each as it is read: a layer read before comes
// from the cache (its listing, by the layer's digest), any other is
// streamed once, gzip or zstd, and nothing is written but the listing.
// An index has no one file system: it is refused with its platforms'
// references to choose from.
func (r *Remote) LayerFiles(ctx context.Context, reference string, each func(i int, layer domain.Layer, entries []filetree.Entry)) error {
	return r.c.LayerFiles(ctx, reference, each)
}

// LayerFilesProgress is LayerFiles telling progress, when not nil, how
// many bytes of layers it has read (uncompressed), every few megabytes.
func (r *Remote) LayerFilesProgress(ctx context.Context, reference string, progress func(read int64), each func(i int, layer domain.Layer, entries []filetree.Entry)) error {
	return r.c.LayerFilesProgress(ctx, reference, progress, each)
}

// Listed is what the repository's last tag listing, within the last
// minute, said of each tag beyond its name (Docker Hub's, ECR's, ACR's …
// digests, sizes, push times); empty for a registry whose listing says
// only names.
func (r *Remote) Listed(repository string) map[string]domain.TagInfo {
	return r.c.Listed(repository)
}

// PlatformImages describes each platform's image of an index (its size and
// layers, and the layers it shares with the other platforms), a few at a
// time; an image that is not an index is ErrUnsupported.
func (r *Remote) PlatformImages(ctx context.Context, reference string) ([]domain.PlatformImage, error) {
	return r.c.PlatformImages(ctx, reference)
}

// RateWaits reports each wait for a registry's 429 as it starts (Until
// set) and ends (Until zero), until ctx ends.
func (r *Remote) RateWaits(ctx context.Context) <-chan domain.RateWait {
	return r.c.RateWaits(ctx)
}

// Redact takes out of msg every credential the client knows of (the docker
// credentials it read, what it sent) in every encoding, and anything that
// looks like one (domain.Redact). Text a registry said passes it before it
// is printed, shown, cached or journaled.
func (r *Remote) Redact(msg string) string {
	return r.c.Redact(msg)
}

// Referrers lists what refers to an image: the OCI 1.1 referrers API (or its
// tag schema on registries without it), and cosign-style
// sha256-<hex>.sig/.att/.sbom tags.
func (r *Remote) Referrers(ctx context.Context, reference string) ([]domain.Referrer, error) {
	return r.c.Referrers(ctx, reference)
}

// User is the name the client reaches host as, from the docker credentials
// ("" when anonymous, "token" for a token without a user name). It never
// returns a secret.
func (r *Remote) User(host string) string {
	return r.c.User(host)
}

// Digests resolves each tag's digest with HEAD requests (which Docker Hub does
// not count as pulls), DefaultDigestConcurrency (or the configured number) at
// a time over the host's one puller, so the registry is pinged and a token
// fetched once. Tags are requested in the order given: put the ones on
// screen first. each is called from several goroutines as results arrive;
// a tag that fails has Err set. Cancelling ctx stops what is still queued:
// those tags are not requested and not reported. Once the registry says its
// budget is low (a tenth left), requests go one at a time, WithPace apart.
func (r *Remote) Digests(ctx context.Context, repository string, tags []string, each func(domain.TagDigest)) error {
	return r.c.Digests(ctx, repository, tags, each)
}

// Probe asks the registry afresh what it can do, with requests that change
// nothing: /v2/ (reachable, auth), /v2/_catalog with n=1 and n=1001 (catalog,
// page size and its cap), DELETE of a tag and of a digest that do not exist
// (404 means supported, 400 by-digest-only, 405 deletes disabled) and the
// referrers of that digest. A reachable registry's answer is cached; an
// unreachable one's is returned with Reachable false and the error.
func (r *Remote) Probe(ctx context.Context, host string) (registryclient.Capabilities, error) {
	return r.c.Probe(ctx, host)
}

// RateBudget returns the request budget host last stated, if it ever did
// (Docker Hub does on every manifest request, HEAD included).
func (r *Remote) RateBudget(host string) (registryclient.RateBudget, bool) {
	return r.c.RateBudget(host)
}

// TagDigests lists a repository's tags and resolves each one's digest (see
// Digests); a tag that failed has Err set. The order is the order results
// came in.
func (r *Remote) TagDigests(ctx context.Context, repository string) ([]domain.TagDigest, error) {
	return r.c.TagDigests(ctx, repository)
}

// Tags lists all of a repository's tags (see TagInfos), and records the
// list in the cache.
func (r *Remote) Tags(ctx context.Context, repository string) ([]string, error) {
	return r.c.Tags(ctx, repository)
}
