package config_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
)

const goodConfig = `registries:
  - name: release
    host: registry.example.com:5000
    ca_file: ca.pem
    repositories: [team/app, team/web]
  - host: docker.io
    namespaces: [library, wharfdev]
  - host: 127.0.0.1:5000
    insecure: true
digest_concurrency: 8
stall_timeout: 90s
`

func writeCA(t *testing.T, dir string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notpem.txt"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestParseConfigGood(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(goodConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	writeCA(t, dir)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Registries) != 3 || cfg.DigestConcurrency != 8 {
		t.Fatalf("config %+v", cfg)
	}
	r := cfg.Registries[0]
	if r.Name != "release" || r.CAFile != filepath.Join(dir, "ca.pem") || len(r.Repositories) != 2 {
		t.Errorf("first registry %+v", r)
	}
	if cfg.Registries[1].Name != "docker.io" || !cfg.Registries[2].Insecure {
		t.Errorf("defaults: %+v", cfg.Registries)
	}
}

func TestLoadConfigMissingIsEmpty(t *testing.T) {
	cfg, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err != nil || len(cfg.Registries) != 0 {
		t.Errorf("missing config: %+v %v", cfg, err)
	}
}

// A bad config names the file, the line and the field.
func TestParseConfigErrors(t *testing.T) {
	dir := t.TempDir()
	writeCA(t, dir)
	path := filepath.Join(dir, "config.yaml")
	for _, tc := range []struct {
		name, body string
		line       int
		want       string
	}{
		{"unknown field", "registries:\n  - host: a.io\n    hots: b\n", 3, "registries[0].hots: unknown field; a registry takes name, host"},
		{"unknown field, second registry", "registries:\n  - host: a.io\n  - host: b.io\n    cafile: x\n", 4, "registries[1].cafile: unknown field"},
		{"unknown top-level field", "registry:\n  - host: a.io\n", 1, "registry: unknown field; the file takes registries, digest_concurrency"},
		{"wrong scalar type", "digest_concurrency: lots\n", 1, "digest_concurrency: must be a whole number"},
		{"missing host", "registries:\n  - name: x\n", 2, "registries[0].host: is required"},
		{"bad host", "registries:\n  - host: \"not a host!\"\n", 2, `registries[0].host: "not a host!": not a registry host`},
		{"host with path", "registries:\n  - host: ghcr.io/team\n", 2, `"ghcr.io/team": not a registry host`},
		{"dotless host docker reads as Hub", "registries:\n  - host: myregistry\n", 2, `docker reads myregistry/… as a Docker Hub namespace`},
		{"repository docker refuses", "registries:\n  - host: r.example\n    repositories: [team//app]\n", 3, `registries[0].repositories[0]: "team//app" is not a repository name ("r.example/team//app": invalid reference format)`},
		{"duplicate name", "registries:\n  - host: a.io\n  - host: b.io\n    name: a.io\n", 4, `registries[1].name: "a.io" is already used by registries[0]`},
		{"missing ca", "registries:\n  - host: a.io\n    ca_file: missing.pem\n", 3, "registries[0].ca_file: open"},
		{"ca not pem", "registries:\n  - host: a.io\n    ca_file: notpem.txt\n", 3, "holds no PEM certificate"},
		{"bad repository", "registries:\n  - host: a.io\n    repositories: [ok/repo, Not/Valid]\n", 3, `registries[0].repositories[1]: "Not/Valid" is not a repository name`},
		{"syntax", "registries:\n  - host: a.io\n    name: x: y\n", 3, "mapping values are not allowed"},
		{"concurrency", "digest_concurrency: 1000\n", 1, "digest_concurrency: must be between 1 and 256"},
		{"wrong type", "registries: yes\n", 1, "registries: must be a list"},
		{"stall timeout too short", "stall_timeout: 10ms\n", 1, "stall_timeout: must be a duration of a second or more"},
		{"stall timeout not a duration", "stall_timeout: soon\n", 1, "stall_timeout:"},
		{"theme not a colour", "theme:\n  accent: orange\n", 2, `theme.accent: "orange" is not a colour: an ANSI number (0-255) or #rrggbb`},
		{"theme number too big", "theme:\n  ok: 2\n  muted: 300\n", 3, `theme.muted: "300" is not a colour`},
		{"theme unknown colour", "theme:\n  accnet: \"4\"\n", 2, "theme.accnet: unknown field"},
		{"empty key", "keys:\n  tags:\n    undo: u\n    delete: []\n", 4, "keys.tags.delete: needs a key"},
		{"keys not by view", "keys: [d]\n", 1, "keys:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse(path, []byte(tc.body))
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("got %v, want a *ConfigError", err)
			}
			if cerr.Path != path || cerr.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q (line %d), want line %d and %q", err, cerr.Line, tc.line, tc.want)
			}
			if !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("message %q does not start with the file", err)
			}
			// The file's words, never Go's.
			if rest := strings.TrimPrefix(err.Error(), path); strings.Contains(rest, "type ") || strings.Contains(rest, "config.") {
				t.Errorf("message %q names a Go type", err)
			}
		})
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(goodConfig))
	f.Add([]byte("registries:\n  - host: a.io\n    hots: b\n"))
	f.Add([]byte("registries: [{host: \"x:1\", repositories: [a]}]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := config.Parse("/fuzz/config.yaml", b)
		if err != nil {
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("error %v is not a *ConfigError", err)
			}
			return
		}
		for _, r := range cfg.Registries {
			if r.Host == "" || r.Name == "" {
				t.Fatalf("accepted a registry without host or name: %+v", r)
			}
		}
	})
}

