package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/contracts"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// providerWorld is every provider's contract server, each with team/app
// (App under a, b and c, AppOld under solo) in its namespace, a wharf
// config that names each server's kind and API, and docker credentials for
// each, as `docker login` leaves them.
type providerWorld struct {
	env   map[string]string
	hosts map[string]string // kind → host
	repos map[string]string // kind → host/namespace/app
	ecr   *contracts.ECR
	acr   *contracts.ACR
}

func newProviderWorld(t *testing.T) providerWorld {
	t.Helper()
	ctx := testenv.Context(t, time.Minute)
	hub, acr, quay, gh, gar, ecr := contracts.NewHub(t), contracts.NewACR(t), contracts.NewQuay(t), contracts.NewGitHub(t), contracts.NewGAR(t), contracts.NewECR(t)
	type entry struct {
		kind, ns, api, user, password string
		srv                           *contracts.Server
		namespaces                    string
	}
	entries := []entry{
		{"hub", contracts.HubUser, hub.Srv.URL, contracts.HubUser, contracts.HubPassword, hub.Server, ""},
		{"acr", "team", "", contracts.ACRUser, contracts.ACRPassword, acr.Server, ""},
		{"quay", contracts.QuayUser, "", contracts.QuayOAuthUser, contracts.QuayToken, quay.Server, ""},
		{"ghcr", contracts.GitHubUser, gh.Srv.URL, contracts.GitHubUser, contracts.GitHubToken, gh.Server, ""},
		{"gar", "my-project/containers", gar.Srv.URL, "oauth2accesstoken", contracts.GARToken, gar.Server, "[my-project]"},
		{"ecr", "team", ecr.Srv.URL, "AWS", "ecr-registry-token", ecr.Server, ""},
	}
	w := providerWorld{hosts: map[string]string{}, repos: map[string]string{}, ecr: ecr, acr: acr}
	var cfg strings.Builder
	cfg.WriteString("registries:\n")
	auths := map[string]map[string]string{}
	for _, e := range entries {
		host := e.srv.Host()
		w.hosts[e.kind] = host
		w.repos[e.kind] = host + "/" + e.ns + "/app"
		cfg.WriteString("  - host: " + host + "\n    provider: " + e.kind + "\n")
		if e.api != "" {
			cfg.WriteString("    api: " + e.api + "\n")
		}
		if e.namespaces != "" {
			cfg.WriteString("    namespaces: " + e.namespaces + "\n")
		}
		auths[host] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(e.user + ":" + e.password))}
		if err := fixtures.Push(ctx, host, []fixtures.Entry{
			{Repo: e.ns + "/app", Tags: []string{"a", "b", "c"}, Image: &fixtures.App},
			{Repo: e.ns + "/app", Tags: []string{"solo"}, Image: &fixtures.AppOld},
		}); err != nil {
			t.Fatal(err)
		}
	}
	xdg, docker := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(xdg, "wharf"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(xdg, "wharf", "config.yaml"), []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"auths": auths})
	if err := os.WriteFile(filepath.Join(docker, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	// The AWS SDK reads the process's environment: the contract's key,
	// and no file of the user's.
	aws := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": contracts.ECRAccessKey, "AWS_SECRET_ACCESS_KEY": contracts.ECRSecretKey, "AWS_REGION": contracts.ECRRegion,
		"AWS_CONFIG_FILE": filepath.Join(aws, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(aws, "none"), "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}
	w.env = map[string]string{"DOCKER_HOST": "unix://" + t.TempDir() + "/none.sock", "DOCKER_CONFIG": docker, "XDG_CONFIG_HOME": xdg}
	return w
}

// `wharf doctor` says, per provider, which way each action goes.
func TestDoctorSaysEachProvidersPaths(t *testing.T) {
	w := newProviderWorld(t)
	var hosts []string
	for _, h := range w.hosts {
		hosts = append(hosts, h)
	}
	out, _ := runWharf(t, w.env, append([]string{"doctor"}, hosts...)...)
	t.Logf("wharf doctor:\n%s", out)
	if strings.Contains(out, "storage.delete.enabled") || !strings.Contains(out, "wharf deletes a tag through Docker Hub's API") {
		t.Errorf("doctor takes a provider's refused registry DELETE for deletes disabled")
	}
	for kind, want := range map[string][]string{
		"hub":  {"(Docker Hub): how each action goes", "DELETE /v2/repositories/{namespace}/{name}/tags/{tag}/", "no HEADs, no pull budget"},
		"acr":  {"(Azure Container Registry)", "DELETE /acr/v1/{name}/_tags/{tag}"},
		"quay": {"(Quay)", "/api/v1/repository/{namespace}/{name}/tag/"},
		"ghcr": {"(GitHub Container Registry)", "placeholder's package version"},
		"gar":  {"(Google Artifact Registry)", "dockerImages"},
		"ecr":  {"(Amazon ECR)", "BatchDeleteImage", "PutImage", "GetLifecyclePolicy"},
	} {
		i := strings.Index(out, w.hosts[kind]+" (")
		if i < 0 {
			t.Errorf("%s: no paths section for %s\n%s", kind, w.hosts[kind], out)
			continue
		}
		section := out[i:]
		if j := strings.Index(section[1:], "\n\n"); j > 0 {
			section = section[:j+1]
		}
		for _, s := range want {
			if !strings.Contains(section, s) {
				t.Errorf("%s: %q not in\n%s", kind, s, section)
			}
		}
	}
}

// Through the CLI, on every provider: `tags --json` carries what the
// provider's API says (digests, sizes, push dates), `same` groups the
// siblings, `rmtag` deletes one of three and `undo` puts it back.
func TestEveryProviderThroughTheCLI(t *testing.T) {
	w := newProviderWorld(t)
	for kind, repo := range w.repos {
		t.Run(kind, func(t *testing.T) {
			out, err := runWharf(t, w.env, "tags", "--json", repo)
			if err != nil {
				t.Fatalf("tags: %v\n%s", err, out)
			}
			var rows []tagJSON
			if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 4 {
				t.Fatalf("tags --json: %v\n%s", err, out)
			}
			if kind != "ghcr" && (rows[0].Size == 0 || rows[0].Pushed.IsZero() || rows[0].Digest == "") {
				t.Errorf("tags --json without the API's metadata: %+v", rows[0])
			}
			out, err = runWharf(t, w.env, "same", repo)
			if err != nil || !strings.Contains(words(out), "= 3 a, b, c") || !strings.Contains(out, "4 tags, 2 images") {
				t.Errorf("same: %v\n%s", err, out)
			}
			data := t.TempDir()
			env := map[string]string{"XDG_DATA_HOME": data}
			for k, v := range w.env {
				env[k] = v
			}
			out, err = runWharf(t, env, "rmtag", repo+":b")
			if err != nil || !strings.Contains(out, "a, c") {
				t.Fatalf("rmtag: %v\n%s", err, out)
			}
			out, _ = runWharf(t, env, "same", repo)
			if !strings.Contains(words(out), "= 2 a, c") {
				t.Errorf("after rmtag b:\n%s", out)
			}
			if out, err = runWharf(t, env, "undo", "--yes"); err != nil {
				t.Fatalf("undo: %v\n%s", err, out)
			}
			out, _ = runWharf(t, env, "same", repo)
			if !strings.Contains(words(out), "= 3 a, b, c") {
				t.Errorf("after undo:\n%s", out)
			}
		})
	}
}

// `wharf lifecycle` shows an ECR repository's mutability and policy, says
// which rules it cannot preview, and previews the rest; `wharf vulns` shows
// ECR's scan findings when nothing is attached.
func TestECRLifecycleAndScanThroughTheCLI(t *testing.T) {
	w := newProviderWorld(t)
	repo := strings.TrimPrefix(w.repos["ecr"], w.hosts["ecr"]+"/")
	w.ecr.SetImmutable(repo)
	w.ecr.SetPolicy(repo, `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},`+
		`{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}`)
	out, err := runWharf(t, w.env, "lifecycle", w.repos["ecr"])
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"tags IMMUTABLE", `"rulePriority":1`, "rule 1: keep the newest 1 of all images", "rule 2: expire untagged images", "not previewed: it selects untagged images", "preview (nothing is changed)", "3 to delete, 1 to keep"} {
		if !strings.Contains(words(out), want) {
			t.Errorf("lifecycle lacks %q:\n%s", want, out)
		}
	}
	// solo was pushed last: the newest image stays, a, b, c's expires.
	if !strings.Contains(words(out), "delete a ") || !strings.Contains(words(out), "keep solo ") {
		t.Errorf("preview:\n%s", out)
	}
	if out, err := runWharf(t, w.env, "lifecycle", w.repos["acr"]); err == nil || !strings.Contains(err.Error(), "no lifecycle policies wharf can read") {
		t.Errorf("lifecycle on ACR: %v\n%s", err, out)
	}
	w.ecr.SetFindings(testenv.FixtureDigest(t, fixtures.App), []contracts.ECRFinding{
		{Name: "CVE-2026-0001", Severity: "CRITICAL", Package: "openssl", Version: "3.0.1"},
		{Name: "CVE-2026-0002", Severity: "MEDIUM", Package: "zlib", Version: "1.2"},
	})
	out, err = runWharf(t, w.env, "vulns", w.repos["ecr"]+":a")
	if err != nil || !strings.Contains(out, "Amazon ECR") || !strings.Contains(out, "1 critical, 1 medium") || !strings.Contains(out, "CVE-2026-0001") {
		t.Errorf("vulns from ECR's scan: %v\n%s", err, out)
	}
}

// words is s with every run of white space one space (tables align with
// spaces).
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

// ECR's registry API takes the credentials the ecr-login helper named in
// docker's config gives (its API the AWS default chain's): doctor says
// where they come from, and reading an image asks the helper.
func TestECRLoginHelperNamedInDockerConfig(t *testing.T) {
	w := newProviderWorld(t)
	host := w.hosts["ecr"]
	bin := t.TempDir()
	asked := filepath.Join(bin, "asked")
	helper := "#!/bin/sh\n[ \"$1\" = get ] || exit 1\ncat >/dev/null\ntouch " + asked + "\necho '{\"ServerURL\":\"" + host + "\",\"Username\":\"AWS\",\"Secret\":\"ecr-registry-token\"}'\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-ecr-login"), []byte(helper), 0o700); err != nil { //nolint:gosec // a test's helper must be executable
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	b, _ := json.Marshal(map[string]any{"credHelpers": map[string]string{host: "ecr-login"}})
	if err := os.WriteFile(filepath.Join(w.env["DOCKER_CONFIG"], "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := runWharf(t, w.env, "doctor", host)
	if !strings.Contains(out, "(helper docker-credential-ecr-login)") {
		t.Errorf("doctor does not name the helper:\n%s", out)
	}
	if out, err := runWharf(t, w.env, "inspect", "--remote", w.repos["ecr"]+":a"); err != nil {
		t.Fatalf("inspect: %v\n%s", err, out)
	}
	if _, err := os.Stat(asked); err != nil {
		t.Error("the ecr-login helper was never asked")
	}
	if out, err := runWharf(t, w.env, "same", w.repos["ecr"]); err != nil || !strings.Contains(out, "4 tags, 2 images") {
		t.Errorf("same through ECR's API: %v\n%s", err, out)
	}
}
