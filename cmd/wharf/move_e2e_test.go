package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// At 80×24 in the real binary, against a private engine and registry:2:
// > pushes the local image to the repository open on the Remote side (the
// target on screen, not typed) and the Tags pane lists it; < pulls a tag
// of that repository back into the engine.
func TestMoveBetweenTheSidesEndToEnd(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 2*time.Minute)
	id, err := testenv.LoadImage(ctx, eng, "team/app:1.0", fixtures.App)
	if err != nil {
		t.Fatal(err)
	}
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "team/app", Tags: []string{"0.9"}, Image: &fixtures.AppOld}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 80, 24, []string{
		"NO_COLOR=1", "DOCKER_HOST=" + eng.Host, "DOCKER_CONFIG=" + dockerConfigFor(t, map[*testenv.Registry]string{reg: ""}),
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(),
	})
	s.waitFor("Local · 1 images", "team/app:1.0", "Repositories · 1")
	s.keys("Enter") // team/app on the Remote side
	s.waitFor("› team/app", "1 tag · 1 image", domain.ShortDigest(testenv.FixtureDigest(t, fixtures.AppOld)))
	s.keys("1", ">")
	target := reg.Host + "/team/app:1.0"
	s.waitFor("Push team/app:1.0 to "+reg.Host+"/team/app", "> "+target)
	s.keys("Enter")
	s.waitFor("done pushed "+target, "2 tags · 2 images")

	// The registry has 1.0 at the digest the engine recorded for the push.
	pushed := pushedDigest(t, eng, id, reg.Repo("team/app"))
	c, err := registryclient.New(registryclient.WithTransport(reg.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	tds, err := c.TagDigests(ctx, reg.Repo("team/app"))
	if err != nil {
		t.Fatal(err)
	}
	if pushed == "" || !slices.ContainsFunc(tds, func(td domain.TagDigest) bool { return td.Tag == "1.0" && td.Digest == pushed }) {
		t.Errorf("after > the registry has %v, want 1.0 at %q (the engine's record of the push)", tds, pushed)
	}

	// Back: the cursor is on 0.9 (semver order), < pulls it.
	s.keys("3", "g", "<")
	pulled := reg.Host + "/team/app:0.9"
	s.waitFor("pulled " + pulled)
	lc, err := localcache.Open(localcache.Endpoint{Host: eng.Host})
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()
	d, err := lc.Inspect(ctx, pulled)
	if err != nil || d.ID == id {
		t.Errorf("the engine after < %s: %v (%s)", pulled, err, d.ID)
	}
	scr := s.waitFor("Local · 2 images")
	if !strings.Contains(scr, "0.9") {
		t.Errorf("the Local pane does not list the pulled image:\n%s", scr)
	}
}
