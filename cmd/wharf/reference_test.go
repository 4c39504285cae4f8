package main

import (
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/testenv"
)

// Every command refuses a reference docker refuses, in docker's words and
// before a single request: not after uploading every blob, not as "not
// found", not as "the engine is down".
func TestInvalidReferencesAreRefusedBeforeAnyRequest(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	good := proxy.Repo("fixtures/app:1.0.0")
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "DOCKER_HOST": "unix:///nonexistent.sock"}
	for _, bad := range []string{
		proxy.Repo("team//app"), proxy.Repo("team/app/"), proxy.Repo("-team/app"), proxy.Repo("Team/app"),
		proxy.Repo("team/app:-x"), proxy.Repo("team/app@sha256:abc"), "bad_hostname.com:8080/app", proxy.Repo("team/app:1@"),
	} {
		withTag := bad
		if !strings.ContainsAny(bad[strings.LastIndex(bad, "/")+1:], ":@") {
			withTag = bad + ":1"
		}
		for _, args := range [][]string{
			{"tags", bad},
			{"same", bad},
			{"inspect", withTag},
			{"platforms", withTag},
			{"diff", withTag, good},
			{"diff", good, withTag},
			{"rmtag", withTag},
			{"rmdigest", bad + "@sha256:" + strings.Repeat("a", 64)},
			{"retag", withTag, "x"},
			{"retag", good, "bad!tag"},
			{"cp", withTag, proxy.Repo("other/app")},
			{"cp", good, withTag},
			{"retain", bad, "--keep", "3", "--dry-run"},
			{"pull", withTag},
			{"push", withTag},
			{"tag", "alpine", withTag},
			{"untag", withTag},
		} {
			proxy.ResetCounts()
			out, err := runWharf(t, env, args...)
			if err == nil || !strings.Contains(err.Error(), "invalid") {
				t.Errorf("wharf %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			if n := proxy.Counts(); len(n) != 0 {
				t.Errorf("wharf %s sent %v", strings.Join(args, " "), n)
			}
		}
	}
}
