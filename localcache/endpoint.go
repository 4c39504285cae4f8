package localcache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/config"
)

// Endpoint is the engine wharf talks to and why that one.
type Endpoint struct {
	// Host is a docker host URL: unix:///var/run/docker.sock, tcp://…, ssh://…
	Host string
	// Source says where Host came from, for people ("DOCKER_HOST", …).
	Source string
	// Context is the docker context name, when one chose the host.
	Context string
	// TLS material, from DOCKER_CERT_PATH or the context's TLS directory.
	CAFile, CertFile, KeyFile string
	// SkipTLSVerify mirrors the context's SkipTLSVerify.
	SkipTLSVerify bool
	// Podman says Host is podman's Docker-compatible API.
	Podman bool
}

// Env looks up environment variables (os.Getenv in production).
type Env = config.Env

// ResolveEndpoint picks the engine the way the docker CLI does: DOCKER_HOST,
// then DOCKER_CONTEXT, then config.json's currentContext, then the default
// socket.
func ResolveEndpoint(env Env) (Endpoint, error) {
	if h := env("DOCKER_HOST"); h != "" {
		ep := Endpoint{Host: h, Source: "DOCKER_HOST"}
		if p := env("DOCKER_CERT_PATH"); p != "" && env("DOCKER_TLS_VERIFY") != "" {
			ep.CAFile, ep.CertFile, ep.KeyFile = filepath.Join(p, "ca.pem"), filepath.Join(p, "cert.pem"), filepath.Join(p, "key.pem")
		}
		return ep, nil
	}
	dir := config.DockerDir(env)
	name, source := env("DOCKER_CONTEXT"), "DOCKER_CONTEXT"
	if name == "" {
		var err error
		name, err = currentContext(dir)
		if err != nil {
			return Endpoint{}, err
		}
		source = "currentContext in " + filepath.Join(dir, "config.json")
	}
	if name == "" || name == "default" {
		return defaultEndpoint(env), nil
	}
	return contextEndpoint(dir, name, source)
}

// dockerSocket is the docker engine's default socket.
var dockerSocket = "/var/run/docker.sock"

// defaultEndpoint is docker's default socket; where there is none and
// podman's Docker-compatible socket is there (rootless, then rootful), that.
func defaultEndpoint(env Env) Endpoint {
	if !isSocket(dockerSocket) {
		var candidates []string
		if rt := env("XDG_RUNTIME_DIR"); rt != "" {
			candidates = append(candidates, filepath.Join(rt, "podman", "podman.sock"))
		}
		for _, sock := range append(candidates, podmanSocket) {
			if isSocket(sock) {
				return Endpoint{Host: "unix://" + sock, Source: "podman's socket (no docker engine configured)", Podman: true}
			}
		}
	}
	return Endpoint{Host: "unix://" + dockerSocket, Source: "default socket"}
}

// podmanSocket is rootful podman's socket (systemctl enable --now podman.socket).
var podmanSocket = "/run/podman/podman.sock"

func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&fs.ModeSocket != 0
}

func currentContext(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("reading %s: %w", filepath.Join(dir, "config.json"), err)
	}
	return cfg.CurrentContext, nil
}

// contextEndpoint reads a docker context's metadata, stored by the CLI under
// contexts/meta/<sha256 of the name>/meta.json.
func contextEndpoint(dir, name, source string) (Endpoint, error) {
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	metaPath := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	b, err := os.ReadFile(metaPath)
	if err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q (from %s): %w", name, source, err)
	}
	var meta struct {
		Endpoints map[string]struct {
			Host          string
			SkipTLSVerify bool
		}
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return Endpoint{}, fmt.Errorf("reading %s: %w", metaPath, err)
	}
	dockerEP, ok := meta.Endpoints["docker"]
	if !ok || dockerEP.Host == "" {
		return Endpoint{}, fmt.Errorf("docker context %q has no docker endpoint (%s)", name, metaPath)
	}
	ep := Endpoint{Host: dockerEP.Host, Source: "context " + name + " (" + source + ")", Context: name, SkipTLSVerify: dockerEP.SkipTLSVerify}
	tlsDir := filepath.Join(dir, "contexts", "tls", id, "docker")
	if _, err := os.Stat(filepath.Join(tlsDir, "ca.pem")); err == nil {
		ep.CAFile, ep.CertFile, ep.KeyFile = filepath.Join(tlsDir, "ca.pem"), filepath.Join(tlsDir, "cert.pem"), filepath.Join(tlsDir, "key.pem")
	}
	return ep, nil
}

// options are the moby client options that reach this endpoint.
func (ep Endpoint) options() []client.Opt {
	// API version negotiation is the client's default (Debian's engine speaks 1.41).
	opts := []client.Opt{client.WithHost(ep.Host)}
	if ep.CAFile != "" {
		opts = append(opts, client.WithTLSClientConfig(ep.CAFile, ep.CertFile, ep.KeyFile))
	}
	return opts
}
