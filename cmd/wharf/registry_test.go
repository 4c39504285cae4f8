package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/testenv"
)

// wharf registry add writes the registry into config.yaml beside the
// user's comments and probes it; edit changes only what it is given; rm
// takes it out; a host docker refuses writes nothing.
func TestRegistryAddEditRemove(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	cfgHome := t.TempDir()
	path := filepath.Join(cfgHome, "wharf", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	orig := "# my registries\ndigest_concurrency: 4 # gentle\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": cfgHome, "DOCKER_HOST": "unix:///nonexistent.sock"}
	file := func() string {
		b, _ := os.ReadFile(path)
		return string(b)
	}

	out, _ := runWharf(t, env, "registry", "add", reg.Host, "--name", "lab", "--insecure")
	if !strings.Contains(out, "saved") || !strings.Contains(out, reg.Host) || !strings.Contains(out, "ok (http") {
		t.Errorf("add did not save and probe:\n%s", out)
	}
	if f := file(); !strings.Contains(f, "# my registries") || !strings.Contains(f, "# gentle") || !strings.Contains(f, "name: lab") || !strings.Contains(f, "host: "+reg.Host) {
		t.Errorf("the file after add:\n%s", f)
	}
	if _, err := runWharf(t, env, "registry", "edit", reg.Host, "--repo", "fixtures/app"); err != nil {
		t.Fatalf("edit: %v", err)
	}
	if f := file(); !strings.Contains(f, "name: lab") || !strings.Contains(f, "insecure: true") || !strings.Contains(f, "- fixtures/app") {
		t.Errorf("edit changed more or less than --repo:\n%s", f)
	}
	before := file()
	if _, err := runWharf(t, env, "registry", "add", "bad_host.com"); err == nil {
		t.Error("a host docker refuses was taken")
	}
	if _, err := runWharf(t, env, "registry", "add", reg.Host); err == nil || !strings.Contains(err.Error(), "already has") {
		t.Errorf("adding it twice: %v", err)
	}
	if file() != before {
		t.Errorf("a refused add changed the file:\n%s", file())
	}
	if _, err := runWharf(t, env, "registry", "rm", reg.Host); err != nil {
		t.Fatal(err)
	}
	if f := file(); strings.Contains(f, reg.Host) || !strings.Contains(f, "# gentle") {
		t.Errorf("after rm:\n%s", f)
	}
}