func TestStallTimeoutIsADuration(t *testing.T) {
	cfg, err := config.Parse("/x/config.yaml", []byte("stall_timeout: 90s\n"))
	if err != nil || cfg.StallTimeout != 90*time.Second {
		t.Errorf("stall_timeout: %v %v", cfg, err)
	}
}

// Key bindings: one key or several, in the file's order with their lines.
func TestParseKeysAndTheme(t *testing.T) {
	cfg, err := config.Parse("/c/config.yaml", []byte("theme:\n  accent: \"#ff8800\"\n  muted: 244\nkeys:\n  tags:\n    delete: D\n    undo: [U, ctrl+z]\n  global:\n    zoom: Z\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Bindings()
	want := []domain.KeyBinding{
		{View: "tags", Action: "delete", Keys: []string{"D"}, Line: 6},
		{View: "tags", Action: "undo", Keys: []string{"U", "ctrl+z"}, Line: 7},
		{View: "global", Action: "zoom", Keys: []string{"Z"}, Line: 9},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bindings %v, want %v", got, want)
	}
	if cfg.Theme.Accent != "#ff8800" || cfg.Theme.Muted != "244" || got[1].Field() != "keys.tags.undo" {
		t.Errorf("theme %+v, field %q", cfg.Theme, got[1].Field())
	}
}

// provider: names a kind wharf knows; api: is a URL.
func TestProviderAndAPIAreChecked(t *testing.T) {
	ok := "registries:\n  - host: quay.example.com\n    provider: quay\n  - host: git.example.com\n    provider: ghcr\n    api: https://git.example.com/api/v3\n"
	cfg, err := config.Parse("config.yaml", []byte(ok))
	if err != nil || cfg.Registries[0].Provider != "quay" || cfg.Registries[1].API != "https://git.example.com/api/v3" {
		t.Fatalf("%+v %v", cfg, err)
	}
	for body, want := range map[string]string{
		"registries:\n  - host: r.example.com\n    provider: harbour\n": `config.yaml:3: registries[0].provider: "harbour" is no kind wharf knows: acr, distribution`,
		"registries:\n  - host: r.example.com\n    api: ftp://x\n":      `config.yaml:3: registries[0].api: "ftp://x" is not an http(s) URL`,
	} {
		if _, err := config.Parse("config.yaml", []byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}
