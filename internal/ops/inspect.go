package ops

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// Resolver says what digest a reference names in its registry now.
type Resolver interface {
	Resolve(ctx context.Context, reference string) (string, error)
}

// repoDigestTimeout bounds the check of one repo digest.
const repoDigestTimeout = 10 * time.Second

// InspectLocal is a local image's details as docker image inspect and
// docker history show them, and for each of its repo digests whether its
// registry still has that digest (one HEAD by digest each, at once, which
// Docker Hub does not count as a pull). remote may be nil (nothing is
// asked).
func InspectLocal(ctx context.Context, eng *localcache.Cache, remote Resolver, reference string) (domain.Details, error) {
	d, err := eng.Inspect(ctx, reference)
	if err != nil || remote == nil || d.Local == nil || len(d.RepoDigests) == 0 {
		return d, err
	}
	d.Local.RepoDigests = checkRepoDigests(ctx, remote, d.RepoDigests)
	return d, nil
}

func checkRepoDigests(ctx context.Context, remote Resolver, repoDigests []string) map[string]string {
	out := make(map[string]string, len(repoDigests))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, rd := range repoDigests {
		r, err := ref.Parse(rd)
		if err != nil || r.Digest() == "" {
			continue
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, repoDigestTimeout)
			defer cancel()
			got, err := remote.Resolve(ctx, rd)
			var state string
			switch {
			case err == nil && got == r.Digest():
				state = "in the registry"
			case errors.Is(err, registryclient.ErrNotFound):
				state = "gone from the registry"
			case err != nil && r.Domain() == "localhost" && errors.Is(err, registryclient.ErrUnreachable):
				// Podman's own name for what it built or loaded.
				state = "no registry at localhost: podman names the images it builds localhost/…, which were never pushed"
			case err != nil:
				state = "not checked: " + err.Error()
			default:
				state = "the registry answers another digest: " + got
			}
			mu.Lock()
			out[rd] = state
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// Describer reads a remote image.
type Describer interface {
	Describe(ctx context.Context, reference string) (domain.Details, error)
}

// CompareLocal compares a local image with a remote one — "is what I built
// what is in the registry", without pushing: layers matched by their
// uncompressed digests, config and history as between two remote images.
// localFirst puts the local image on the left (A).
func CompareLocal(ctx context.Context, eng *localcache.Cache, remote Describer, local, remoteRef string, localFirst bool) (domain.Diff, error) {
	if _, err := ref.Parse(remoteRef); err != nil {
		return domain.Diff{}, err
	}
	l, err := eng.Inspect(ctx, local)
	if err != nil {
		return domain.Diff{}, err
	}
	r, err := remote.Describe(ctx, remoteRef)
	if err != nil {
		return domain.Diff{}, err
	}
	if r.IsIndex() {
		return domain.Diff{}, fmt.Errorf("%s is a multi-platform index: open the platform to compare (enter on it in Details)", remoteRef)
	}
	if localFirst {
		return registryclient.DiffDetails(l, r), nil
	}
	return registryclient.DiffDetails(r, l), nil
}
