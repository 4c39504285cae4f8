// Package demo is the embedded registry `wharf --demo` opens: go-containerregistry's
// in-process registry on a loopback port, seeded with sample repositories —
// tags that share a digest, a multi-arch index, a 24-layer image, a
// repository with many tags — built from internal/fixtures with no network.
package demo

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/wharf-dev/wharf/internal/fixtures"
)

// Registry is a running demo registry.
type Registry struct {
	// Host is host:port of the registry.
	Host string
	srv  *httptest.Server
}

// Start serves and seeds the demo registry.
func Start(ctx context.Context) (*Registry, error) {
	srv := httptest.NewServer(registry.New(
		registry.Logger(log.New(io.Discard, "", 0)),
		registry.WithReferrersSupport(true),
	))
	r := &Registry{Host: strings.TrimPrefix(srv.URL, "http://"), srv: srv}
	if err := fixtures.Push(ctx, r.Host, Catalog()); err != nil {
		srv.Close()
		return nil, fmt.Errorf("seeding the demo registry: %w", err)
	}
	return r, nil
}

// Close stops the registry.
func (r *Registry) Close() { r.srv.Close() }

// Catalog is what the demo registry holds: the test fixtures plus an "api"
// repository with a release history (semver tags, release candidates, moving
// major/minor tags that share digests with a release, and sha- tags), and
// two artifacts (a Helm chart, a file pushed by oras).
func Catalog() []fixtures.Entry {
	entries := fixtures.Standard()
	entries = append(entries, apiReleases()...)
	// Not everything in a registry is an image: a Helm chart and a file
	// pushed by oras.
	entries = append(entries,
		fixtures.Entry{Repo: "demo/charts", Tags: []string{"1.0.0"}, Artifact: &fixtures.HelmChart},
		fixtures.Entry{Repo: "demo/notes", Tags: []string{"1"}, Artifact: &fixtures.PlainFile},
	)
	return entries
}

func apiReleases() []fixtures.Entry {
	var out []fixtures.Entry
	seed := int64(100)
	for minor := 0; minor < 4; minor++ {
		for patch := 0; patch < 5; patch++ {
			seed++
			spec := fixtures.Spec{
				Seed:       seed,
				LayerSizes: []int64{4096, 1024 * int64(patch+1)},
				Labels:     map[string]string{"org.opencontainers.image.version": fmt.Sprintf("2.%d.%d", minor, patch)},
				Created:    fixtures.Epoch.Add(time.Duration(seed) * 24 * time.Hour),
				Env:        []string{"PORT=8080"},
				Entrypoint: []string{"/api"},
			}
			tags := []string{fmt.Sprintf("2.%d.%d", minor, patch), fmt.Sprintf("sha-%07x", seed*7919)}
			if patch == 4 {
				tags = append(tags, fmt.Sprintf("2.%d", minor))
				if minor == 3 {
					tags = append(tags, "2", "latest", "stable")
				}
			}
			out = append(out, fixtures.Entry{Repo: "demo/api", Tags: tags, Image: &spec})
		}
		seed++
		rc := fixtures.Spec{Seed: seed, LayerSizes: []int64{4096, 512}, Created: fixtures.Epoch.Add(time.Duration(seed) * 24 * time.Hour)}
		out = append(out, fixtures.Entry{Repo: "demo/api", Tags: []string{fmt.Sprintf("2.%d.0-rc.1", minor+1)}, Image: &rc})
	}
	return out
}
