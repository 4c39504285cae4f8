package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// runWharf runs the CLI with the given environment and returns its output.
func runWharf(t testing.TB, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	// Never the user's own cache.
	if _, ok := env["XDG_CACHE_HOME"]; !ok {
		env["XDG_CACHE_HOME"] = t.TempDir()
	}
	// Nor podman's credentials of the user running the tests.
	if _, ok := env["XDG_RUNTIME_DIR"]; !ok {
		env["XDG_RUNTIME_DIR"] = t.TempDir()
	}
	// Nor the user's journal.
	if _, ok := env["XDG_DATA_HOME"]; !ok {
		env["XDG_DATA_HOME"] = t.TempDir()
	}
	a := &app{env: func(k string) string { return env[k] }, stdout: &out, stderr: &errOut}
	cmd := newRootCmd(a)
	cmd.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	return out.String() + errOut.String(), err
}

// dockerConfigFor writes a config.json with credentials for the given
// registries (user "" leaves an empty entry, as `docker logout` does).
func dockerConfigFor(t *testing.T, creds map[*testenv.Registry]string) string {
	t.Helper()
	auths := map[string]map[string]string{}
	for reg, user := range creds {
		entry := map[string]string{}
		if user != "" {
			entry["auth"] = base64.StdEncoding.EncodeToString([]byte(user + ":" + testenv.Password(user)))
		}
		auths[reg.Host] = entry
	}
	b, err := json.Marshal(map[string]any{"auths": auths})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDoctorAgainstTestEnvironment(t *testing.T) {
	eng := testenv.NeedEngine(t)
	anon := testenv.NeedRegistry(t, testenv.Anonymous)
	basic := testenv.NeedRegistry(t, testenv.Basic)
	tlsReg := testenv.NeedRegistry(t, testenv.TLS)
	token := testenv.NeedRegistry(t, testenv.Token)
	dockerDir := dockerConfigFor(t, map[*testenv.Registry]string{
		anon: "", basic: testenv.AdminUser, tlsReg: "", token: testenv.ReaderUser,
	})
	env := map[string]string{"DOCKER_HOST": eng.Host, "DOCKER_CONFIG": dockerDir, "XDG_CONFIG_HOME": t.TempDir()}

	// Name the registries: the test machine has no network, and doctor would
	// otherwise also ask Docker Hub.
	hosts := []string{anon.Host, basic.Host, tlsReg.Host, token.Host}
	out, err := runWharf(t, env, append([]string{"doctor"}, hosts...)...)
	t.Logf("wharf doctor:\n%s", out)
	if err != nil {
		t.Fatalf("doctor failed with the engine up: %v", err)
	}
	lines := strings.Split(out, "\n")
	find := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), prefix) {
				return l
			}
		}
		t.Errorf("no line starting with %q", prefix)
		return ""
	}
	if l := find("host"); !strings.Contains(l, eng.Host) || !strings.Contains(l, "DOCKER_HOST") {
		t.Errorf("engine host line %q", l)
	}
	if l := find("status"); !strings.Contains(l, "ok") || !strings.Contains(l, "API 1.41") {
		t.Errorf("engine status line %q: want ok with API 1.41 (Debian's engine)", l)
	}
	if l := find("docker "); !strings.Contains(l, filepath.Join(dockerDir, "config.json")) || !strings.Contains(l, "(read)") {
		t.Errorf("docker config line %q", l)
	}
	for _, want := range []struct {
		host  string
		parts []string
	}{
		{anon.Host, []string{"none", "ok (http, auth none)", "not needed"}},
		{basic.Host, []string{"yes", "ok (http, auth basic)", "ok"}},
		{token.Host, []string{"yes", "ok (http, auth bearer)", "ok"}},
		{tlsReg.Host, []string{"none", "not reachable"}},
	} {
		l := find(want.host)
		for _, p := range want.parts {
			if !strings.Contains(l, p) {
				t.Errorf("registry line %q lacks %q", l, p)
			}
		}
	}
	if !strings.Contains(out, "! ping: "+tlsReg.Host+": TLS certificate not trusted") {
		t.Errorf("doctor does not explain the untrusted TLS registry")
	}
	for _, secret := range []string{testenv.AdminPassword, testenv.ReaderPassword} {
		if strings.Contains(out, secret) {
			t.Errorf("doctor printed a password")
		}
	}

	jsonOut, err := runWharf(t, env, append([]string{"doctor", "--json"}, hosts...)...)
	if err != nil {
		t.Fatal(err)
	}
	var rep doctorReport
	if err := json.Unmarshal([]byte(jsonOut), &rep); err != nil {
		t.Fatalf("doctor --json is not JSON: %v\n%s", err, jsonOut)
	}
	if !rep.Engine.OK || rep.Engine.APIVersion != "1.41" {
		t.Errorf("json engine %+v", rep.Engine)
	}
	// The probe: registry:2 deletes by digest only and caps catalog pages at
	// 1000; the read-only user of the token registry may not find out about
	// deletes; the untrusted TLS registry is not probed.
	for _, r := range rep.Registries {
		c := r.Capabilities
		switch r.Host {
		case anon.Host:
			if c == nil || c.TagDelete != domain.Unsupported || c.ManifestDelete != domain.Supported || c.PageSizeLimit != 1000 || c.Catalog != domain.Supported {
				t.Errorf("registry:2 capabilities %+v", c)
			}
		case token.Host:
			if c == nil || c.ManifestDelete != domain.Unknown || c.Realm != token.TokenRealm() {
				t.Errorf("token registry (read-only user) capabilities %+v", c)
			}
		case tlsReg.Host:
			if c != nil {
				t.Errorf("untrusted TLS registry probed: %+v", c)
			}
		}
	}
	if l := find(anon.Host + ": deleting frees no space"); !strings.Contains(l, "garbage collector") {
		t.Errorf("doctor does not say registry:2 frees space only on garbage collection")
	}
	if i := strings.Index(out, anon.Host+" (distribution): how each action goes"); i < 0 || !strings.Contains(out[i:], "when no other tag shares it, else the tag is pointed at a placeholder") {
		t.Errorf("doctor does not say how registry:2 deletes a tag")
	}
	if l := find(tlsReg.Host + "  not probed"); l == "" {
		t.Errorf("the unreachable registry has no capabilities line")
	}
}

