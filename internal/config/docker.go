package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
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
	// Podman are podman's auth.json files that exist, in the order podman
	// reads them; credentials in config.json win over theirs.
	Podman []*AuthFile
}

// AuthFile is one of podman's (containers/image) auth.json files: the same
// "auths" and "credHelpers" as config.json, keys without a scheme, Docker
// Hub as docker.io.
type AuthFile struct {
	Path string
	file *configfile.ConfigFile
}

// SourcePodman says podman's auth.json named a registry.
const SourcePodman = "auth.json"

// PodmanAuthPaths are the auth.json files podman reads, in its order:
// $REGISTRY_AUTH_FILE alone when set; else ${XDG_RUNTIME_DIR}/containers/auth.json
// (/run/containers/$UID/auth.json without XDG_RUNTIME_DIR), then
// ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json.
func PodmanAuthPaths(env Env) []string {
	if f := env("REGISTRY_AUTH_FILE"); f != "" {
		return []string{f}
	}
	runtime := env("XDG_RUNTIME_DIR")
	if runtime == "" {
		runtime = filepath.Join("/run/containers", strconv.Itoa(os.Getuid()))
	}
	cfg := env("XDG_CONFIG_HOME")
	if cfg == "" {
		home := env("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		cfg = filepath.Join(home, ".config")
	}
	return []string{filepath.Join(runtime, "containers", "auth.json"), filepath.Join(cfg, "containers", "auth.json")}
}

// LoadCredentials reads docker's config.json and podman's auth.json files;
// a file that is missing is skipped, one that cannot be read is an error
// naming it.
func LoadCredentials(env Env) (*Docker, error) {
	d, err := LoadDocker(DockerDir(env))
	if err != nil {
		return nil, err
	}
	for _, path := range PodmanAuthPaths(env) {
		f, err := os.Open(path) //nolint:gosec // the user's own credential files
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading podman's %s: %w", path, err)
		}
		cf, err := config.LoadFromReader(f)
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading podman's %s: %w", path, err)
		}
		cf.Filename = path
		d.Podman = append(d.Podman, &AuthFile{Path: path, file: cf})
	}
	return d, nil
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
	for _, p := range d.Podman {
		for _, keys := range []map[string]string{slicesKeys(p.file.AuthConfigs), p.file.CredentialHelpers} {
			for key := range keys {
				if h := NormalizeHost(key); h != "" && seen[h] == "" {
					seen[h] = SourcePodman
				}
			}
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

// slicesKeys is a map's keys as a set of strings to strings (for ranging
// over auths and credHelpers alike).
func slicesKeys[V any](m map[string]V) map[string]string {
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = ""
	}
	return out
}

// Keychain resolves credentials from config.json, then from podman's
// auth.json files in podman's order (helpers included), falling back to
// anonymous.
func (d *Docker) Keychain() authn.Keychain { return dockerKeychain{d} }

type dockerKeychain struct{ d *Docker }

func (k dockerKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	cfg, _, err := k.d.lookup(target.RegistryStr())
	if err != nil {
		return nil, fmt.Errorf("credentials for %s: %w", target.RegistryStr(), err)
	}
	if empty(cfg) {
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

func empty(cfg types.AuthConfig) bool {
	return cfg.Username == "" && cfg.Password == "" && cfg.Auth == "" && cfg.IdentityToken == "" && cfg.RegistryToken == ""
}

// lookup finds host's credentials: config.json's first, then each auth.json
// in turn; from says where they came from (the file, and the helper when
// one holds them), "" when none has any.
func (d *Docker) lookup(host string) (cfg types.AuthConfig, from string, err error) {
	if host == name.DefaultRegistry || host == DockerHub {
		host = DockerHub
	}
	dockerKey := host
	if host == DockerHub {
		dockerKey = dockerHubAuthKey
	}
	if cfg, err = d.file.GetAuthConfig(dockerKey); err != nil {
		return cfg, "", err
	}
	if !empty(cfg) {
		return cfg, describeSource(d.Path, d.file, dockerKey), nil
	}
	for _, p := range d.Podman {
		key := host
		if _, ok := p.file.AuthConfigs[key]; !ok && host == DockerHub {
			// Entries written by docker-style tools.
			if _, ok := p.file.AuthConfigs[dockerHubAuthKey]; ok {
				key = dockerHubAuthKey
			}
		}
		// Not GetAuthConfig: it turns docker.io into docker's own key.
		if cfg, err = p.file.GetCredentialsStore(key).Get(key); err != nil {
			return cfg, "", fmt.Errorf("%s: %w", p.Path, err)
		}
		if !empty(cfg) {
			return cfg, describeSource(p.Path, p.file, key), nil
		}
	}
	return types.AuthConfig{}, "", nil
}

func describeSource(path string, f *configfile.ConfigFile, key string) string {
	if h := f.CredentialHelpers[key]; h != "" {
		return path + " (helper docker-credential-" + h + ")"
	}
	if f.CredentialsStore != "" {
		return path + " (store docker-credential-" + f.CredentialsStore + ")"
	}
	return path
}

// CredentialsFrom says where host's credentials come from — the file, and
// the helper when one holds them — never the credentials; "" when there
// are none.
func (d *Docker) CredentialsFrom(host string) string {
	_, from, err := d.lookup(NormalizeHost(host))
	if err != nil {
		return ""
	}
	return from
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
