package testenv

import (
	"context"
	"fmt"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/wharf-dev/wharf/internal/fixtures"
)

// SeedTags pushes tags tags (v0.0.0, v0.0.1, …) over images images to
// host/repo, and returns them.
func SeedTags(b testing.TB, host, repo string, tags, images int, opts ...remote.Option) []string {
	b.Helper()
	ctx := context.Background()
	base, err := fixtures.Image(fixtures.Spec{Seed: 1000, LayerSizes: []int64{256}})
	if err != nil {
		b.Fatal(err)
	}
	imgs := make([]v1.Image, images)
	for i := range imgs {
		if imgs[i], err = mutate.Config(base, v1.Config{Labels: map[string]string{"n": fmt.Sprint(i)}}); err != nil {
			b.Fatal(err)
		}
	}
	pusher, err := remote.NewPusher(append([]remote.Option{remote.WithContext(ctx)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, tags)
	var g errgroup.Group
	g.SetLimit(16)
	for i := range tags {
		names[i] = fmt.Sprintf("v%d.%d.%d", i/1000, i/10%100, i%10)
		g.Go(func() error {
			return pusher.Push(ctx, RefNoT(fmt.Sprintf("%s/%s:%s", host, repo, names[i])), imgs[i%images])
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	return names
}
