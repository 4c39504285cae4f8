package main

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// tmuxSession runs the real wharf binary in a detached tmux session of the
// given size and returns a function that captures the screen.
type tmuxSession struct {
	t    *testing.T
	name string
}

func startTmux(t *testing.T, w, h int, env []string, args ...string) *tmuxSession {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: runs the real binary in tmux; run `make test`")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		msg := "tmux is not installed (run `make test`, which installs it)"
		if testenv.InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bin := filepath.Join(t.TempDir(), "wharf")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building wharf: %v\n%s", err, out)
	}
	s := &tmuxSession{t: t, name: "wharf-e2e-" + filepath.Base(t.TempDir())}
	cmdline := append([]string{"env"}, env...)
	cmdline = append(cmdline, bin)
	cmdline = append(cmdline, args...)
	tmuxArgs := append([]string{"new-session", "-d", "-s", s.name, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h)}, cmdline...)
	if out, err := exec.Command("tmux", tmuxArgs...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", s.name).Run() })
	return s
}

func (s *tmuxSession) screen() string {
	out, err := exec.Command("tmux", "capture-pane", "-p", "-t", s.name).Output()
	if err != nil {
		s.t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

func (s *tmuxSession) keys(keys ...string) {
	if out, err := exec.Command("tmux", append([]string{"send-keys", "-t", s.name}, keys...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys: %v\n%s", err, out)
	}
}

// waitFor polls the screen until every want appears, or fails with the screen.
func (s *tmuxSession) waitFor(wants ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := s.screen()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(scr, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q:\n%s", missing, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// `wharf --demo` opens on the embedded registry: a newcomer sees the
// repositories, opens one, sees which tags share a digest, and reads details.
func TestDemoEndToEnd(t *testing.T) {
	s := startTmux(t, 120, 40, []string{"NO_COLOR=1", "DOCKER_CONFIG=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir()}, "--demo")
	s.waitFor("Repositories · 6", "demo/api", "embedded demo")
	s.keys("Enter") // demo/api is first
	scr := s.waitFor("› demo/api", "51 tags · 24 images")
	if !strings.Contains(scr, "= 6") {
		t.Errorf("the six tags of the newest release are not marked = 6:\n%s", scr)
	}
	s.keys("Enter")
	s.waitFor("Details · ", "media type", "layers (2)")
	s.keys("?")
	s.waitFor("Everywhere", "Repositories enter show tags")
	s.keys("q")
	deadline := time.Now().Add(5 * time.Second)
	for exec.Command("tmux", "has-session", "-t", s.name).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// In the real binary against a private engine: D previews exactly the
// dangling images, y removes them and nothing else.
func TestCleanupEndToEnd(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	fx, err := testenv.LoadEngineFixtures(testenv.Context(t, 2*time.Minute), eng)
	if err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 120, 40, []string{
		"NO_COLOR=1", "DOCKER_HOST=" + eng.Host, "DOCKER_CONFIG=" + t.TempDir(),
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir(),
	}, "--demo")
	s.waitFor("2 dangling")
	s.keys("1", "D")
	scr := s.waitFor("Clean up 2 dangling images?", "Remove 2 images")
	for _, id := range fx.Dangling {
		if !strings.Contains(scr, "remove  "+domain.ShortDigest(id)) {
			t.Errorf("dialog does not list %s:\n%s", id, scr)
		}
	}
	s.keys("y")
	s.waitFor("removed 2 images, reclaimed")

	left := map[string]bool{}
	for _, img := range engineImages(t, eng) {
		left[img.ID] = true
		if img.Dangling {
			t.Errorf("dangling image %s left", img.ID)
		}
	}
	// Tagged maps each reference to the image it names now.
	for ref, id := range fx.Tagged {
		if !left[id] {
			t.Errorf("tagged image %s was removed", ref)
		}
	}
	s.waitFor("Local · ")
}

// In the real binary against registry:2: delete one of three tags that
// share a digest — the dialog names the two that stay, they do stay — and
// u puts the deleted one back.
func TestDeleteAndUndoEndToEnd(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 2*time.Minute)
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "e2e/siblings", Tags: []string{"a", "b", "c"}, Image: &fixtures.App}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	app, err := fixtures.Digest(fixtures.App)
	if err != nil {
		t.Fatal(err)
	}
	// The docker config names the registry, so wharf opens on it; the engine
	// is one that is not there (never the user's).
	dockerDir := dockerConfigFor(t, map[*testenv.Registry]string{reg: ""})
	s := startTmux(t, 120, 40, []string{
		"NO_COLOR=1", "DOCKER_HOST=unix://" + filepath.Join(t.TempDir(), "no-engine.sock"), "DOCKER_CONFIG=" + dockerDir,
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(),
	})
	s.waitFor("Repositories · 1", "e2e/siblings")
	s.keys("Enter")
	s.waitFor("› e2e/siblings", "3 tags · 1 image")
	s.keys("d") // on a
	s.waitFor("Delete tag "+reg.Host+"/e2e/siblings:a?", "These 2 tags share it and stay:", "Delete a")
	s.keys("y")
	s.waitFor("deleted "+reg.Host+"/e2e/siblings:a (placeholder); kept b, c", "› e2e/siblings", "2 tags · 1 image")

	c, err := registryclient.New(registryclient.WithTransport(reg.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	digests := func() map[string]string {
		got := map[string]string{}
		tds, err := c.TagDigests(ctx, reg.Repo("e2e/siblings"))
		if err != nil {
			t.Fatal(err)
		}
		for _, td := range tds {
			got[td.Tag] = td.Digest
		}
		return got
	}
	if got := digests(); len(got) != 2 || got["b"] != app || got["c"] != app {
		t.Errorf("after deleting a the registry has %v, want b and c at %s", got, app)
	}
	s.keys("u") // asks first, naming what it puts back
	s.waitFor("Undo deleted "+reg.Host+"/e2e/siblings:a", "put back "+reg.Host+"/e2e/siblings:a at", app)
	if got := digests(); len(got) != 2 {
		t.Errorf("u changed the registry before yes: %v", got)
	}
	s.keys("y")
	s.waitFor("undid: deleted "+reg.Host+"/e2e/siblings:a", "› e2e/siblings", "3 tags · 1 image")
	if got := digests(); len(got) != 3 || got["a"] != app {
		t.Errorf("after u the registry has %v, want a back at %s", got, app)
	}
}

// In the real binary against a private engine and registry:2: P on a local
// image retags it for the registry and pushes it as a job; the Tags pane
// then shows the new tag with the digest the engine recorded for the push.
func TestRetagAndPushEndToEnd(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 2*time.Minute)
	id, err := testenv.LoadImage(ctx, eng, "team/app:1.0", fixtures.App)
	if err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 120, 40, []string{
		"NO_COLOR=1", "DOCKER_HOST=" + eng.Host, "DOCKER_CONFIG=" + dockerConfigFor(t, map[*testenv.Registry]string{reg: ""}),
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(),
	})
	s.waitFor("Local · 1 images", "team/app:1.0")
	s.keys("1", "P")
	target := reg.Host + "/team/app:1.0"
	s.waitFor("Push team/app:1.0 to a registry", "> "+target)
	s.keys("Enter")
	s.waitFor("done pushed " + target)

	pushed := pushedDigest(t, eng, id, reg.Repo("team/app"))
	if pushed == "" {
		t.Fatalf("the engine recorded no repo digest for %s", target)
	}
	s.keys("2", "C-r")
	s.waitFor("team/app")
	s.keys("Enter")
	scr := s.waitFor("› team/app", "1 tag · 1 image")
	if !strings.Contains(scr, "1.0") || !strings.Contains(scr, domain.ShortDigest(pushed)) {
		t.Errorf("the Tags pane does not show 1.0 at %s:\n%s", domain.ShortDigest(pushed), scr)
	}
}

// L pulls by digest, as docker pull does, in the real binary against a
// private engine and registry:2: the engine then holds the image under
// that repository digest.
func TestPullByDigestEndToEnd(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 2*time.Minute)
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "team/app", Tags: []string{"1.0"}, Image: &fixtures.App}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.LoadImage(ctx, eng, "team/other:1", fixtures.AppOld); err != nil {
		t.Fatal(err)
	}
	digest := testenv.FixtureDigest(t, fixtures.App)
	s := startTmux(t, 120, 40, []string{
		"NO_COLOR=1", "DOCKER_HOST=" + eng.Host, "DOCKER_CONFIG=" + dockerConfigFor(t, map[*testenv.Registry]string{reg: ""}),
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(),
	})
	s.waitFor("Local · 1 images", "team/other:1")
	s.keys("1", "L")
	s.waitFor("Pull")
	ref := reg.Host + "/team/app@" + digest
	s.keys("-l", ref)
	s.keys("Enter")
	s.waitFor("pulled " + ref)

	c, err := localcache.Open(localcache.Endpoint{Host: eng.Host})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d, err := c.Inspect(ctx, ref)
	if err != nil || !slices.Contains(d.RepoDigests, ref) {
		t.Errorf("the engine after L %s: %v %v", ref, d.RepoDigests, err)
	}
}

// pushedDigest is the digest the engine recorded for image id's push to
// repository (host/path), "" when it recorded none.
func pushedDigest(t *testing.T, eng *testenv.Engine, id, repository string) string {
	t.Helper()
	c, err := localcache.Open(localcache.Endpoint{Host: eng.Host})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d, err := c.Inspect(testenv.Context(t, time.Minute), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, rd := range d.RepoDigests {
		if digest, ok := strings.CutPrefix(rd, repository+"@"); ok {
			return digest
		}
	}
	return ""
}
