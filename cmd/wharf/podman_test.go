package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

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
