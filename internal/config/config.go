// Package config is wharf's configuration: its own config file
// ($XDG_CONFIG_HOME/wharf/config.yaml, validated with the file, line and
// field of every mistake), the docker CLI's config.json where `docker login`
// leaves credentials, the registries the two name, and the XDG directories
// wharf keeps its data and cache in. It reads files; it talks to no engine
// and no registry.
package config

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"

	"go.yaml.in/yaml/v3"
)

// Registry is one registry wharf knows: from its config file, or named by
// the docker config (Source says which).
type Registry struct {
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
	// Provider names the registry's kind when its host does not tell it (a
	// self-hosted Quay, GitHub Enterprise's registry): hub, ghcr, quay, acr,
	// gar, ecr or distribution. Empty: from the host.
	Provider string `yaml:"provider"`
	// API is the base URL of the kind's own API when it is not the usual
	// one (GitHub Enterprise's https://github.example.com/api/v3).
	API string `yaml:"api"`
	// Source is where wharf learnt of the registry (SourceConfig, …).
	Source string `yaml:"-"`
}

// Providers are the kinds `provider:` names (registryclient has one each).
var Providers = []string{"acr", "distribution", "ecr", "gar", "gcr", "ghcr", "gitlab", "hub", "quay"}

// Config is wharf's config file.
type Config struct {
	// Path is the file it was read from ("" when none existed).
	Path       string     `yaml:"-"`
	Registries []Registry `yaml:"registries"`
	// DigestConcurrency caps parallel HEAD requests (default 16).
	DigestConcurrency int `yaml:"digest_concurrency"`
	// StallTimeout is how long a push or pull through the engine may go
	// without progress before wharf stops waiting (default 2m).
	StallTimeout time.Duration `yaml:"stall_timeout"`
	// RequestTimeout is how long one registry request may wait for the
	// start of its answer (default 30s). Whatever the requests, an
	// operation that makes no progress ends within stall_timeout + 60s.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// Keys are the user's key bindings by view and action (keys: tags:
	// delete: [D]); the app checks the views and actions (CheckKeys).
	Keys map[string]map[string]KeyList `yaml:"keys"`
	// Theme are the user's colours; empty ones keep the terminal's own.
	Theme Theme `yaml:"theme"`
	// bindings are Keys in the file's order, with their lines.
	bindings []domain.KeyBinding
}

// KeyList is one key ("D") or several ([D, delete]).
type KeyList []string

// UnmarshalYAML takes a single key or a list of keys.
func (k *KeyList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*k = KeyList{n.Value}
		return nil
	}
	var keys []string
	if err := n.Decode(&keys); err != nil {
		return err
	}
	*k = keys
	return nil
}

// Theme are colours as ANSI numbers ("4", "208") or hex ("#ff8800").
type Theme struct {
	Accent string `yaml:"accent"`
	Muted  string `yaml:"muted"`
	Danger string `yaml:"danger"`
	OK     string `yaml:"ok"`
	Warn   string `yaml:"warn"`
}

// Bindings are the user's key bindings in the file's order.
func (c *Config) Bindings() []domain.KeyBinding { return c.bindings }

var colour = regexp.MustCompile(`^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}|[0-9]{1,3})$`)

// Error is a problem in the config file, with where it is.
type Error struct {
	Path  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.Path
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return loc + ": " + e.Msg
}

// Env looks up environment variables (os.Getenv in production).
type Env func(string) string

// Path is $XDG_CONFIG_HOME/wharf/config.yaml (~/.config/… when
// XDG_CONFIG_HOME is unset).
func Path(env Env) string {
	return filepath.Join(xdgDir(env, "XDG_CONFIG_HOME", ".config"), "wharf", "config.yaml")
}

// DataDir is $XDG_DATA_HOME/wharf (~/.local/share/wharf), where the journal
// lives.
func DataDir(env Env) string {
	return filepath.Join(xdgDir(env, "XDG_DATA_HOME", ".local/share"), "wharf")
}

// CacheDir is $XDG_CACHE_HOME/wharf (~/.cache/wharf), where what wharf read
// from registries is kept.
func CacheDir(env Env) string {
	return filepath.Join(xdgDir(env, "XDG_CACHE_HOME", ".cache"), "wharf")
}

// xdgDir is $variable, or ~/fallback when it is unset (the XDG base
// directory rule).
func xdgDir(env Env, variable, fallback string) string {
	if dir := env(variable); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, fallback)
}

// Load reads and checks the config file. A missing file is an empty
// config; anything wrong in it is an *Error naming the file, line and
// field.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	return Parse(path, b)
}

