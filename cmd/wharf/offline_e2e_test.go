package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// The registry process stopped after a first visit: the real binary opens
// on the cached repositories and tags, says offline and how old they are,
// refuses to change them, and the CLI falls back to the cache by itself.
func TestOfflineEndToEnd(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 2*time.Minute)
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "e2e/offline", Tags: []string{"1.0", "stable"}, Image: &fixtures.App}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	app, err := fixtures.Digest(fixtures.App)
	if err != nil {
		t.Fatal(err)
	}
	dockerDir := dockerConfigFor(t, map[*testenv.Registry]string{reg: ""})
	env := []string{
		"NO_COLOR=1", "DOCKER_HOST=unix://" + filepath.Join(t.TempDir(), "no-engine.sock"), "DOCKER_CONFIG=" + dockerDir,
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(), "XDG_RUNTIME_DIR=" + t.TempDir(),
	}
	first := startTmux(t, 80, 24, env)
	first.waitFor("Repositories · 1", "e2e/offline")
	first.keys("Enter")
	first.waitFor("› e2e/offline", "2 tags · 1 image", domain.ShortDigest(app))
	first.keys("Enter") // Details of 1.0, read once
	first.waitFor("› e2e/offline › 1.0", "media type")
	first.keys("q")

	if err := reg.Stop(); err != nil {
		t.Fatal(err)
	}
	again := startTmux(t, 80, 24, env)
	again.waitFor("Repositories · 1 · offline · cached", "e2e/offline")
	again.keys("Enter")
	// The status bar says why (and that has come before d is pressed).
	again.waitFor("› e2e/offline", "2 tags · offline · cached", domain.ShortDigest(app)+" = 2", "error: list tags: "+reg.Host+": unreachable")
	again.keys("d")
	again.waitFor("offline: nothing changed")
	// Browsing goes on: Details of the tag read before, from the cache.
	again.keys("Enter")
	again.waitFor("› e2e/offline › 1.0", "media type", "offline")

	cli := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		cli[k] = v
	}
	out, err := runWharf(t, cli, "same", reg.Repo("e2e/offline"))
	if err != nil || !strings.Contains(out, "wharf: cached ") || !strings.Contains(out, "2 tags, 1 images") {
		t.Errorf("the CLI with the registry stopped (%v):\n%s", err, out)
	}
}
