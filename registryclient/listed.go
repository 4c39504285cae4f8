package registryclient

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
)

// listedFresh is how long a digest a tag listing gave (Docker Hub's, ECR's,
// ACR's … APIs say each tag's digest) stands for the HEAD that would find
// it: Digests right after the listing asks the registry nothing.
const listedFresh = time.Minute

// askEachKey marks a context whose digests are each asked of the registry
// API, never taken from a listing (askEachDigest).
type askEachKey struct{}

// askEachDigest is ctx for a Digests that sends every HEAD.
func askEachDigest(ctx context.Context) context.Context {
	return context.WithValue(ctx, askEachKey{}, true)
}

func asksEachDigest(ctx context.Context) bool { return ctx.Value(askEachKey{}) != nil }

// listed keeps, per repository, the digests its last tag listing gave.
type listed struct {
	mu    sync.Mutex
	repos map[string]listedRepo
}

type listedRepo struct {
	at    time.Time
	infos map[string]domain.TagInfo
}

func (l *listed) put(repo string, at time.Time, infos []domain.TagInfo, fresh bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.repos == nil {
		l.repos = map[string]listedRepo{}
	}
	r, ok := l.repos[repo]
	if fresh || !ok {
		r = listedRepo{at: at, infos: map[string]domain.TagInfo{}}
	}
	for _, t := range infos {
		r.infos[t.Tag] = t
	}
	l.repos[repo] = r
}

// freshLocked is repo's last listing when it is younger than listedFresh
// (l.mu held).
func (l *listed) freshLocked(repo string, now time.Time) (listedRepo, bool) {
	r, ok := l.repos[repo]
	return r, ok && now.Sub(r.at) <= listedFresh
}

// digest is what the listing within listedFresh said tag points at.
func (l *listed) digest(repo, tag string, now time.Time) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.freshLocked(repo, now)
	t := r.infos[tag]
	return t.Digest, ok && t.Digest != ""
}

// ofDigest are the tags the listing within listedFresh said point at
// digest.
func (l *listed) ofDigest(repo, digest string, now time.Time) []domain.TagInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, _ := l.freshLocked(repo, now)
	var out []domain.TagInfo
	for _, t := range r.infos {
		if t.Digest == digest {
			out = append(out, t)
		}
	}
	return out
}

// Listed is what the repository's last tag listing, within the last
// minute, said of each tag beyond its name (Docker Hub's, ECR's, ACR's …
// digests, sizes, push times); empty for a registry whose listing says
// only names.
func (c *Reads) Listed(repository string) map[string]domain.TagInfo {
	repo, err := c.registries.parseRepository(repository)
	if err != nil {
		return nil
	}
	c.listed.mu.Lock()
	defer c.listed.mu.Unlock()
	r, ok := c.listed.freshLocked(repo.String(), time.Now())
	if !ok {
		return nil
	}
	out := make(map[string]domain.TagInfo, len(r.infos))
	for t, ti := range r.infos {
		if ti.Digest != "" || ti.Size != 0 || !ti.Pushed.IsZero() || ti.Immutable {
			out[t] = ti
		}
	}
	return out
}

// forget drops what a listing said of repo (a change was made to it).
func (l *listed) forget(repo string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.repos, repo)
}

// TagInfoPages lists a repository's tags page by page with what the
// registry's listing says of each (see Provider.TagPages). The digests it
// gives stand, for a minute, for the HEADs Digests would send.
func (c *Reads) TagInfoPages(ctx context.Context, repository string) iter.Seq2[[]domain.TagInfo, error] {
	return func(yield func([]domain.TagInfo, error) bool) {
		repo, err := c.registries.parseRepository(repository)
		if err != nil {
			yield(nil, invalidReference("list tags", repository, err))
			return
		}
		at, first := time.Now(), true
		for page, err := range c.Provider(repo.RegistryStr()).TagPages(ctx, repo) {
			if err == nil {
				c.listed.put(repo.String(), at, page, first)
				first = false
			}
			if !yield(page, err) || err != nil {
				return
			}
		}
	}
}

// TagInfos lists all of a repository's tags with what the listing says of
// each, and records the list (and the digests it gave) in the cache.
func (c *Reads) TagInfos(ctx context.Context, repository string) ([]domain.TagInfo, error) {
	var all []domain.TagInfo
	for page, err := range c.TagInfoPages(ctx, repository) {
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
	}
	if c.cache != nil {
		if repo, err := c.registries.parseRepository(repository); err == nil {
			names := make([]string, len(all))
			digests := map[string]string{}
			for i, t := range all {
				names[i] = t.Tag
				if t.Digest != "" {
					digests[t.Tag] = t.Digest
				}
			}
			_ = c.cache.PutTags(repo.String(), names)
			_ = c.cache.PutDigests(repo.String(), digests)
		}
	}
	return all, nil
}
