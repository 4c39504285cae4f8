// Package status compares the local engine's tags with the same tags in
// their registries: up to date, stale, local only, remote only. It is the
// shared core of `wharf status` and the Local pane's marks; it talks to the
// engine and the registries only through the listing it is given and the
// narrow Remote interface, and imports neither client.
package status

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wharf-dev/wharf/internal/ref"

	"golang.org/x/sync/errgroup"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Remote is what the comparison asks of the registries.
type Remote interface {
	// Resolve returns the digest a tag names now (a HEAD); an error
	// matching ErrNotFound means there is no such tag.
	Resolve(ctx context.Context, reference string) (string, error)
	// Tags lists a repository's tags.
	Tags(ctx context.Context, repository string) ([]string, error)
	// Created reports each digest's creation time.
	Created(ctx context.Context, repository string, digests []string, each func(digest string, created time.Time, err error)) error
}

// Options narrow and tune a comparison.
type Options struct {
	// Known reports whether wharf knows the registry host (it is
	// configured, in the docker config, or Docker Hub); tags of others are
	// left out.
	Known func(host string) bool
	// NotFound reports whether an error from Resolve means "no such tag".
	NotFound func(error) bool
	// Only keeps the tags whose repository (host/path) has one of these
	// prefixes; empty keeps all.
	Only []string
	// RemoteOnly also lists the repository's tags that are not local
	// (a tag listing per repository).
	RemoteOnly bool
	// Concurrency caps parallel requests (default 8).
	Concurrency int
}

// localTag is one tag of a local image, in full.
type localTag struct {
	ref, local, repo, tag, host string
	image                       domain.LocalImage
	digest                      string
}

// Compare states every local tag whose registry is known against its
// registry, in reference order (remote-only tags after the local ones of
// their repository).
func Compare(ctx context.Context, images []domain.LocalImage, remote Remote, opts Options) ([]domain.SyncStatus, error) {
	tags := localTags(images, opts)
	out := make([]domain.SyncStatus, len(tags))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(opts.Concurrency, 8))
	for i, lt := range tags {
		g.Go(func() error {
			out[i] = compareOne(gctx, remote, lt, opts)
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	addCreated(ctx, remote, out)
	if opts.RemoteOnly {
		out = append(out, remoteOnly(ctx, remote, tags, opts)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Repository != out[j].Repository {
			return out[i].Repository < out[j].Repository
		}
		if (out[i].State == domain.SyncRemoteOnly) != (out[j].State == domain.SyncRemoteOnly) {
			return out[j].State == domain.SyncRemoteOnly
		}
		return out[i].Tag < out[j].Tag
	})
	return out, nil
}

// localTags are the images' tags in registries wharf knows, with the
// image's digest in each tag's repository.
func localTags(images []domain.LocalImage, opts Options) []localTag {
	var out []localTag
	for _, img := range images {
		digests := map[string]string{}
		for _, rd := range img.RepoDigests {
			if r, err := ref.Parse(rd); err == nil && r.Digest() != "" {
				digests[r.Repository()] = r.Digest()
			}
		}
		for _, rt := range img.RepoTags {
			r, err := ref.Parse(rt)
			if err != nil || r.Tag() == "" {
				continue
			}
			host := r.Domain()
			if opts.Known != nil && !opts.Known(host) {
				continue
			}
			repo := r.Repository()
			if len(opts.Only) > 0 && !slices.ContainsFunc(opts.Only, func(p string) bool { return strings.HasPrefix(repo, normalizePrefix(p)) }) {
				continue
			}
			out = append(out, localTag{
				ref: repo + ":" + r.Tag(), local: rt, repo: repo, tag: r.Tag(), host: host,
				image: img, digest: digests[repo],
			})
		}
	}
	return out
}

// normalizePrefix makes "app" mean Docker Hub's "docker.io/library/app", as
// the docker CLI does; a bare host ("registry.local:5000", "ghcr.io")
// means every repository there.
func normalizePrefix(p string) string {
	if !strings.Contains(p, "/") && (strings.ContainsAny(p, ".:") || p == "localhost") {
		return p + "/"
	}
	if r, err := ref.Parse(p); err == nil {
		return r.Repository()
	}
	return p
}

func compareOne(ctx context.Context, remote Remote, lt localTag, opts Options) domain.SyncStatus {
	s := domain.SyncStatus{
		Reference: lt.ref, Local: lt.local, Repository: lt.repo, Tag: lt.tag,
		LocalID: lt.image.ID, LocalDigest: lt.digest, LocalCreated: lt.image.Created,
	}
	d, err := remote.Resolve(ctx, lt.ref)
	switch {
	case err != nil && opts.NotFound != nil && opts.NotFound(err):
		s.State = domain.SyncLocalOnly
	case err != nil:
		s.State, s.Err = domain.SyncUnknown, err.Error()
	case d == lt.digest:
		s.State, s.RemoteDigest = domain.SyncUpToDate, d
	default:
		s.State, s.RemoteDigest = domain.SyncStale, d
		s.Moved = lt.digest != ""
	}
	return s
}

// addCreated finds when the remote images of stale tags were made, so both
// ages can be shown.
func addCreated(ctx context.Context, remote Remote, out []domain.SyncStatus) {
	byRepo := map[string][]string{}
	for _, s := range out {
		if s.State == domain.SyncStale && !slices.Contains(byRepo[s.Repository], s.RemoteDigest) {
			byRepo[s.Repository] = append(byRepo[s.Repository], s.RemoteDigest)
		}
	}
	var mu sync.Mutex
	created := map[string]time.Time{}
	for repo, digests := range byRepo {
		_ = remote.Created(ctx, repo, digests, func(d string, t time.Time, err error) {
			if err == nil {
				mu.Lock()
				created[repo+"@"+d] = t
				mu.Unlock()
			}
		})
	}
	for i := range out {
		if t, ok := created[out[i].Repository+"@"+out[i].RemoteDigest]; ok {
			out[i].RemoteCreated = t
		}
	}
}

// remoteOnly lists, for each repository with a local tag, the tags that
// are only in the registry.
func remoteOnly(ctx context.Context, remote Remote, tags []localTag, opts Options) []domain.SyncStatus {
	local := map[string]map[string]bool{}
	for _, lt := range tags {
		if local[lt.repo] == nil {
			local[lt.repo] = map[string]bool{}
		}
		local[lt.repo][lt.tag] = true
	}
	repos := slices.Sorted(maps.Keys(local))
	results := make([][]domain.SyncStatus, len(repos))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(opts.Concurrency, 8))
	for i, repo := range repos {
		g.Go(func() error {
			all, err := remote.Tags(gctx, repo)
			if err != nil {
				if opts.NotFound == nil || !opts.NotFound(err) {
					results[i] = []domain.SyncStatus{{Reference: repo, Repository: repo, State: domain.SyncUnknown, Err: "listing tags: " + err.Error()}}
				}
				return nil
			}
			for _, t := range all {
				if !local[repo][t] {
					results[i] = append(results[i], domain.SyncStatus{Reference: repo + ":" + t, Repository: repo, Tag: t, State: domain.SyncRemoteOnly})
				}
			}
			return nil
		})
	}
	_ = g.Wait()
	var out []domain.SyncStatus
	for _, r := range results {
		out = append(out, r...)
	}
	return out
}
