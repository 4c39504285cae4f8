package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Podman is Debian's podman with everything it writes — storage, runtime
// state, its auth.json — in a temporary directory: it never touches the
// user's images or credentials.
type Podman struct {
	// Dir holds what podman writes; RuntimeDir is its XDG_RUNTIME_DIR
	// (podman login writes RuntimeDir/containers/auth.json).
	Dir, RuntimeDir string
	bin             string
}

// NeedPodman finds podman and gives it a directory of its own for the test.
func NeedPodman(tb testing.TB) *Podman {
	tb.Helper()
	skipIfShort(tb)
	bin, err := lookBinary("WHARF_PODMAN", "podman")
	if err != nil {
		unavailable(tb, "podman", err)
	}
	dir, err := os.MkdirTemp("", "wharf-podman-")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Podman{Dir: dir, RuntimeDir: filepath.Join(dir, "run"), bin: bin}
	if err := os.MkdirAll(p.RuntimeDir, 0o700); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = exec.Command(bin, p.args("system", "reset", "--force")...).Run() //nolint:gosec,noctx // its own directory
		_ = os.RemoveAll(dir)
	})
	return p
}

func (p *Podman) args(args ...string) []string {
	return append([]string{"--root", filepath.Join(p.Dir, "root"), "--runroot", filepath.Join(p.Dir, "runroot")}, args...)
}

// Run runs podman with its own storage and runtime directory, and returns
// what it printed.
func (p *Podman) Run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, p.bin, p.args(args...)...) //nolint:gosec // the test's own podman
	cmd.Env = append(os.Environ(), p.env()...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// env is podman's environment: its own runtime, home and config.
func (p *Podman) env() []string {
	return []string{"XDG_RUNTIME_DIR=" + p.RuntimeDir, "HOME=" + p.Dir, "XDG_CONFIG_HOME=" + filepath.Join(p.Dir, "config"), "REGISTRY_AUTH_FILE="}
}

// Service starts podman's Docker-compatible API on RuntimeDir/podman/podman.sock
// (where wharf looks for it) and returns its DOCKER_HOST; it stops with the
// test.
func (p *Podman) Service(tb testing.TB) string {
	tb.Helper()
	sock := filepath.Join(p.RuntimeDir, "podman", "podman.sock")
	if err := os.MkdirAll(filepath.Dir(sock), 0o700); err != nil {
		tb.Fatal(err)
	}
	proc, err := startProcessEnv("podman", filepath.Join(p.Dir, "service.log"), p.env(), p.bin, p.args("system", "service", "--time=0", "unix://"+sock)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = proc.stop(10 * time.Second) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e := &Engine{Host: "unix://" + sock, sock: sock}
	if err := proc.waitFor(ctx, e.ping); err != nil {
		tb.Fatalf("podman's API service: %v\n%s", err, proc.logTail())
	}
	return e.Host
}