// Parse parses config file content; path is used in messages and to
// resolve relative ca_file paths.
func Parse(path string, b []byte) (*Config, error) {
	cfg := &Config{Path: path}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&root); err != nil {
		if err.Error() == "EOF" {
			return cfg, nil
		}
		return nil, yamlError(path, nil, err)
	}
	strict := yaml.NewDecoder(bytes.NewReader(b))
	strict.KnownFields(true)
	if err := strict.Decode(cfg); err != nil {
		return nil, yamlError(path, &root, err)
	}
	cfg.Path = path
	if cfg.StallTimeout < 0 || cfg.StallTimeout > 0 && cfg.StallTimeout < time.Second {
		return nil, &Error{Path: path, Line: fieldLine(&root, "stall_timeout"), Field: "stall_timeout", Msg: "must be a duration of a second or more (90s, 5m)"}
	}
	if cfg.RequestTimeout < 0 || cfg.RequestTimeout > 0 && cfg.RequestTimeout < 100*time.Millisecond {
		return nil, &Error{Path: path, Line: fieldLine(&root, "request_timeout"), Field: "request_timeout", Msg: "must be a duration of 100ms or more (10s, 1m)"}
	}
	if cfg.DigestConcurrency < 0 || cfg.DigestConcurrency > 256 {
		return nil, &Error{Path: path, Line: fieldLine(&root, "digest_concurrency"), Field: "digest_concurrency", Msg: "must be between 1 and 256"}
	}
	if err := cfg.checkKeysAndTheme(&root); err != nil {
		return nil, err
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
			return &Error{Path: path, Line: fieldLine(item, field), Field: fmt.Sprintf("registries[%d].%s", i, field), Msg: msg}
		}
		if r.Host == "" {
			return nil, fail("host", "is required (e.g. ghcr.io or registry.local:5000)")
		}
		if err := ref.CheckHost(r.Host); err != nil {
			return nil, fail("host", err.Error())
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
		if r.Provider != "" && !slices.Contains(Providers, r.Provider) {
			return nil, fail("provider", fmt.Sprintf("%q is no kind wharf knows: %s", r.Provider, strings.Join(Providers, ", ")))
		}
		if r.API != "" {
			if u, err := url.Parse(r.API); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return nil, fail("api", fmt.Sprintf("%q is not an http(s) URL (e.g. https://github.example.com/api/v3)", r.API))
			}
		}
		for k, repo := range r.Repositories {
			if _, err := ref.ParseRepository(r.Host + "/" + repo); err != nil {
				return nil, fail(fmt.Sprintf("repositories[%d]", k), fmt.Sprintf("%q is not a repository name (%v)", repo, err))
			}
		}
	}
	return cfg, nil
}

// checkKeysAndTheme checks the keys are not empty and the colours are
// colours, and records where each binding is.
func (c *Config) checkKeysAndTheme(root *yaml.Node) error {
	keys := valueOf(root, "keys")
	if keys != nil && keys.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(keys.Content); i += 2 {
			view, actions := keys.Content[i].Value, keys.Content[i+1]
			for j := 0; j+1 < len(actions.Content); j += 2 {
				action, line := actions.Content[j].Value, actions.Content[j].Line
				b := domain.KeyBinding{View: view, Action: action, Keys: c.Keys[view][action], Line: line}
				if len(b.Keys) == 0 || slices.Contains(b.Keys, "") {
					return &Error{Path: c.Path, Line: line, Field: b.Field(), Msg: "needs a key (e.g. D, ctrl+d, or [D, delete])"}
				}
				c.bindings = append(c.bindings, b)
			}
		}
	}
	theme := valueOf(root, "theme")
	for _, f := range []struct{ field, v string }{{"accent", c.Theme.Accent}, {"muted", c.Theme.Muted}, {"danger", c.Theme.Danger}, {"ok", c.Theme.OK}, {"warn", c.Theme.Warn}} {
		field, v := f.field, f.v
		if n, err := strconv.Atoi(v); v != "" && (!colour.MatchString(v) || err == nil && n > 255) {
			return &Error{Path: c.Path, Line: fieldLine(theme, field), Field: "theme." + field, Msg: fmt.Sprintf("%q is not a colour: an ANSI number (0-255) or #rrggbb", v)}
		}
	}
	return nil
}

// yamlError turns a YAML decoding error ("yaml: line 3: …") into an *Error
// with the line and, when root is parsed, the field's path in the file's
// own words ("registries[0].cafile"), never a Go type's name.
func yamlError(path string, root *yaml.Node, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i] // one mistake at a time, the first
	}
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	e := &Error{Path: path, Line: line, Msg: msg}
	if root == nil || line == 0 {
		return e
	}
	if field, ok := strings.CutPrefix(msg, "field "); ok {
		if name, _, found := strings.Cut(field, " not found"); found {
			e.Field = fieldPath(root, line, name)
			e.Msg = "unknown field; " + knownFields(e.Field)
			return e
		}
	}
	if strings.HasPrefix(msg, "cannot unmarshal") {
		e.Field = fieldPath(root, line, "")
		if _, rest, ok := strings.Cut(msg, " into "); ok {
			e.Msg = "must be " + article(goKind(rest))
		}
	}
	return e
}

// fieldPath is the path of the key on line (named key, or any key when
// key is ""): "registries[0].cafile", "digest_concurrency".
func fieldPath(root *yaml.Node, line int, key string) string {
	var walk func(n *yaml.Node, prefix string) (string, bool)
	walk = func(n *yaml.Node, prefix string) (string, bool) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if p, ok := walk(c, prefix); ok {
					return p, true
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := k.Value
				if prefix != "" {
					p = prefix + "." + k.Value
				}
				if k.Line == line && (key == "" || k.Value == key) {
					return p, true
				}
				if v.Line == line && key == "" && v.Kind == yaml.ScalarNode {
					return p, true
				}
				if sub, ok := walk(v, p); ok {
					return sub, true
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				if sub, ok := walk(c, fmt.Sprintf("%s[%d]", prefix, i)); ok {
					return sub, true
				}
				if c.Line == line && key == "" && c.Kind == yaml.ScalarNode {
					return fmt.Sprintf("%s[%d]", prefix, i), true
				}
			}
		}
		return "", false
	}
	p, _ := walk(root, "")
	return p
}

// knownFields says which fields the mapping that holds field takes.
func knownFields(field string) string {
	if strings.HasPrefix(field, "registries[") {
		return "a registry takes name, host, insecure, ca_file, repositories, namespaces"
	}
	return "the file takes registries, digest_concurrency"
}

// goKind names a Go type from a YAML error in a user's words.
func goKind(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "whole number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "text"
	case strings.HasPrefix(t, "[]"):
		return "list"
	}
	return "mapping"
}

func article(kind string) string {
	switch kind {
	case "true or false":
		return kind
	case "list":
		return "a list (- item, or [a, b])"
	}
	return "a " + kind
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
