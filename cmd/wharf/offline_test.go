package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// What wharf read once it can read again without the registry: with
// --offline no request goes out, and with the registry down the read
// commands fall back to the cache by themselves; stderr says it is cached,
// how old, and why. Commands that change something refuse --offline.
func TestOfflineReadsTheCache(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 2*time.Minute)
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "offline/app", Tags: []string{"1.0", "1.1", "latest"}, Image: &fixtures.App}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	proxy := testenv.StartProxy(t, reg)
	repo := proxy.Repo("offline/app")
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir(), "DOCKER_HOST": "unix:///nonexistent.sock"}
	online := map[string]string{}
	for name, args := range map[string][]string{
		"catalog": {"catalog", proxy.Host}, "tags": {"tags", repo}, "same": {"same", repo}, "inspect": {"inspect", "--remote", repo + ":1.0"},
	} {
		out, err := runWharf(t, env, args...)
		if err != nil {
			t.Fatalf("%s online: %v\n%s", name, err, out)
		}
		online[name] = out
	}

	proxy.ResetCounts()
	for name, args := range map[string][]string{
		"catalog": {"--offline", "catalog", proxy.Host}, "tags": {"--offline", "tags", repo}, "same": {"--offline", "same", repo},
	} {
		out, err := runWharf(t, env, args...)
		if err != nil || !strings.Contains(out, "wharf: cached <1m ago (--offline)") || !strings.Contains(out, strings.TrimSpace(online[name])) {
			t.Errorf("%s --offline (%v):\n%s\nonline it was:\n%s", name, err, out, online[name])
		}
	}
	if out, err := runWharf(t, env, "--offline", "inspect", "--remote", repo+":1.0"); err != nil || !strings.Contains(out, "from the cache (--offline)") || !strings.Contains(out, "dev.wharf.fixture") {
		t.Errorf("inspect --offline (%v):\n%s", err, out)
	}
	if n := len(proxy.Requests()); n != 0 {
		t.Errorf("--offline asked the registry %d times: %v", n, proxy.Requests())
	}

	proxy.Inject(func(*http.Request) bool { return true }, testenv.Fault{Reset: true})
	out, err := runWharf(t, env, "tags", repo)
	if err != nil || !strings.Contains(out, "wharf: cached <1m ago (") || !strings.Contains(out, "unreachable") || !strings.Contains(out, "1.1\n") {
		t.Errorf("tags with the registry down did not fall back to the cache (%v):\n%s", err, out)
	}
	if _, err := runWharf(t, env, "--offline", "tags", proxy.Repo("offline/never")); err == nil || !strings.Contains(err.Error(), "nothing cached") {
		t.Errorf("a repository never seen, offline: %v", err)
	}
	if _, err := runWharf(t, env, "--offline", "rmtag", repo+":1.0"); err == nil || !strings.Contains(err.Error(), "without --offline") {
		t.Errorf("rmtag --offline: %v", err)
	}
}
