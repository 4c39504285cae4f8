package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DockerHub is how wharf names Docker Hub's registry.
const DockerHub = domain.DockerHub

// dockerHubAuthKey is the key the docker CLI stores Hub credentials under.
const dockerHubAuthKey = "https://index.docker.io/v1/"

// Docker is the docker CLI's config.json, where `docker login` leaves
// credentials (inline, in a credsStore or in per-registry credHelpers).
type Docker struct {
	// Path is the config.json that was read (or would be).
	Path string
	// Exists reports whether that file exists.
	Exists bool
	file   *configfile.ConfigFile
}

// LoadDocker reads dir/config.json; a missing file is an empty config.
func LoadDocker(dir string) (*Docker, error) {
	path := filepath.Join(dir, config.ConfigFileName)
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading docker config %s: %w", path, statErr)
	}
	f, err := config.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("reading docker config %s: %w", path, err)
	}
	return &Docker{Path: path, Exists: exists, file: f}, nil
}

// Registries lists Docker Hub and every registry config.json names, sorted,
// Hub first.
func (d *Docker) Registries() []Registry {
	seen := map[string]string{DockerHub: SourceAlways}
	for key := range d.file.AuthConfigs {
		if h := NormalizeHost(key); h != "" && seen[h] == "" {
			seen[h] = SourceAuths
		}
	}
	for key := range d.file.CredentialHelpers {
		if h := NormalizeHost(key); h != "" && seen[h] == "" {
			seen[h] = SourceCredHelpers
		}
	}
	out := make([]Registry, 0, len(seen))
	for h, src := range seen {
		out = append(out, Registry{Name: h, Host: h, Source: src})
	}
	sortRegistries(out)
	return out
}

// NormalizeHost turns a config.json key ("https://index.docker.io/v1/",
// "http://host:5000", "ghcr.io") into a registry host.
func NormalizeHost(key string) string {
	h := key
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexByte(h, '/'); i >= 0 {
		h = h[:i]
	}
	switch h {
	case "index.docker.io", "registry-1.docker.io":
		return DockerHub
	}
	return h
}

// Keychain resolves credentials from this config, including credential
// helpers, falling back to anonymous.
func (d *Docker) Keychain() authn.Keychain { return dockerKeychain{d.file} }

type dockerKeychain struct{ file *configfile.ConfigFile }

func (k dockerKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	key := target.RegistryStr()
	if key == name.DefaultRegistry || key == DockerHub {
		key = dockerHubAuthKey
	}
	cfg, err := k.file.GetAuthConfig(key)
	if err != nil {
		return nil, fmt.Errorf("credentials for %s: %w", target.RegistryStr(), err)
	}
	if cfg.Username == "" && cfg.Password == "" && cfg.Auth == "" && cfg.IdentityToken == "" && cfg.RegistryToken == "" {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(authn.AuthConfig{
		Username:      cfg.Username,
		Password:      cfg.Password,
		Auth:          cfg.Auth,
		IdentityToken: cfg.IdentityToken,
		RegistryToken: cfg.RegistryToken,
	}), nil
}

// DockerDir is where the docker CLI keeps config.json and contexts:
// $DOCKER_CONFIG, else ~/.docker.
func DockerDir(env Env) string {
	if d := env("DOCKER_CONFIG"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".docker"
	}
	return filepath.Join(home, ".docker")
}
