package main

// Every write fails closed, and every operation ends: the real binary's
// commands, in process, against a private registry:2 behind the project's
// fault proxy and a private dockerd.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// faultConfig is wharf's config for a registry behind a proxy: short
// timeouts, so that a deadline shows in seconds, not minutes.
func faultConfig(t *testing.T, env map[string]string, host string, stall, request time.Duration) {
	t.Helper()
	dir := filepath.Join(env["XDG_CONFIG_HOME"], "wharf")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("stall_timeout: %s\nrequest_timeout: %s\nregistries:\n  - host: %s\n", stall, request, host)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// engineless is one user's wharf, every directory its own, with no engine
// (nothing listens on its socket) and no colour.
func engineless(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{
		"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir(),
		"XDG_RUNTIME_DIR": t.TempDir(), "DOCKER_HOST": "unix://" + filepath.Join(t.TempDir(), "no-engine.sock"), "NO_COLOR": "1",
	}
}

// envList is env as a process takes it (KEY=VALUE).
func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// runWharfWithin runs wharf in process with an outer limit well past the
// deadline under test, so that the limit never decides the outcome.
func runWharfWithin(t *testing.T, env map[string]string, limit time.Duration, args ...string) (string, time.Duration, error) {
	t.Helper()
	for _, k := range []string{"XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME"} {
		if _, ok := env[k]; !ok {
			env[k] = t.TempDir()
		}
	}
	var out bytes.Buffer
	a := &app{env: func(k string) string { return env[k] }, stdout: &out, stderr: &out}
	cmd := newRootCmd(a)
	cmd.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	err := cmd.ExecuteContext(ctx)
	took := time.Since(start)
	if a.stopDeadline != nil {
		a.stopDeadline()
	}
	return out.String(), took, err
}

// manifestOf matches reads (GET, HEAD) of one tag's manifest.
func manifestOf(repo, tag string) func(*http.Request) bool {
	path := "/v2/" + repo + "/manifests/" + tag
	return func(r *http.Request) bool {
		return (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path == path
	}
}

// A read of the tag a write would move or delete that fails — once, or
// every time — refuses the write: the tag stays as it was, and a write
// that says it succeeded did what it was asked. Push, retag, cp, rmtag,
// undo and retain, each without --overwrite; push --overwrite goes ahead
// and says it could not journal what it replaced.
func TestWritesFailClosedWhenTheirTargetCannotBeRead(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 8*time.Minute)
	direct, err := registryclient.New(registryclient.WithTransport(reg.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	app, old := testenv.FixtureDigest(t, fixtures.App), testenv.FixtureDigest(t, fixtures.AppOld)
	digestOf := func(t *testing.T, ref string) string {
		t.Helper()
		d, err := direct.Resolve(ctx, reg.Repo(ref))
		if err != nil {
			return ""
		}
		return d
	}
	type write struct {
		// target is the tag whose reads fail; its digest before, and
		// after when the write says it succeeded ("" gone, "moved" any
		// other than before, "stays" never changes).
		target, before, after string
		// prepare runs before the faults (through the proxy).
		prepare func(t *testing.T, env map[string]string, proxy *testenv.Proxy, repo string)
		args    func(proxy *testenv.Proxy, repo string) []string
		// says is what its output must say when it went ahead.
		says string
	}
	loadLocal := func(t *testing.T, ref string) {
		t.Helper()
		if _, err := testenv.LoadImage(ctx, eng, ref, fixtures.App); err != nil {
			t.Fatal(err)
		}
	}
	writes := map[string]write{
		"push": {
			target: "d", before: old, after: "stays",
			prepare: func(t *testing.T, _ map[string]string, p *testenv.Proxy, repo string) {
				loadLocal(t, p.Repo(repo+":d"))
			},
			args: func(p *testenv.Proxy, repo string) []string { return []string{"push", p.Repo(repo + ":d")} },
		},
		"push-overwrite": {
			target: "d", before: old, after: "moved", says: "not journaled",
			prepare: func(t *testing.T, _ map[string]string, p *testenv.Proxy, repo string) {
				loadLocal(t, p.Repo(repo+":d"))
			},
			args: func(p *testenv.Proxy, repo string) []string {
				return []string{"push", "--overwrite", p.Repo(repo + ":d")}
			},
		},
		"retag": {
			target: "d", before: old, after: "stays",
			args: func(p *testenv.Proxy, repo string) []string { return []string{"retag", p.Repo(repo + ":a"), "d"} },
		},
		"retag-overwrite": {
			target: "d", before: old, after: app,
			args: func(p *testenv.Proxy, repo string) []string {
				return []string{"retag", "--overwrite", p.Repo(repo + ":a"), "d"}
			},
		},
		"cp": {
			target: "d", before: old, after: "stays",
			args: func(p *testenv.Proxy, repo string) []string {
				return []string{"cp", p.Repo(repo + ":a"), p.Repo(repo + ":d")}
			},
		},
		"rmtag": {
			target: "d", before: old, after: "",
			args: func(p *testenv.Proxy, repo string) []string { return []string{"rmtag", p.Repo(repo + ":d")} },
		},
		"undo": {
			target: "d", before: app, after: old,
			prepare: func(t *testing.T, env map[string]string, p *testenv.Proxy, repo string) {
				if out, err := runWharf(t, env, "retag", "--overwrite", p.Repo(repo+":a"), "d"); err != nil {
					t.Fatalf("retag before the undo: %v\n%s", err, out)
				}
			},
			args: func(*testenv.Proxy, string) []string { return []string{"undo", "--yes"} },
		},
		"retain": {
			target: "0.9.0", before: old, after: "",
			args: func(p *testenv.Proxy, repo string) []string { return []string{"retain", p.Repo(repo), "--keep", "1"} },
		},
	}
	faults := map[string]testenv.Fault{
		"500-once":   {Status: 500, Body: registryError("UNKNOWN", "storage failed"), Times: 1},
		"500-always": {Status: 500, Body: registryError("UNKNOWN", "storage failed")},
	}
	for wname, w := range writes {
		for fname, f := range faults {
			t.Run(wname+"/"+fname, func(t *testing.T) {
				t.Parallel()
				repo := "failclosed/" + wname + "-" + fname
				if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
					{Repo: repo, Tags: []string{"a", "1.0.0"}, Image: &fixtures.App},
					{Repo: repo, Tags: []string{"d", "0.9.0"}, Image: &fixtures.AppOld},
				}, reg.RemoteOptions(ctx, "")...); err != nil {
					t.Fatal(err)
				}
				proxy := testenv.StartProxy(t, reg)
				env := engineEnv(t, eng)
				faultConfig(t, env, proxy.Host, 5*time.Second, 5*time.Second)
				if w.prepare != nil {
					w.prepare(t, env, proxy, repo)
				}
				if got := digestOf(t, repo+":"+w.target); got != w.before {
					t.Fatalf("%s is %s before the write, want %s", w.target, got, w.before)
				}
				proxy.Inject(manifestOf(repo, w.target), f)
				out, _, err := runWharfWithin(t, env, 3*time.Minute, w.args(proxy, repo)...)
				proxy.ClearFaults()
				got := digestOf(t, repo+":"+w.target)
				switch {
				case err != nil && got != w.before:
					t.Errorf("the write failed (%v) but moved %s from %s to %q:\n%s", err, w.target, w.before, got, out)
				case err == nil && w.after == "stays":
					t.Errorf("the write went ahead over %s, which holds another image, without --overwrite; it is now %q:\n%s", w.target, got, out)
				case err == nil && w.after == "moved" && got == w.before:
					t.Errorf("the write said it succeeded, %s is still %s:\n%s", w.target, got, out)
				case err == nil && w.after != "moved" && got != w.after:
					t.Errorf("the write said it succeeded, %s is %q, want %q:\n%s", w.target, got, w.after, out)
				case err == nil && w.says != "" && fname == "500-always" && !strings.Contains(out, w.says):
					t.Errorf("the write went ahead without saying %q:\n%s", w.says, out)
				}
				if err != nil && wname == "push" && !strings.Contains(err.Error(), "nothing was pushed") {
					t.Errorf("the refused push does not say nothing was pushed: %v", err)
				}
				// The tags nobody asked about are untouched.
				if got := digestOf(t, repo+":a"); got != app {
					t.Errorf("a, which no write asked for, is %q", got)
				}
			})
		}
	}
}

// A registry that hangs on every request of the repository, one that
// answers 429 forever, and one that sends its answers a byte at a time:
// push, pull, retag, cp, rmtag, undo, retain and catalog each end within
// stall_timeout + 60s, with the cause, and change nothing. (The app's
// sync, S, is a push of each tag: the push's bound is its bound.)
func TestEveryOperationEndsWithinItsDeadline(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 8*time.Minute)
	direct, err := registryclient.New(registryclient.WithTransport(reg.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	app := testenv.FixtureDigest(t, fixtures.App)
	const stall, request = time.Second, 2 * time.Second
	bound := stall + time.Minute
	ops := map[string]func(p *testenv.Proxy, repo string) []string{
		"push":    func(p *testenv.Proxy, repo string) []string { return []string{"push", p.Repo(repo + ":new")} },
		"pull":    func(p *testenv.Proxy, repo string) []string { return []string{"pull", p.Repo(repo + ":a")} },
		"rmtag":   func(p *testenv.Proxy, repo string) []string { return []string{"rmtag", p.Repo(repo + ":a")} },
		"retain":  func(p *testenv.Proxy, repo string) []string { return []string{"retain", p.Repo(repo), "--keep", "1"} },
		"catalog": func(p *testenv.Proxy, _ string) []string { return []string{"catalog", p.Host} },
		"retag":   func(p *testenv.Proxy, repo string) []string { return []string{"retag", p.Repo(repo + ":a"), "fresh"} },
		"cp": func(p *testenv.Proxy, repo string) []string {
			return []string{"cp", p.Repo(repo + ":a"), p.Repo(repo + "-copy:a")}
		},
		"undo": func(*testenv.Proxy, string) []string { return []string{"undo", "--yes"} },
	}
	faults := map[string]testenv.Fault{
		"hang":      {Hang: true},
		"429":       {Status: 429, Header: map[string]string{"Retry-After": "1"}, Body: registryError("TOOMANYREQUESTS", "slow down")},
		"slow-body": {Trickle: 2 * time.Second},
	}
	for oname, args := range ops {
		for fname, f := range faults {
			t.Run(oname+"/"+fname, func(t *testing.T) {
				t.Parallel()
				repo := "deadline/" + oname + "-" + fname
				if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
					{Repo: repo, Tags: []string{"a", "1.0.0"}, Image: &fixtures.App},
					{Repo: repo, Tags: []string{"0.9.0"}, Image: &fixtures.AppOld},
				}, reg.RemoteOptions(ctx, "")...); err != nil {
					t.Fatal(err)
				}
				proxy := testenv.StartProxy(t, reg)
				env := engineEnv(t, eng)
				faultConfig(t, env, proxy.Host, stall, request)
				switch oname {
				case "push":
					if _, err := testenv.LoadImage(ctx, eng, proxy.Repo(repo+":new"), fixtures.App); err != nil {
						t.Fatal(err)
					}
				case "undo":
					// The change to undo: 0.9.0 moved onto a's image.
					if out, err := runWharf(t, env, "retag", "--overwrite", proxy.Repo(repo+":a"), "0.9.0"); err != nil {
						t.Fatalf("retag before the undo: %v\n%s", err, out)
					}
				}
				prefix := "/v2/" + repo + "/"
				if oname == "catalog" {
					prefix = "/v2/_catalog"
				}
				// cp's destination is the same registry's other repository:
				// both sides are faulty.
				proxy.Inject(func(r *http.Request) bool {
					return strings.HasPrefix(r.URL.Path, prefix) || strings.HasPrefix(r.URL.Path, "/v2/"+repo+"-copy/")
				}, f)
				out, took, err := runWharfWithin(t, env, 5*time.Minute, args(proxy, repo)...)
				proxy.ClearFaults()
				t.Logf("%s under %s: %s (bound %s): %v", oname, fname, took.Round(100*time.Millisecond), bound, err)
				if took > bound {
					t.Errorf("took %s, more than stall_timeout + 60s = %s:\n%s", took, bound, out)
				}
				if fname == "slow-body" && err != nil && !strings.Contains(err.Error(), "no progress for") {
					t.Errorf("a registry that drips its answers ended %s without saying it made no progress: %v", oname, err)
				}
				if fname != "slow-body" && err == nil {
					t.Errorf("%s said it succeeded against a registry that %s:\n%s", oname, fname, out)
				}
				if err != nil {
					msg := err.Error()
					if !strings.Contains(msg, "no progress") && !strings.Contains(msg, "timed out") && !strings.Contains(msg, "rate limited") &&
						!strings.Contains(msg, "stalled") && !strings.Contains(msg, "no answer") && !strings.Contains(msg, "429") && !strings.Contains(msg, "Too Many Requests") {
						t.Errorf("the error does not say why it ended: %v\n%s", err, out)
					}
				}
				if err != nil && (oname == "rmtag" || oname == "retain" || oname == "undo") {
					if d, err := direct.Resolve(ctx, reg.Repo(repo+":a")); err != nil || d != app {
						t.Errorf("a is %s (%v) after the failed %s", d, err, oname)
					}
				}
			})
		}
	}
}

