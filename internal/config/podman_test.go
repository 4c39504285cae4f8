package config_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wharf-dev/wharf/internal/config"
)

func writeAuth(t *testing.T, path string, auths map[string]string, helpers map[string]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"auths": {`)
	first := true
	for host, user := range auths {
		if !first {
			b.WriteString(",")
		}
		first = false
		b.WriteString(`"` + host + `": {"auth": "` + base64.StdEncoding.EncodeToString([]byte(user+":"+user+"-secret")) + `"}`)
	}
	b.WriteString(`}, "credHelpers": {`)
	first = true
	for host, h := range helpers {
		if !first {
			b.WriteString(",")
		}
		first = false
		b.WriteString(`"` + host + `": "` + h + `"`)
	}
	b.WriteString("}}")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func userOf(t *testing.T, kc authn.Keychain, host string) string {
	t.Helper()
	reg, err := name.NewRegistry(host)
	if err != nil {
		t.Fatal(err)
	}
	a, err := kc.Resolve(reg)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := a.Authorization()
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Username
}

// Podman's auth.json files are read in podman's order — the runtime one,
// then the one under XDG_CONFIG_HOME, or REGISTRY_AUTH_FILE alone — after
// docker's config.json, which wins for a registry in both; credHelpers in
// them run as docker's do; doctor can say which file a credential came
// from.
func TestPodmanCredentialsMergeAfterDockers(t *testing.T) {
	root := t.TempDir()
	env := map[string]string{
		"DOCKER_CONFIG":   filepath.Join(root, "docker"),
		"XDG_RUNTIME_DIR": filepath.Join(root, "run"),
		"XDG_CONFIG_HOME": filepath.Join(root, "config"),
		"HOME":            root,
	}
	getenv := func(k string) string { return env[k] }
	runAuth := filepath.Join(root, "run", "containers", "auth.json")
	cfgAuth := filepath.Join(root, "config", "containers", "auth.json")
	writeAuth(t, filepath.Join(root, "docker", "config.json"), map[string]string{"a.example": "docker"}, nil)
	writeAuth(t, runAuth, map[string]string{"a.example": "podman-run", "b.example": "podman-run", "docker.io": "hub-podman"}, nil)
	writeAuth(t, cfgAuth, map[string]string{"b.example": "podman-cfg", "c.example": "podman-cfg"}, map[string]string{"d.example": "wharftest"})
	// A credential helper as podman and docker run it: docker-credential-NAME get.
	bin := filepath.Join(root, "bin")
	if err := os.MkdirAll(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	helper := "#!/bin/sh\nread host\necho '{\"ServerURL\":\"'$host'\",\"Username\":\"from-helper\",\"Secret\":\"s\"}'\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-wharftest"), []byte(helper), 0o700); err != nil { //nolint:gosec // an executable helper
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	dc, err := config.LoadCredentials(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if len(dc.Podman) != 2 || dc.Podman[0].Path != runAuth || dc.Podman[1].Path != cfgAuth {
		t.Fatalf("podman's files, in its order: %+v", dc.Podman)
	}
	kc := dc.Keychain()
	for host, want := range map[string]string{"a.example": "docker", "b.example": "podman-run", "c.example": "podman-cfg", "d.example": "from-helper", "index.docker.io": "hub-podman"} {
		if got := userOf(t, kc, host); got != want {
			t.Errorf("%s: credentials of %q, want %q", host, got, want)
		}
	}
	if got := dc.CredentialsFrom("a.example"); got != filepath.Join(root, "docker", "config.json") {
		t.Errorf("a.example's credentials from %q", got)
	}
	if got := dc.CredentialsFrom("b.example"); got != runAuth {
		t.Errorf("b.example's credentials from %q", got)
	}
	if got := dc.CredentialsFrom("d.example"); got != cfgAuth+" (helper docker-credential-wharftest)" {
		t.Errorf("d.example's credentials from %q", got)
	}
	if got := dc.CredentialsFrom("e.example"); got != "" {
		t.Errorf("e.example has no credentials, yet from %q", got)
	}
	sources := map[string]string{}
	for _, r := range config.Known(nil, dc) {
		sources[r.Host] = r.Source
	}
	if sources["b.example"] != config.SourcePodman || sources["d.example"] != config.SourcePodman || sources["a.example"] != config.SourceAuths {
		t.Errorf("where registries were learnt of: %v", sources)
	}

	// REGISTRY_AUTH_FILE replaces podman's own files.
	own := filepath.Join(root, "own.json")
	writeAuth(t, own, map[string]string{"c.example": "own"}, nil)
	env["REGISTRY_AUTH_FILE"] = own
	dc, err = config.LoadCredentials(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if len(dc.Podman) != 1 || userOf(t, dc.Keychain(), "c.example") != "own" || userOf(t, dc.Keychain(), "b.example") != "" {
		t.Errorf("with REGISTRY_AUTH_FILE only it is read: %+v", dc.Podman)
	}

	// A broken file is named.
	if err := os.WriteFile(own, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.LoadCredentials(getenv); err == nil || !strings.Contains(err.Error(), own) {
		t.Errorf("a broken auth.json: %v", err)
	}
}
