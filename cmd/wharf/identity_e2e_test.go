package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// loadTiedImages loads n images made at the very same instant (as ko, bazel,
// nix and SOURCE_DATE_EPOCH builds are) into a private engine, named
// example.com/team/appNN:1, and returns their IDs by reference.
func loadTiedImages(t *testing.T, eng *testenv.Engine, n int) map[string]string {
	t.Helper()
	refs := map[string]fixtures.Spec{}
	for i := range n {
		refs[fmt.Sprintf("example.com/team/app%02d:1", i)] = fixtures.Spec{Seed: int64(500 + i), LayerSizes: []int64{256}, Created: fixtures.Epoch}
	}
	ids, err := testenv.LoadImages(testenv.Context(t, 2*time.Minute), eng, refs)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// The engine lists images whose created times tie in another order each
// time; wharf shows them in one order, the same every time, in the CLI and
// the library alike.
func TestImagesOrderIsStableWhenTimesTie(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	ids := loadTiedImages(t, eng, 22)
	env := engineEnv(t, eng)
	first, err := runWharf(t, env, "images")
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		again, err := runWharf(t, env, "images")
		if err != nil || again != first {
			t.Fatalf("wharf images changed between two listings (%v):\n%s\n---\n%s", err, first, again)
		}
	}
	var order []string
	for _, img := range engineImages(t, eng) {
		if len(img.RepoTags) == 1 && strings.HasPrefix(img.RepoTags[0], "example.com/team/app") {
			order = append(order, img.RepoTags[0])
		}
	}
	if want := slices.Sorted(maps.Keys(ids)); !slices.Equal(order, want) {
		t.Errorf("images made at one instant are not in name order:\n%v", order)
	}
}

// Finding 1 of "Never act on the wrong image", as a user met it: on 22
// images of one created time, `d y` removes the image the dialog named,
// and the next `d` names the image that was next to it — against the real
// binary and a private engine whose listings come back in another order
// every time.
func TestRemoveTwiceNamesTheRightImageEndToEnd(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	ids := loadTiedImages(t, eng, 22)
	s := startTmux(t, 120, 40, []string{
		"NO_COLOR=1", "DOCKER_HOST=" + eng.Host, "DOCKER_CONFIG=" + t.TempDir(),
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(),
	}, "--demo")
	s.waitFor("Local › example.com/team/", "│app00:1 ") // the shared prefix in the title
	s.keys("1")
	// Five down: app05 (the engine's fixtures for other tests may sort
	// first; find the row by filtering to this test's images).
	s.keys("/", "t", "e", "a", "m", "/", "a", "p", "p", "Enter", "j", "j", "j", "j", "j", "d")
	s.waitFor("Remove example.com/team/app05:1?")
	s.keys("y")
	s.waitFor("removed example.com/team/app05:1 and its image")
	s.keys("d")
	scr := s.waitFor("Remove example.com/team/app06:1?")
	if strings.Contains(scr, "Remove example.com/team/app05") {
		t.Errorf("the second dialog still mentions app05:\n%s", scr)
	}
	s.keys("n")
	left := engineImageIDs(t, eng)
	for ref, id := range ids {
		if gone := !left[id]; gone != (ref == "example.com/team/app05:1") {
			t.Errorf("%s: gone=%v", ref, gone)
		}
	}
}
