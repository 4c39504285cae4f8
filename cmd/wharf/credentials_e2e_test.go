package main

// No credential in any form: a registry that echoes what wharf sent —
// the base64 pair without its scheme word, URL-encoded, decoded, a refresh
// token — never gets it printed, shown, cached or journaled.

import (
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// echoEveryForm is what an indiscreet registry says back: the credential
// it was sent in each form a client may have sent it or a server may
// decode it to, and the refresh token.
func echoEveryForm(refresh string) func(string) string {
	return func(auth string) string {
		_, b64, _ := strings.Cut(auth, " ")
		pair, _ := base64.StdEncoding.DecodeString(b64)
		return strings.Join([]string{
			"bare=" + b64, "url=" + url.QueryEscape(b64), "header=" + auth, "pair=" + string(pair),
			"raw=" + base64.RawURLEncoding.EncodeToString(pair), "refresh=" + refresh, `"refresh_token":"` + refresh + `"`,
		}, " ")
	}
}

// leaks lists the forms of secrets found in text.
func leaks(text string, secrets ...string) []string {
	var out []string
	for _, form := range domain.SecretForms(secrets...) {
		if strings.Contains(text, form) {
			out = append(out, form)
		}
	}
	return out
}

func TestEchoedCredentialsAreNeverShownCachedOrJournaled(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Basic})
	ctx := testenv.Context(t, 5*time.Minute)
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "echo/app", Tags: []string{"a", "b"}, Image: &fixtures.App}}, reg.RemoteOptions(ctx, testenv.AdminUser)...); err != nil {
		t.Fatal(err)
	}
	proxy := testenv.StartProxy(t, reg)
	user, pass := testenv.AdminUser, testenv.Password(testenv.AdminUser)
	pair := user + ":" + pass
	b64 := base64.StdEncoding.EncodeToString([]byte(pair))
	refresh := "r3fresh-" + strings.TrimSuffix(base64.RawURLEncoding.EncodeToString([]byte(time.Now().String())), "=")
	secrets := []string{pass, pair, b64, refresh}

	// docker login's config: the pair as "auth", and a refresh token.
	env := engineless(t)
	dockerDir, cacheDir, dataDir, configDir := env["DOCKER_CONFIG"], env["XDG_CACHE_HOME"], env["XDG_DATA_HOME"], env["XDG_CONFIG_HOME"]
	cfg, err := json.Marshal(map[string]any{"auths": map[string]any{proxy.Host: map[string]string{"auth": b64, "identitytoken": refresh}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dockerDir, "config.json"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	faultConfig(t, env, proxy.Host, 5*time.Second, 5*time.Second)
	echo := testenv.Fault{Status: http.StatusForbidden, EchoAs: echoEveryForm(refresh)}
	authed := func(r *http.Request) bool { return r.Header.Get("Authorization") != "" && r.URL.Path != "/v2/" }

	var said strings.Builder
	run := func(args ...string) {
		t.Helper()
		out, err := runProcess(t, env, args...)
		t.Logf("wharf %s: %v\n%s", strings.Join(args, " "), err, out)
		said.WriteString(out)
		if err == nil && args[0] != "doctor" {
			t.Errorf("wharf %s succeeded against a registry that refuses everything", strings.Join(args, " "))
		}
	}
	// Reads: every request that carries the credential is refused with it
	// echoed.
	proxy.Inject(authed, echo)
	run("tags", proxy.Repo("echo/app"))
	run("catalog", proxy.Host)
	run("inspect", proxy.Repo("echo/app:a"))
	run("doctor", proxy.Host)
	// The app: the Repositories pane and the status bar.
	app := startTmux(t, 120, 40, envList(env))
	app.waitFor("Repositories", "error")
	time.Sleep(time.Second)
	said.WriteString(app.screen())
	app.keys("q")
	proxy.ClearFaults()

	// A change the registry refuses with the credential echoed: the
	// journal keeps why, without it.
	proxy.Inject(func(r *http.Request) bool { return r.Method == http.MethodDelete || r.Method == http.MethodPut }, echo)
	run("rmtag", proxy.Repo("echo/app:a"))
	run("retag", proxy.Repo("echo/app:a"), "c")
	proxy.ClearFaults()

	if got := leaks(said.String(), secrets...); len(got) > 0 {
		t.Errorf("printed or shown: %q\n%s", got, said.String())
	}
	if !strings.Contains(said.String(), "redacted") {
		t.Errorf("nothing was redacted: did the registry echo at all?\n%s", said.String())
	}
	// Nothing on disk either: the probe cache, the tags cache, the journal.
	files := 0
	for _, dir := range []string{cacheDir, dataDir, configDir} {
		_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			if got := leaks(string(b), secrets...); len(got) > 0 {
				t.Errorf("%s holds %q:\n%s", path, got, b)
			}
			return nil
		})
	}
	entries := journalOf(t, env)
	if len(entries) == 0 || entries[0].Refused == "" && entries[0].OutcomeNote == "" {
		t.Errorf("the refused change's reason is not journaled: %+v", entries)
	}
	if files == 0 {
		t.Error("wharf wrote no file: the probe and the journal were not checked")
	}
}
