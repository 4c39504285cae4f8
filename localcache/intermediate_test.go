package localcache_test

import (
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
)

// wharf images -a lists what docker images -a lists: the classic
// builder's steps too, marked intermediate, never dangling (so never
// offered to prune); without -a they are not listed.
func TestAllListsIntermediatesAsDockerDoes(t *testing.T) {
	ctx := testenv.Context(t, time.Minute)
	eng := testenv.NeedEngine(t)
	testenv.NeedEngineFixtures(t, eng)
	testenv.BuildSteps(t, eng, "wharf-test/steps:1")
	c := openCache(t, eng)
	cli, err := eng.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	raw, err := cli.ImageList(ctx, client.ImageListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.List(ctx, localcache.ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	some, err := c.List(ctx, localcache.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Images) != len(raw.Items) {
		t.Errorf("-a lists %d images, the engine %d", len(all.Images), len(raw.Items))
	}
	intermediates := 0
	for _, img := range all.Images {
		if img.Intermediate {
			intermediates++
			if img.Dangling || len(img.RepoTags) != 0 {
				t.Errorf("intermediate %s: %+v", img.ID, img)
			}
			if byID(some, img.ID) != nil {
				t.Errorf("intermediate %s listed without -a", img.ID)
			}
		}
	}
	if intermediates < 2 {
		t.Errorf("%d intermediates, want the two COPY steps at least", intermediates)
	}
	if len(some.Images)+intermediates != len(all.Images) || some.Dangling != all.Dangling {
		t.Errorf("without -a: %d images (%d dangling); with: %d (%d dangling, %d intermediate)", len(some.Images), some.Dangling, len(all.Images), all.Dangling, intermediates)
	}
}
