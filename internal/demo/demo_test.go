package demo_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/demo"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/registryclient"
)

// The demo registry a newcomer opens has something to explore: several
// repositories, a release history with shared digests, and a multi-arch index.
func TestDemoRegistryContents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	reg, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	c, err := registryclient.New()
	if err != nil {
		t.Fatal(err)
	}
	repos, err := c.Catalog(ctx, reg.Host)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"demo/api", "fixtures/app", "fixtures/multiarch", "fixtures/deep"} {
		if !slices.Contains(repos, want) {
			t.Errorf("demo catalog %v lacks %s", repos, want)
		}
	}
	tags, err := c.Tags(ctx, reg.Host+"/demo/api")
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) < 40 {
		t.Errorf("demo/api has %d tags, want a long release history", len(tags))
	}
	var mu sync.Mutex
	byDigest := map[string][]string{}
	if err := c.Digests(ctx, reg.Host+"/demo/api", tags, func(td domain.TagDigest) {
		mu.Lock()
		defer mu.Unlock()
		byDigest[td.Digest] = append(byDigest[td.Digest], td.Tag)
	}); err != nil {
		t.Fatal(err)
	}
	if unresolved := byDigest[""]; len(unresolved) > 0 {
		t.Fatalf("tags without a digest: %v", unresolved)
	}
	for _, group := range byDigest {
		if !slices.Contains(group, "latest") {
			continue
		}
		slices.Sort(group)
		if len(group) != 6 || !slices.Equal(group[:4], []string{"2", "2.3", "2.3.4", "latest"}) ||
			!strings.HasPrefix(group[4], "sha-") || group[5] != "stable" {
			t.Errorf("latest shares its digest with %v, want 2, 2.3, 2.3.4, a sha- tag and stable", group)
		}
	}
	d, err := c.Describe(ctx, reg.Host+"/fixtures/multiarch:latest")
	if err != nil || len(d.Platforms) != 2 {
		t.Errorf("multiarch: %v, %+v", err, d.Platforms)
	}
}
