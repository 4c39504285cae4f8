package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// `podman login` leaves its credentials in podman's auth.json, not in
// docker's config.json: wharf reads them there, says so in doctor (the
// file, never the secret), and lists a repository that needs them.
func TestPodmanLoginIsUsed(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Basic)
	pm := testenv.NeedPodman(t)
	ctx := testenv.Context(t, 2*time.Minute)
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_RUNTIME_DIR": pm.RuntimeDir}

	if _, err := runWharf(t, env, "tags", reg.Repo("fixtures/app")); err == nil {
		t.Fatal("listed a registry that needs credentials before podman logged in")
	}
	if out, err := pm.Run(ctx, "login", "--tls-verify=false", "-u", "admin", "-p", testenv.Password("admin"), reg.Host); err != nil {
		t.Fatalf("podman login: %v\n%s", err, out)
	}
	out, err := runWharf(t, env, "tags", reg.Repo("fixtures/app"))
	if err != nil || !strings.Contains(out, "1.0.0\n") {
		t.Fatalf("tags with podman's credentials (%v):\n%s", err, out)
	}
	out, err = runWharf(t, env, "doctor", reg.Host)
	authFile := filepath.Join(pm.RuntimeDir, "containers", "auth.json")
	if !strings.Contains(out, "podman  "+authFile) || !strings.Contains(out, reg.Host+": credentials from "+authFile) {
		t.Errorf("doctor does not say where the credentials came from (%v):\n%s", err, out)
	}
	if strings.Contains(out, testenv.Password("admin")) {
		t.Errorf("doctor printed the password:\n%s", out)
	}
}

// podmanBuild builds an image FROM scratch with podman, one file of body.
func podmanBuild(t *testing.T, pm *testenv.Podman, tag, body string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte("FROM scratch\nCOPY f /f\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := pm.Run(testenv.Context(t, time.Minute), "build", "-q", "-t", tag, dir); err != nil {
		t.Fatalf("podman build: %v\n%s", err, out)
	}
}

// Podman as the engine, through its Docker-compatible API: wharf lists what
// `podman images` lists (its localhost/ names, the dangling image), tags,
// untags and cleans up on it, and doctor says it is podman.
func TestPodmanAsTheEngine(t *testing.T) {
	pm := testenv.NeedPodman(t)
	host := pm.Service(t)
	ctx := testenv.Context(t, 2*time.Minute)
	podmanBuild(t, pm, "team/app:1.0", "one")
	podmanBuild(t, pm, "team/app:1.0", "two") // the first build is left dangling
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "DOCKER_HOST": host}

	out, _ := runWharf(t, env, "doctor", "--json") // the registries it probes may be down
	var rep doctorReport
	if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &rep); err != nil || rep.Engine.Name != "Podman" || !rep.Engine.OK {
		t.Errorf("doctor does not name podman (%v):\n%s", err, out)
	}

	images := func() []domain.LocalImage {
		t.Helper()
		out, err := runWharf(t, env, "images", "--json")
		var l domain.LocalListing
		if err != nil || json.Unmarshal([]byte(out), &l) != nil {
			t.Fatalf("images (%v):\n%s", err, out)
		}
		return l.Images
	}
	podmanIDs := func() []string {
		t.Helper()
		out, err := pm.Run(ctx, "images", "-a", "--no-trunc", "--format", "{{.ID}}")
		if err != nil {
			t.Fatalf("podman images: %v\n%s", err, out)
		}
		var ids []string
		for _, id := range strings.Fields(out) {
			ids = append(ids, "sha256:"+strings.TrimPrefix(id, "sha256:"))
		}
		slices.Sort(ids)
		return slices.Compact(ids)
	}
	got := images()
	var ids []string
	dangling, tagged := 0, ""
	for _, img := range got {
		ids = append(ids, img.ID)
		if img.Dangling {
			dangling++
		}
		if slices.Contains(img.RepoTags, "localhost/team/app:1.0") {
			tagged = img.ID
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, podmanIDs()) || dangling != 1 || tagged == "" {
		t.Fatalf("wharf images %v (dangling %d, tagged %q), podman has %v", ids, dangling, tagged, podmanIDs())
	}

	if out, err := runWharf(t, env, "tag", "localhost/team/app:1.0", "localhost/team/app:2.0"); err != nil {
		t.Fatalf("tag (%v):\n%s", err, out)
	}
	if out, _ := pm.Run(ctx, "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"); !strings.Contains(out, "localhost/team/app:2.0 "+strings.TrimPrefix(tagged, "sha256:")[:12]) {
		t.Errorf("podman does not have the new tag on the image:\n%s", out)
	}
	if out, err := runWharf(t, env, "untag", "localhost/team/app:2.0"); err != nil {
		t.Fatalf("untag (%v):\n%s", err, out)
	}
	if out, _ := pm.Run(ctx, "images", "--format", "{{.Repository}}:{{.Tag}}"); strings.Contains(out, "app:2.0") || !strings.Contains(out, "localhost/team/app:1.0") {
		t.Errorf("after untag podman has:\n%s", out)
	}
	if out, err := runWharf(t, env, "prune", "--yes"); err != nil || !strings.Contains(out, "removed 1") {
		t.Fatalf("prune (%v):\n%s", err, out)
	}
	if after := podmanIDs(); len(after) != 1 || after[0] != tagged {
		t.Errorf("after prune podman has %v, want only %s", after, tagged)
	}
}
