package localcache_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/localcache"
)

func envOf(m map[string]string) localcache.Env { return func(k string) string { return m[k] } }

func writeContext(t *testing.T, dir, name, host string) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	meta := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
	if err := os.MkdirAll(meta, 0o700); err != nil {
		t.Fatal(err)
	}
	body := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
	if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestResolveEndpoint(t *testing.T) {
	// Whatever podman this machine has, it is not asked here.
	defer localcache.SetDefaultSockets("/var/run/docker.sock", "/nonexistent/podman.sock")()
	dir := t.TempDir()
	writeContext(t, dir, "remote", "tcp://10.0.0.5:2376")
	writeContext(t, dir, "colima", "unix:///home/u/.colima/docker.sock")
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"currentContext":"colima"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		env        map[string]string
		host, from string
	}{
		{"DOCKER_HOST wins", map[string]string{"DOCKER_HOST": "unix:///tmp/x.sock", "DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": dir}, "unix:///tmp/x.sock", "DOCKER_HOST"},
		{"DOCKER_CONTEXT over currentContext", map[string]string{"DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": dir}, "tcp://10.0.0.5:2376", "context remote (DOCKER_CONTEXT)"},
		{"currentContext", map[string]string{"DOCKER_CONFIG": dir}, "unix:///home/u/.colima/docker.sock", "context colima (currentContext in " + filepath.Join(dir, "config.json") + ")"},
		{"default context", map[string]string{"DOCKER_CONTEXT": "default", "DOCKER_CONFIG": dir}, "unix:///var/run/docker.sock", "default socket"},
		{"no config at all", map[string]string{"DOCKER_CONFIG": t.TempDir()}, "unix:///var/run/docker.sock", "default socket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep, err := localcache.ResolveEndpoint(envOf(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if ep.Host != tc.host || ep.Source != tc.from {
				t.Errorf("got %q from %q, want %q from %q", ep.Host, ep.Source, tc.host, tc.from)
			}
		})
	}
}

func TestResolveEndpointUnknownContext(t *testing.T) {
	_, err := localcache.ResolveEndpoint(envOf(map[string]string{"DOCKER_CONTEXT": "nope", "DOCKER_CONFIG": t.TempDir()}))
	if err == nil || !strings.Contains(err.Error(), `docker context "nope"`) {
		t.Fatalf("unknown context: got %v, want an error naming the context", err)
	}
}

// With no engine configured and no docker socket, podman's
// Docker-compatible socket is used: the rootless one under
// XDG_RUNTIME_DIR, then the rootful one; a docker socket wins over both.
func TestResolveEndpointFindsPodman(t *testing.T) {
	dir := t.TempDir()
	listen := func(path string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ln.Close() })
	}
	docker, rootful := filepath.Join(dir, "docker.sock"), filepath.Join(dir, "podman-root", "podman.sock")
	rootless := filepath.Join(dir, "run", "podman", "podman.sock")
	defer localcache.SetDefaultSockets(docker, rootful)()
	env := envOf(map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_RUNTIME_DIR": filepath.Join(dir, "run")})
	resolve := func() localcache.Endpoint {
		t.Helper()
		ep, err := localcache.ResolveEndpoint(env)
		if err != nil {
			t.Fatal(err)
		}
		return ep
	}
	if ep := resolve(); ep.Host != "unix://"+docker || ep.Podman {
		t.Errorf("with no socket at all: %+v, want docker's default", ep)
	}
	listen(rootful)
	if ep := resolve(); ep.Host != "unix://"+rootful || !ep.Podman || !strings.Contains(ep.Source, "podman") {
		t.Errorf("rootful podman: %+v", ep)
	}
	listen(rootless)
	if ep := resolve(); ep.Host != "unix://"+rootless || !ep.Podman {
		t.Errorf("rootless podman first: %+v", ep)
	}
	listen(docker)
	if ep := resolve(); ep.Host != "unix://"+docker || ep.Podman || ep.Source != "default socket" {
		t.Errorf("docker's socket wins: %+v", ep)
	}
}
