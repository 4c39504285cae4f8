package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// TestChangeCLI drives the commands that change a registry, and their undo,
// against registry:2.
func TestChangeCLI(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	ctx := testenv.Context(t, 2*time.Minute)
	repo := reg.Repo("cli/changes")
	err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
		{Repo: "cli/changes", Tags: []string{"a", "b", "c"}, Image: &fixtures.App},
		{Repo: "cli/changes", Tags: []string{"solo"}, Image: &fixtures.AppOld},
	}, reg.RemoteOptions(ctx, "")...)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir()}
	app, err := fixtures.Digest(fixtures.App)
	if err != nil {
		t.Fatal(err)
	}
	old, err := fixtures.Digest(fixtures.AppOld)
	if err != nil {
		t.Fatal(err)
	}
	digestOf := func(tag string) string {
		t.Helper()
		out, err := runWharf(t, env, "tags", "--digests", "--json", repo)
		var rows []tagJSON
		if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
			t.Fatalf("tags: %v\n%s", err, out)
		}
		for _, r := range rows {
			if r.Tag == tag {
				return r.Digest
			}
		}
		return ""
	}

	out, err := runWharf(t, env, "rmtag", repo+":a")
	if err != nil || !strings.Contains(out, "deleted a (") || !strings.Contains(out, "b, c (same image)") || !strings.Contains(out, "placeholder") {
		t.Fatalf("rmtag (%v):\n%s", err, out)
	}
	if digestOf("a") != "" || digestOf("b") != app {
		t.Fatalf("after rmtag a: a=%q b=%q", digestOf("a"), digestOf("b"))
	}
	out, err = runWharf(t, env, "journal")
	if err != nil || !strings.Contains(out, "1  ") || !strings.Contains(out, "deleted "+repo+":a") {
		t.Errorf("journal (%v):\n%s", err, out)
	}
	// Asked first: not on a terminal, and without --yes, nothing is undone.
	if _, err := runWharf(t, env, "undo"); err == nil || !strings.Contains(err.Error(), "nothing undone") || digestOf("a") != "" {
		t.Errorf("undo without --yes off a terminal: %v; a=%q", err, digestOf("a"))
	}
	out, err = runWharf(t, env, "undo", "--yes")
	if err != nil || !strings.Contains(out, "restored  "+repo+":a") {
		t.Fatalf("undo (%v):\n%s", err, out)
	}
	if digestOf("a") != app {
		t.Errorf("after undo a resolves to %q", digestOf("a"))
	}
	if out, err = runWharf(t, env, "journal", "--json"); err != nil || !strings.Contains(out, `"undone": "`) {
		t.Errorf("journal --json does not show the undo (%v):\n%s", err, out)
	}
	if _, err := runWharf(t, env, "undo", "1", "--yes"); err == nil || !strings.Contains(err.Error(), "undone already") {
		t.Errorf("undo 1 twice: %v", err)
	}
	if _, err := runWharf(t, env, "undo", "99"); err == nil || !strings.Contains(err.Error(), "no such journal entry") {
		t.Errorf("undo 99: %v", err)
	}

	if _, err := runWharf(t, env, "retag", repo+":a", "solo"); err == nil || !strings.Contains(err.Error(), "--overwrite") {
		t.Errorf("retag over solo without --overwrite: %v", err)
	}
	out, err = runWharf(t, env, "retag", "--overwrite", "--json", repo+":a", "solo")
	var wr domain.WriteResult
	if err != nil || json.Unmarshal([]byte(out), &wr) != nil || wr.Replaced != old || wr.JournalID != 2 {
		t.Errorf("retag --overwrite --json (%v):\n%s", err, out)
	}

	if _, err := runWharf(t, env, "rmdigest", repo+"@"+app); err == nil || !strings.Contains(err.Error(), "--tags") {
		t.Errorf("rmdigest without --tags: %v", err)
	}
	if _, err := runWharf(t, env, "rmdigest", "--tags", "a,b", repo+"@"+app); err == nil || !strings.Contains(err.Error(), "[a b c solo]") {
		t.Errorf("rmdigest with too few tags: %v", err)
	}
	if digestOf("a") != app {
		t.Error("a refused rmdigest deleted a")
	}

	out, err = runWharf(t, env, "cp", repo+":solo", reg.Repo("cli/copied"))
	if err != nil || !strings.Contains(out, reg.Repo("cli/copied:solo")+" now points at "+app) {
		t.Errorf("cp (%v):\n%s", err, out)
	}

	out, err = runWharf(t, env, "retain", "--keep", "1", "--by", "created", "--dry-run", "--json", repo)
	var plan domain.RetentionPlan
	if err != nil || json.Unmarshal([]byte(out), &plan) != nil || len(plan.Delete) != 0 || len(plan.Keep) != 4 {
		t.Errorf("retain --dry-run (%v): every tag is one image now, so all stay:\n%s", err, out)
	}
	if _, err := runWharf(t, env, "retain", "--older-than", "soon", repo); err == nil || !strings.Contains(err.Error(), "30d") {
		t.Errorf("retain --older-than soon: %v", err)
	}
	if _, err := runWharf(t, env, "rmtag", "Upper/Case:x"); err == nil || !strings.Contains(err.Error(), "invalid reference") {
		t.Errorf("rmtag of a bad reference: %v", err)
	}
}