func TestDoctorEngineDown(t *testing.T) {
	env := map[string]string{
		"DOCKER_HOST":     "unix://" + t.TempDir() + "/gone.sock",
		"DOCKER_CONFIG":   t.TempDir(),
		"XDG_CONFIG_HOME": t.TempDir(),
	}
	out, err := runWharf(t, env, "doctor", "127.0.0.1:1")
	var exit exitError
	if !errors.As(err, &exit) || exit != 1 {
		t.Fatalf("doctor with the engine down: err %v, want exit status 1", err)
	}
	if !strings.Contains(out, "NOT REACHABLE") || !strings.Contains(out, "engine not reachable at "+env["DOCKER_HOST"]) {
		t.Errorf("doctor output does not say the engine is down:\n%s", out)
	}
}

// A registry configured with its CA in wharf's config is trusted; a bad
// config stops doctor with the file, line and field.
func TestDoctorReadsWharfConfig(t *testing.T) {
	tlsReg := testenv.NeedRegistry(t, testenv.TLS)
	xdg := t.TempDir()
	if err := os.MkdirAll(filepath.Join(xdg, "wharf"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(xdg, "wharf", "config.yaml")
	cfg := "registries:\n  - name: private\n    host: " + tlsReg.Host + "\n    ca_file: " + tlsReg.CAFile + "\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKER_HOST": "unix://" + t.TempDir() + "/none.sock", "DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": xdg}
	// Named on the command line (no network here for Docker Hub), it keeps
	// its settings from the config.
	out, _ := runWharf(t, env, "doctor", "--json", "private")
	var rep doctorReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !rep.WharfConfigExists || rep.WharfConfig != cfgPath {
		t.Errorf("config %q read=%v", rep.WharfConfig, rep.WharfConfigExists)
	}
	var found bool
	for _, r := range rep.Registries {
		if r.Host == tlsReg.Host {
			found = true
			if !r.Reachable || r.Scheme != "https" || r.Source != "config" {
				t.Errorf("TLS registry with ca_file: %+v", r)
			}
			if r.Capabilities == nil || r.Capabilities.TLS != domain.TLSCustomCA {
				t.Errorf("TLS registry with ca_file: capabilities %+v", r.Capabilities)
			}
		}
	}
	if !found {
		t.Errorf("configured registry missing from %+v", rep.Registries)
	}

	if err := os.WriteFile(cfgPath, []byte("registries:\n  - host: a.io\n    cafile: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := runWharf(t, env, "doctor", "private")
	if err == nil || !strings.Contains(err.Error(), cfgPath+":3:") || !strings.Contains(err.Error(), "cafile") {
		t.Errorf("bad config: %v, want file:3 and the field", err)
	}
}
