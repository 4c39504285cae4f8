package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wharf-dev/wharf/internal/config"
)

func TestDockerConfigRegistriesAndKeychain(t *testing.T) {
	dir := t.TempDir()
	cfg := `{
  "auths": {
    "https://index.docker.io/v1/": {"auth": "aHViOmh1Yi1zZWNyZXQ="},
    "ghcr.io": {"auth": "Z2g6Z2gtc2VjcmV0"},
    "http://localhost:5000": {}
  },
  "credHelpers": {"123456789.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"}
}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	dc, err := config.LoadDocker(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range dc.Registries() {
		got = append(got, r.Host+" "+r.Source)
	}
	want := []string{"docker.io always", "123456789.dkr.ecr.eu-west-1.amazonaws.com credHelpers", "ghcr.io auths", "localhost:5000 auths"}
	if len(got) != len(want) {
		t.Fatalf("registries %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("registry %d = %q, want %q", i, got[i], want[i])
		}
	}

	kc := dc.Keychain()
	for host, user := range map[string]string{"docker.io": "hub", "index.docker.io": "hub", "ghcr.io": "gh", "localhost:5000": "", "quay.io": ""} {
		reg, err := name.NewRegistry(host)
		if err != nil {
			t.Fatal(err)
		}
		auth, err := kc.Resolve(reg)
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		if user == "" {
			if auth != authn.Anonymous {
				t.Errorf("%s: want anonymous", host)
			}
			continue
		}
		ac, err := auth.Authorization()
		if err != nil {
			t.Fatal(err)
		}
		if ac.Username != user {
			t.Errorf("%s: user %q, want %q", host, ac.Username, user)
		}
	}
}

func TestDockerConfigMissingAndBroken(t *testing.T) {
	dc, err := config.LoadDocker(t.TempDir())
	if err != nil {
		t.Fatalf("a missing config.json is an empty config, got %v", err)
	}
	if dc.Exists || len(dc.Registries()) != 1 {
		t.Errorf("missing config: exists %v, registries %v", dc.Exists, dc.Registries())
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"auths": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.LoadDocker(dir); err == nil {
		t.Error("a broken config.json loaded without error")
	}
}
