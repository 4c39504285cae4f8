package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/config"
)

const commented = `# wharf's registries — kept by hand
digest_concurrency: 8 # not too many

registries:
  # the release registry
  - name: release
    host: registry.example.com:5000
    insecure: true # lab network
  - host: ghcr.io
    repositories: [team/app] # GHCR has no catalog
stall_timeout: 3m
`

// Adding, editing and removing a registry keeps the user's comments, the
// order of keys and entries, and every other setting; what is written
// reads back as it was meant, and a mistake writes nothing.
func TestRegistriesEditedKeepTheFileAsItWas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(commented), 0o600); err != nil {
		t.Fatal(err)
	}
	read := func() (string, *config.Config) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatalf("what was written does not load: %v\n%s", err, b)
		}
		return string(b), cfg
	}
	if err := config.SaveRegistry(path, "", config.Registry{Host: "10.0.0.5:5000", Name: "lab", Insecure: true, Namespaces: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	if err := config.SaveRegistry(path, "ghcr.io", config.Registry{Host: "ghcr.io", Repositories: []string{"team/app", "team/web"}}); err != nil {
		t.Fatal(err)
	}
	text, cfg := read()
	for _, c := range []string{"# wharf's registries — kept by hand", "# not too many", "# the release registry", "# lab network", "# GHCR has no catalog"} {
		if !strings.Contains(text, c) {
			t.Errorf("the comment %q is gone:\n%s", c, text)
		}
	}
	if cfg.DigestConcurrency != 8 || cfg.StallTimeout.String() != "3m0s" || len(cfg.Registries) != 3 {
		t.Fatalf("settings after the edits: %+v", cfg)
	}
	if r := cfg.Registries[0]; r.Name != "release" || r.Host != "registry.example.com:5000" || !r.Insecure {
		t.Errorf("the first registry changed: %+v", r)
	}
	if r := cfg.Registries[1]; r.Host != "ghcr.io" || strings.Join(r.Repositories, ",") != "team/app,team/web" {
		t.Errorf("ghcr.io after the edit: %+v", r)
	}
	if r := cfg.Registries[2]; r.Name != "lab" || r.Host != "10.0.0.5:5000" || !r.Insecure || r.Namespaces[0] != "team" {
		t.Errorf("the added registry: %+v", r)
	}
	if strings.Index(text, "\ndigest_concurrency") > strings.Index(text, "\nregistries:") || strings.Index(text, "\nregistries:") > strings.Index(text, "\nstall_timeout") {
		t.Errorf("the keys moved:\n%s", text)
	}

	before := text
	for _, bad := range []error{
		config.SaveRegistry(path, "", config.Registry{Host: "bad_host.com"}),
		config.SaveRegistry(path, "", config.Registry{Host: "ghcr.io"}),
		config.SaveRegistry(path, "nope.example", config.Registry{Host: "nope.example"}),
		config.SaveRegistry(path, "", config.Registry{Host: "x.example", CAFile: "/nonexistent/ca.pem"}),
	} {
		if bad == nil {
			t.Error("a mistake was written")
		}
	}
	if after, _ := read(); after != before {
		t.Errorf("a refused edit changed the file:\n%s", after)
	}

	if err := config.RemoveRegistry(path, "ghcr.io"); err != nil {
		t.Fatal(err)
	}
	text, cfg = read()
	if len(cfg.Registries) != 2 || strings.Contains(text, "ghcr.io") || !strings.Contains(text, "# the release registry") {
		t.Errorf("after removing ghcr.io:\n%s", text)
	}

	// A new file is made.
	fresh := filepath.Join(t.TempDir(), "wharf", "config.yaml")
	if err := config.SaveRegistry(fresh, "", config.Registry{Host: "registry.local:5000"}); err != nil {
		t.Fatal(err)
	}
	if cfg, err := config.Load(fresh); err != nil || len(cfg.Registries) != 1 || cfg.Registries[0].Host != "registry.local:5000" {
		t.Errorf("a new config: %+v %v", cfg, err)
	}
}
