package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// configureRegistry writes a wharf config that knows the registry.
func configureRegistry(t *testing.T, env map[string]string, host string) {
	t.Helper()
	dir := filepath.Join(env["XDG_CONFIG_HOME"], "wharf")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("registries:\n  - host: "+host+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A private engine and registry: push two tags, then move one of them in
// the registry from another image (stale, moved), build one that is never
// pushed (local only), one that the registry holds with other content
// (stale, not moved: push), and a tag only the registry has (remote only).
func TestStatusLocalVsRemote(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 3*time.Minute)
	env := engineEnv(t, eng)
	configureRegistry(t, env, reg.Host)
	repo := reg.Repo("status/app")
	for ref, spec := range map[string]fixtures.Spec{
		repo + ":1": fixtures.App, repo + ":2": fixtures.AppOld, repo + ":dev": fixtures.Deep, repo + ":built": fixtures.AppRC,
		"wharf-fixtures/elsewhere:1": fixtures.App,
	} {
		if _, err := testenv.LoadImage(ctx, eng, ref, spec); err != nil {
			t.Fatal(err)
		}
	}
	for _, tag := range []string{"1", "2"} {
		if out, err := runWharf(t, env, "push", repo+":"+tag); err != nil {
			t.Fatalf("push %s: %v\n%s", tag, err, out)
		}
	}
	// In the registry: other:1 holds Deep; app:2 is moved onto it; built
	// and 3 exist only there.
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
		{Repo: "status/other", Tags: []string{"1"}, Image: &fixtures.Deep},
		{Repo: "status/app", Tags: []string{"built", "3"}, Image: &fixtures.AMD64},
	}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	if out, err := runWharf(t, env, "cp", "--overwrite", reg.Repo("status/other:1"), repo+":2"); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}

	out, err := runWharf(t, env, "status", "--json", reg.Host+"/status")
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	var res []domain.SyncStatus
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	byTag := map[string]domain.SyncStatus{}
	for _, s := range res {
		byTag[s.Tag] = s
	}
	if len(res) != 5 {
		t.Errorf("%d statuses, want 1, 2, dev, built and 3 (not the other repository, not Docker Hub's): %+v", len(res), res)
	}
	deep, amd := testenv.FixtureDigest(t, fixtures.Deep), testenv.FixtureDigest(t, fixtures.AMD64)
	for tag, want := range map[string]struct {
		state  domain.SyncState
		moved  bool
		action string
		remote string
	}{
		"1":     {domain.SyncUpToDate, false, "", byTag["1"].LocalDigest},
		"2":     {domain.SyncStale, true, domain.SyncPull, deep},
		"dev":   {domain.SyncLocalOnly, false, domain.SyncPush, ""},
		"built": {domain.SyncStale, false, domain.SyncPush, amd},
		"3":     {domain.SyncRemoteOnly, false, domain.SyncPull, ""},
	} {
		s := byTag[tag]
		if s.State != want.state || s.Moved != want.moved || s.Action() != want.action || s.RemoteDigest != want.remote {
			t.Errorf("%s: %+v, want %s moved=%v action %q remote %s", tag, s, want.state, want.moved, want.action, want.remote)
		}
	}
	if s := byTag["1"]; !strings.HasPrefix(s.LocalDigest, "sha256:") {
		t.Errorf("pushed tag without its repo digest: %+v", s)
	}
	if s := byTag["2"]; s.LocalDigest == "" || s.LocalDigest == s.RemoteDigest || s.LocalCreated.IsZero() || s.RemoteCreated.IsZero() {
		t.Errorf("stale tag must show both digests and both ages: %+v", s)
	}

	text, err := runWharf(t, env, "status", repo)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wharf status:\n%s", text)
	for _, want := range []string{"stale (moved)", "up to date", "local only", "remote only", "(not pushed)", domain.ShortDigest(deep)} {
		if !strings.Contains(text, want) {
			t.Errorf("status output lacks %q:\n%s", want, text)
		}
	}
}

// A push through the engine is journaled: undo puts back the image it
// replaced, and undoing a push that made a tag deletes the tag.
func TestPushIsJournaledAndUndone(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 3*time.Minute)
	env := engineEnv(t, eng)
	configureRegistry(t, env, reg.Host)
	ref := reg.Repo("journaled/app:1")
	remoteDigest := func() string {
		t.Helper()
		out, err := runWharf(t, env, "tags", "--digests", "--json", reg.Repo("journaled/app"))
		var rows []tagJSON
		if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
			return ""
		}
		for _, r := range rows {
			if r.Tag == "1" {
				return r.Digest
			}
		}
		return ""
	}
	var pushed []string
	for i, spec := range []fixtures.Spec{fixtures.App, fixtures.AppOld} {
		if _, err := testenv.LoadImage(ctx, eng, ref, spec); err != nil {
			t.Fatal(err)
		}
		args := []string{"push", ref}
		if i > 0 {
			// The guard: the remote tag names another image (the first push).
			out, err := runWharf(t, env, args...)
			if err == nil || !strings.Contains(err.Error(), "already points at "+domain.ShortDigest(pushed[0])) || !strings.Contains(err.Error(), "--overwrite") {
				t.Fatalf("a push over another image without --overwrite: %v\n%s", err, out)
			}
			if got := remoteDigest(); got != pushed[0] {
				t.Fatalf("the refused push moved the tag to %s", got)
			}
			args = append(args, "--overwrite")
		}
		if out, err := runWharf(t, env, args...); err != nil || strings.Contains(out, "not journaled") || !strings.Contains(out, "journal entry") {
			t.Fatalf("push: %v\n%s", err, out)
		}
		pushed = append(pushed, remoteDigest())
	}
	out, err := runWharf(t, env, "journal", "--json")
	var entries []domain.JournalEntry
	if err != nil || json.Unmarshal([]byte(out), &entries) != nil || len(entries) != 2 {
		t.Fatalf("journal (%v):\n%s", err, out)
	}
	if e := entries[0]; e.Op != domain.OpPush || e.Digest != "" || e.After != pushed[0] {
		t.Errorf("first push: %+v, want a new tag ending at %s", e, pushed[0])
	}
	if e := entries[1]; e.Op != domain.OpPush || e.Digest != pushed[0] || e.After != pushed[1] {
		t.Errorf("second push: %+v, want %s replaced by %s", e, pushed[0], pushed[1])
	}
	if out, err := runWharf(t, env, "undo", "--yes"); err != nil {
		t.Fatalf("undo the second push: %v\n%s", err, out)
	}
	if got := remoteDigest(); got != pushed[0] {
		t.Errorf("after undo the tag names %s, want the first push's %s", got, pushed[0])
	}
	if out, err := runWharf(t, env, "undo", "--yes"); err != nil {
		t.Fatalf("undo the first push: %v\n%s", err, out)
	}
	if got := remoteDigest(); got != "" {
		t.Errorf("undoing the push that made the tag left it at %s", got)
	}
}