// registryError is a distribution error body.
func registryError(code, message string) string {
	return `{"errors":[{"code":"` + code + `","message":"` + message + `"}]}`
}

// A retention run stopped while a delete holds its tag on wharf's
// placeholder (from the placeholder's DELETE on, the registry hangs on
// every request, so the tag can be neither deleted nor put back): the
// error names the undo that puts it back, and the app's Tags view marks
// the tag as that placeholder, by that undo.
func TestRetentionCutOffAtAPlaceholderIsShownWithItsUndo(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 4*time.Minute)
	repo := "deadline/placeholder"
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
		{Repo: repo, Tags: []string{"1.0.0"}, Image: &fixtures.App},
		{Repo: repo, Tags: []string{"0.9.0", "0.8.0"}, Image: &fixtures.AppOld},
	}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	proxy := testenv.StartProxy(t, reg)
	env := engineless(t)
	faultConfig(t, env, proxy.Host, time.Second, 2*time.Second)
	// From the placeholder's DELETE on (not the probe's of a digest that
	// does not exist, all zeros), every request of the repository hangs.
	var mu sync.Mutex
	down := false
	proxy.Inject(func(r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/manifests/sha256:") && !strings.Contains(r.URL.Path, "sha256:0000") {
			down = true
		}
		return down && strings.HasPrefix(r.URL.Path, "/v2/"+repo+"/")
	}, testenv.Fault{Hang: true})
	out, took, err := runWharfWithin(t, env, 3*time.Minute, "retain", proxy.Repo(repo), "--keep", "1")
	proxy.ClearFaults()
	if err == nil || took > time.Second+time.Minute {
		t.Fatalf("retain under a hanging DELETE: %v after %s:\n%s", err, took, out)
	}
	entries := journalOf(t, env)
	var cut *int
	for i, e := range entries {
		if e.Placeholder != "" && e.Undone.IsZero() {
			cut = &entries[i].ID
		}
	}
	if cut == nil {
		t.Fatalf("no journal entry holds a placeholder: %+v\n%s", entries, out)
	}
	undo := fmt.Sprintf("wharf undo %d", *cut)
	if !strings.Contains(out+err.Error(), undo) {
		t.Errorf("the error does not name %q: %v\n%s", undo, err, out)
	}
	// The app, on the same journal: the Tags view marks the tag.
	app := startTmux(t, 120, 40, envList(env))
	app.waitFor("Repositories · 1", repo)
	app.keys("Enter")
	app.waitFor("› "+repo, "placeholder", fmt.Sprintf("undo %d", *cut))
	app.keys("q")
	if out, err := runProcess(t, env, "undo", "--yes"); err != nil {
		t.Fatalf("undo: %v\n%s", err, out)
	}
}
