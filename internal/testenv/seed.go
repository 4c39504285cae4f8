package testenv

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
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
	for i := range tags {
		names[i] = fmt.Sprintf("v%d.%d.%d", i/1000, i/10%100, i%10)
	}
	// The images with their blobs first; then each other tag is one
	// manifest PUT.
	tag := func(limit int, from, to int, put func(context.Context, name.Reference, remote.Taggable) error) {
		var g errgroup.Group
		g.SetLimit(limit)
		for i := from; i < to; i++ {
			g.Go(func() error {
				return put(ctx, RefNoT(fmt.Sprintf("%s/%s:%s", host, repo, names[i])), imgs[i%images])
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	tag(16, 0, min(images, tags), pusher.Push)
	tag(32, min(images, tags), tags, pusher.Put)
	return names
}
