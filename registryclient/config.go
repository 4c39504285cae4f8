package registryclient

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"go.yaml.in/yaml/v3"
)

// RegistryConfig is one registry in wharf's config file.
type RegistryConfig struct {
	// Name is what wharf shows; defaults to Host.
	Name string `yaml:"name"`
	// Host is the registry host[:port], e.g. ghcr.io or registry.local:5000.
	Host string `yaml:"host"`
	// Insecure allows plain HTTP and skips TLS verification. Only when set.
	Insecure bool `yaml:"insecure"`
	// CAFile is a PEM bundle to trust for this registry's TLS certificate.
	CAFile string `yaml:"ca_file"`
	// Repositories are listed for registries whose catalog is refused
	// (Docker Hub, GHCR, ECR, …) or to pin what wharf shows.
	Repositories []string `yaml:"repositories"`
	// Namespaces are Docker Hub users or organisations whose repositories
	// wharf lists.
	Namespaces []string `yaml:"namespaces"`
}

// Config is wharf's config file.
type Config struct {
	// Path is the file it was read from ("" when none existed).
	Path       string           `yaml:"-"`
	Registries []RegistryConfig `yaml:"registries"`
	// DigestConcurrency caps parallel HEAD requests (default 16).
	DigestConcurrency int `yaml:"digest_concurrency"`
}

// ConfigError is a problem in the config file, with where it is.
type ConfigError struct {
	Path  string
	Line  int
	Field string
	Msg   string
}

func (e *ConfigError) Error() string {
	loc := e.Path
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return loc + ": " + e.Msg
}

// DefaultConfigPath is $XDG_CONFIG_HOME/wharf/config.yaml (~/.config/… when
// XDG_CONFIG_HOME is unset).
func DefaultConfigPath(env func(string) string) string {
	return filepath.Join(xdgDir(env, "XDG_CONFIG_HOME", ".config"), "wharf", "config.yaml")
}

// LoadConfig reads and checks the config file. A missing file is an empty
// config; anything wrong in it is a *ConfigError naming the file, line and
// field.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	return ParseConfig(path, b)
}

// ParseConfig parses config file content; path is used in messages and to
// resolve relative ca_file paths.
func ParseConfig(path string, b []byte) (*Config, error) {
	cfg := &Config{Path: path}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&root); err != nil {
		if err.Error() == "EOF" {
			return cfg, nil
		}
		return nil, yamlError(path, err)
	}
	strict := yaml.NewDecoder(bytes.NewReader(b))
	strict.KnownFields(true)
	if err := strict.Decode(cfg); err != nil {
		return nil, yamlError(path, err)
	}
	cfg.Path = path
	if cfg.DigestConcurrency < 0 || cfg.DigestConcurrency > 256 {
		return nil, &ConfigError{Path: path, Line: fieldLine(&root, "digest_concurrency"), Field: "digest_concurrency", Msg: "must be between 1 and 256"}
	}
	items := registryNodes(&root)
	seen := map[string]int{}
	for i := range cfg.Registries {
		r := &cfg.Registries[i]
		var item *yaml.Node
		if i < len(items) {
			item = items[i]
		}
		fail := func(field, msg string) error {
			return &ConfigError{Path: path, Line: fieldLine(item, field), Field: fmt.Sprintf("registries[%d].%s", i, field), Msg: msg}
		}
		if r.Host == "" {
			return nil, fail("host", "is required (e.g. ghcr.io or registry.local:5000)")
		}
		if _, err := name.NewRegistry(r.Host, name.StrictValidation); err != nil || strings.Contains(r.Host, "/") {
			return nil, fail("host", fmt.Sprintf("%q is not a registry host[:port]", r.Host))
		}
		if r.Name == "" {
			r.Name = r.Host
		}
		if j, dup := seen[r.Name]; dup {
			return nil, fail("name", fmt.Sprintf("%q is already used by registries[%d]", r.Name, j))
		}
		seen[r.Name] = i
		if r.CAFile != "" {
			if !filepath.IsAbs(r.CAFile) {
				r.CAFile = filepath.Join(filepath.Dir(path), r.CAFile)
			}
			pem, err := os.ReadFile(r.CAFile)
			if err != nil {
				return nil, fail("ca_file", err.Error())
			}
			if !x509.NewCertPool().AppendCertsFromPEM(pem) {
				return nil, fail("ca_file", r.CAFile+" holds no PEM certificate")
			}
		}
		for k, repo := range r.Repositories {
			if _, err := name.NewRepository(r.Host + "/" + repo); err != nil {
				return nil, fail(fmt.Sprintf("repositories[%d]", k), fmt.Sprintf("%q is not a repository name", repo))
			}
		}
	}
	return cfg, nil
}

// yamlError turns a YAML decoding error ("yaml: line 3: …") into a
// *ConfigError with the line.
func yamlError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return &ConfigError{Path: path, Line: line, Msg: msg}
}

// registryNodes returns the mapping nodes of the registries sequence.
func registryNodes(root *yaml.Node) []*yaml.Node {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	seq := valueOf(doc, "registries")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	return seq.Content
}

func valueOf(m *yaml.Node, key string) *yaml.Node {
	if m == nil {
		return nil
	}
	if m.Kind == yaml.DocumentNode && len(m.Content) > 0 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// fieldLine is the line of a mapping's field, or of the mapping itself.
func fieldLine(m *yaml.Node, field string) int {
	base := field
	if i := strings.IndexByte(base, '['); i >= 0 {
		base = base[:i]
	}
	if v := valueOf(m, base); v != nil {
		return v.Line
	}
	if m != nil {
		return m.Line
	}
	return 0
}
