package main

// What wharf guarantees between processes and across crashes, with the
// real binary (several of them at once, one killed mid-delete) against a
// private registry:2.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

var (
	builtOnce sync.Once
	builtBin  string
	builtErr  error
)

// wharfBinary builds the binary once per test run.
func wharfBinary(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wharf-bin-")
		if err != nil {
			builtErr = err
			return
		}
		builtBin = filepath.Join(dir, "wharf")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			builtErr = fmt.Errorf("building wharf: %w\n%s", err, out)
		}
	})
	if builtErr != nil {
		t.Fatal(builtErr)
	}
	return builtBin
}

// wharfProcess is the binary run as its own process with env.
func wharfProcess(t *testing.T, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(wharfBinary(t), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

func runProcess(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := wharfProcess(t, env, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// sharedEnv is one user's wharf: the same journal, cache and config for
// every process.
func sharedEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{
		"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir(),
		"DOCKER_HOST": "unix:///nonexistent.sock",
	}
}

func tagsOf(t *testing.T, c *registryclient.Client, repo string) map[string]string {
	t.Helper()
	tds, err := c.TagDigests(testenv.Context(t, time.Minute), repo)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, td := range tds {
		out[td.Tag] = td.Digest
	}
	return out
}

func journalOf(t *testing.T, env map[string]string) []domain.JournalEntry {
	t.Helper()
	out, err := runProcess(t, env, "journal", "--json")
	var entries []domain.JournalEntry
	if err != nil || json.Unmarshal([]byte(out[strings.Index(out, "["):]), &entries) != nil {
		t.Fatalf("journal (%v):\n%s", err, out)
	}
	return entries
}

// Five wharf processes delete five sibling tags at once: each deletes
// exactly its own tag, none puts back what another deleted, the sixth
// sibling stays, and the journal holds five changes, each done.
func TestFiveProcessesDeleteSiblingsAtOnce(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 3*time.Minute)
	siblings := []string{"t1", "t2", "t3", "t4", "t5"}
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "race/app", Tags: append(slices.Clone(siblings), "keep"), Image: &fixtures.App}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	env := sharedEnv(t)
	var wg sync.WaitGroup
	outs := make([]string, len(siblings))
	errs := make([]error, len(siblings))
	for i, tag := range siblings {
		wg.Go(func() { outs[i], errs[i] = runProcess(t, env, "rmtag", reg.Repo("race/app:"+tag)) })
	}
	wg.Wait()
	for i := range siblings {
		if errs[i] != nil {
			t.Errorf("rmtag %s: %v\n%s", siblings[i], errs[i], outs[i])
		}
		if strings.Contains(outs[i], "restored") {
			t.Errorf("rmtag %s put back a tag another process deleted:\n%s", siblings[i], outs[i])
		}
	}
	c, err := registryclient.New(registryclient.WithTransport(reg.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	if left := tagsOf(t, c, reg.Repo("race/app")); len(left) != 1 || left["keep"] != testenv.FixtureDigest(t, fixtures.App) {
		t.Errorf("the repository has %v, want keep alone", left)
	}
	entries := journalOf(t, env)
	if len(entries) != 5 {
		t.Fatalf("%d journal entries, want 5", len(entries))
	}
	for _, e := range entries {
		if e.Outcome != domain.OutcomeDone {
			t.Errorf("entry %d (%s): outcome %q, want done", e.ID, e.Summary(), e.Outcome)
		}
	}
}

// A retag racing a delete of the same image: whatever order they take,
// every change that said it succeeded holds, and the image never loses all
// its tags to a change that did not mean to delete it.
func TestRetagRacingADeleteOfTheSameImage(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	app := testenv.FixtureDigest(t, fixtures.App)
	c, err := registryclient.New(registryclient.WithTransport(reg.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		ctx := testenv.Context(t, 3*time.Minute)
		repo := fmt.Sprintf("race/retag%d", i)
		if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: repo, Tags: []string{"a", "b"}, Image: &fixtures.App}}, reg.RemoteOptions(ctx, "")...); err != nil {
			t.Fatal(err)
		}
		env := sharedEnv(t)
		var wg sync.WaitGroup
		var retagErr, rmErr error
		var retagOut, rmOut string
		wg.Go(func() { retagOut, retagErr = runProcess(t, env, "retag", reg.Repo(repo+":a"), "c") })
		wg.Go(func() { rmOut, rmErr = runProcess(t, env, "rmtag", reg.Repo(repo+":a")) })
		wg.Wait()
		left := tagsOf(t, c, reg.Repo(repo))
		if rmErr == nil && left["a"] != "" {
			t.Errorf("round %d: rmtag said done, a is still %s\n%s", i, left["a"], rmOut)
		}
		if retagErr == nil && left["c"] != app {
			t.Errorf("round %d: retag said done, c is %q\n%s", i, left["c"], retagOut)
		}
		if left["b"] != app {
			t.Errorf("round %d: b, which nobody touched, is %q", i, left["b"])
		}
		for _, e := range journalOf(t, env) {
			if e.Outcome == "" {
				t.Errorf("round %d: entry %d has no outcome", i, e.ID)
			}
		}
	}
}

// kill -9 between pointing the tag at wharf's placeholder and deleting it
// (the proxy holds the placeholder's delete; the test kills the process
// there): the next run says the change did not finish, and `wharf undo`
// puts the tag back without --overwrite and takes the placeholder away.
func TestKilledMidDeleteIsReportedAndUndone(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 3*time.Minute)
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "crash/app", Tags: []string{"a", "b"}, Image: &fixtures.App}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	app := testenv.FixtureDigest(t, fixtures.App)
	proxy := testenv.StartProxy(t, reg)
	hit := make(chan string, 1)
	// Not the probe's DELETE of a digest that does not exist (all zeros).
	placeholderDelete := func(r *http.Request) bool {
		return testenv.OfMethodPath(http.MethodDelete, "/manifests/sha256:")(r) && !strings.Contains(r.URL.Path, "sha256:0000")
	}
	proxy.Inject(placeholderDelete, testenv.Fault{Hang: true, Hit: hit})
	env := sharedEnv(t)
	cmd := wharfProcess(t, env, "rmtag", proxy.Repo("crash/app:a"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-hit:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("the placeholder's delete never came:\n%s", out.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	proxy.ClearFaults()

	c, err := registryclient.New(registryclient.WithTransport(reg.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	entries := journalOf(t, env)
	if len(entries) != 1 || entries[0].Placeholder == "" || entries[0].Outcome != "" {
		t.Fatalf("journal after the kill: %+v", entries)
	}
	if got := tagsOf(t, c, reg.Repo("crash/app"))["a"]; got != entries[0].Placeholder {
		t.Fatalf("a names %s, want the placeholder %s", got, entries[0].Placeholder)
	}
	// The next run says so.
	report, err := runProcess(t, env, "journal")
	if err != nil || !strings.Contains(report, "did not finish") || !strings.Contains(report, "wharf undo 1") {
		t.Errorf("the next run does not report the unfinished delete (%v):\n%s", err, report)
	}
	// The app's Tags pane marks the tag as the placeholder, by the entry
	// that undoes it.
	j, err := journal.Open(filepath.Join(env["XDG_DATA_HOME"], "wharf"))
	if err != nil {
		t.Fatal(err)
	}
	remote := ops.NewRemote(&ops.Session{Client: c, Journal: j})
	if got := remote.Placeholders(entries[0].Repository); got[entries[0].Placeholder] != entries[0].ID {
		t.Errorf("the app is told placeholders %v in %s, want %s by entry %d", got, entries[0].Repository, entries[0].Placeholder, entries[0].ID)
	}
	undo, err := runProcess(t, env, "undo", "--yes")
	if err != nil {
		t.Fatalf("undo without --overwrite: %v\n%s", err, undo)
	}
	if got := tagsOf(t, c, reg.Repo("crash/app")); got["a"] != app || got["b"] != app {
		t.Errorf("after undo the repository has %v", got)
	}
	if _, err := c.Resolve(context.Background(), reg.Repo("crash/app@"+entries[0].Placeholder)); err == nil {
		t.Error("the placeholder manifest is still there")
	}
	if got := remote.Placeholders(entries[0].Repository); len(got) != 0 {
		t.Errorf("after undo the app still marks placeholders %v", got)
	}
}

// kill -9 at every request boundary of each change — rmtag, retag, cp,
// undo and push (through the engine): the proxy holds the Nth request
// (before the registry sees it, and for a write also after it acted), the
// test kills the process there, and `wharf undo` (when the journal has the
// change) leaves the repository exactly as it was, with no placeholder
// behind and nothing unfinished.
func TestKilledAtEveryRequestIsRecovered(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	eng := testenv.NeedPrivateEngine(t)
	ctx := testenv.Context(t, 20*time.Minute)
	app := testenv.FixtureDigest(t, fixtures.App)
	shared := testenv.StartProxy(t, reg)
	c, err := registryclient.New(registryclient.WithTransport(reg.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	seed := func(repo string) {
		t.Helper()
		if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: repo, Tags: []string{"a", "b"}, Image: &fixtures.App}}, reg.RemoteOptions(ctx, "")...); err != nil {
			t.Fatal(err)
		}
	}
	for _, op := range []struct {
		name string
		args func(p *testenv.Proxy, repo string) []string
		// prepare runs before the change, in the same wharf's
		// environment, through the proxy.
		prepare func(t *testing.T, env map[string]string, p *testenv.Proxy, repo string)
		// engine: the change goes through the engine, which pushes through
		// the proxy too. Each run gets a proxy of its own (closing it ends
		// what the engine still had held, which it would otherwise wait
		// on in the next run), and only the requests that are not blob
		// uploads are boundaries (a blob moves no tag).
		engine bool
	}{
		{name: "rmtag", args: func(p *testenv.Proxy, repo string) []string { return []string{"rmtag", p.Repo(repo + ":a")} }},
		{name: "retag", args: func(p *testenv.Proxy, repo string) []string { return []string{"retag", p.Repo(repo + ":a"), "fresh"} }},
		{name: "cp", args: func(p *testenv.Proxy, repo string) []string {
			return []string{"cp", p.Repo(repo + ":a"), p.Repo(repo + ":copied")}
		}},
		{
			name: "undo", args: func(*testenv.Proxy, string) []string { return []string{"undo", "--yes"} },
			// The change undone: b deleted.
			prepare: func(t *testing.T, env map[string]string, p *testenv.Proxy, repo string) {
				if out, err := runProcess(t, env, "rmtag", p.Repo(repo+":b")); err != nil {
					t.Fatalf("rmtag before the undo: %v\n%s", err, out)
				}
			},
		},
		{
			name: "push", engine: true,
			args: func(p *testenv.Proxy, repo string) []string {
				return []string{"push", "--overwrite", p.Repo(repo + ":a")}
			},
			// The engine has another image as a: the push moves it.
			prepare: func(t *testing.T, _ map[string]string, p *testenv.Proxy, repo string) {
				if _, err := testenv.LoadImage(ctx, eng, p.Repo(repo+":a"), fixtures.AppOld); err != nil {
					t.Fatal(err)
				}
			},
		},
	} {
		proxyFor := func(t *testing.T) *testenv.Proxy {
			if op.engine {
				return testenv.StartProxy(t, reg)
			}
			return shared
		}
		envFor := func(t *testing.T) map[string]string {
			env := sharedEnv(t)
			env["DOCKER_HOST"] = eng.Host
			return env
		}
		// How many requests the change makes, as a first run shows.
		counted := "kill/" + op.name + "-count"
		seed(counted)
		countEnv := envFor(t)
		counter := proxyFor(t)
		if op.prepare != nil {
			op.prepare(t, countEnv, counter, counted)
		}
		counter.ResetCounts()
		if out, err := runProcess(t, countEnv, op.args(counter, counted)...); err != nil {
			t.Fatalf("%s: %v\n%s", op.name, err, out)
		}
		requests := counter.Requests()
		type boundary struct {
			n int
			// after: the registry acted on the request and the answer
			// never came back.
			after bool
		}
		var boundaries []boundary
		for n, r := range requests {
			if op.engine && strings.Contains(r, "/blobs/") {
				continue
			}
			boundaries = append(boundaries, boundary{n, false})
			if !strings.HasPrefix(r, "GET ") && !strings.HasPrefix(r, "HEAD ") {
				boundaries = append(boundaries, boundary{n, true})
			}
		}
		for _, b := range boundaries {
			n, when := b.n, "before"
			if b.after {
				when = "after"
			}
			t.Run(fmt.Sprintf("%s/%02d-%s-%s", op.name, n+1, when, strings.ReplaceAll(requests[n], "/", "_")), func(t *testing.T) {
				repo := fmt.Sprintf("kill/%s-%02d-%s", op.name, n+1, when)
				seed(repo)
				env := envFor(t)
				proxy := proxyFor(t)
				if op.prepare != nil {
					op.prepare(t, env, proxy, repo)
				}
				hit := make(chan string, 1)
				proxy.Inject(func(*http.Request) bool { return true }, testenv.Fault{Hang: true, Forward: b.after, Hit: hit, Skip: n})
				defer proxy.ClearFaults()
				cmd := wharfProcess(t, env, op.args(proxy, repo)...)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				select {
				case <-hit:
					_ = cmd.Process.Signal(syscall.SIGKILL)
					if err := <-exited; err == nil {
						t.Logf("request %d held, yet the process ended well", n+1)
					}
				case err := <-exited:
					// Fewer requests this time: the change ran to its end.
					t.Logf("finished before request %d (%v):\n%s", n+1, err, out.String())
				case <-time.After(time.Minute):
					_ = cmd.Process.Kill()
					t.Fatalf("request %d never came:\n%s", n+1, out.String())
				}
				proxy.ClearFaults()
				// Undo until every change is put back (the undo op leaves
				// the change it undid and its own, cut off, to finish).
				for range 3 {
					pending := false
					for _, e := range journalOf(t, env) {
						if e.Undone.IsZero() && e.Outcome != domain.OutcomeRefused {
							pending = true
						}
					}
					if !pending {
						break
					}
					if undo, err := runProcess(t, env, "undo", "--yes"); err != nil {
						t.Fatalf("undo after the kill at request %d: %v\n%s", n+1, err, undo)
					}
				}
				got := tagsOf(t, c, reg.Repo(repo))
				if len(got) != 2 || got["a"] != app || got["b"] != app {
					t.Errorf("after the kill at request %d (%s) and undo the repository has %v, want a and b at %s", n+1, requests[n], got, domain.ShortDigest(app))
				}
				for _, e := range journalOf(t, env) {
					if e.Undone.IsZero() && e.Outcome != domain.OutcomeRefused {
						t.Errorf("entry %d is left unfinished: %+v", e.ID, e)
					}
					if e.Placeholder != "" {
						if _, err := c.Resolve(ctx, reg.Repo(repo+"@"+e.Placeholder)); err == nil {
							t.Errorf("the placeholder %s is still there", e.Placeholder)
						}
					}
				}
			})
		}
	}
}
