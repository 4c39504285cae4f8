package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
)

// engineImages lists the private engine's images as the engine itself
// reports them, not through what is under test.
func engineImages(t *testing.T, eng *testenv.Engine) []domain.LocalImage {
	t.Helper()
	c, err := localcache.Open(localcache.Endpoint{Host: eng.Host})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l, err := c.List(testenv.Context(t, time.Minute), localcache.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Images
}

// engineImageIDs are the IDs of the private engine's images.
func engineImageIDs(t *testing.T, eng *testenv.Engine) map[string]bool {
	t.Helper()
	left := map[string]bool{}
	for _, img := range engineImages(t, eng) {
		left[img.ID] = true
	}
	return left
}

// firstLine is what a command printed first (its result; progress
// follows).
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func engineEnv(t *testing.T, eng *testenv.Engine) map[string]string {
	return map[string]string{"DOCKER_HOST": eng.Host, "DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
}

func TestLocalCLI(t *testing.T) {
	eng := testenv.NeedEngine(t)
	fx := testenv.NeedEngineFixtures(t, eng)
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	env := engineEnv(t, eng)

	out, err := runWharf(t, env, "images", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var l localcache.Listing
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("images --json: %v\n%s", err, out)
	}
	if l.Dangling != len(fx.Dangling) {
		t.Errorf("images --json counts %d dangling, want %d", l.Dangling, len(fx.Dangling))
	}
	out, err = runWharf(t, env, "images")
	if err != nil || !strings.Contains(out, "wharf-fixtures/app:1.0.0, wharf-fixtures/app:latest") && !strings.Contains(out, "wharf-fixtures/app:latest, wharf-fixtures/app:1.0.0") {
		t.Errorf("images does not group app's tags on one row (%v):\n%s", err, out)
	}
	if !strings.Contains(out, "<none> (dangling)") || !strings.Contains(out, "wharf-fixture-stopped") {
		t.Errorf("images does not mark dangling images or name the container:\n%s", out)
	}

	out, err = runWharf(t, env, "history", "wharf-fixtures/app:1.0.0")
	if err != nil || !strings.Contains(out, "ENV WHARF_FIXTURE=app") || !strings.Contains(out, "COPY layer-02.bin") {
		t.Errorf("history (%v):\n%s", err, out)
	}

	target := reg.Repo("cli/app:1")
	if out, err = runWharf(t, env, "tag", "wharf-fixtures/app:1.0.0", target); err != nil || !strings.Contains(out, "tagged "+target) {
		t.Errorf("tag (%v): %s", err, out)
	}
	if _, err = runWharf(t, env, "tag", "wharf-fixtures/deep:latest", target); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("tag onto another image's tag: %v, want a refusal that mentions --force", err)
	}
	out, err = runWharf(t, env, "push", "--json", target)
	var pushed localcache.PushResult
	if err != nil || json.Unmarshal([]byte(out), &pushed) != nil || !strings.HasPrefix(pushed.Digest, "sha256:") {
		t.Fatalf("push --json (%v): %s", err, out)
	}
	if out, err = runWharf(t, env, "untag", target); err != nil || !strings.Contains(out, "untagged "+target) {
		t.Errorf("untag (%v): %s", err, out)
	}
	if out, err = runWharf(t, env, "pull", target+"@"+pushed.Digest); err != nil || strings.Count(firstLine(out), pushed.Digest) != 1 {
		t.Errorf("pull by tag and digest (%v), the digest said once: %s", err, out)
	}
	repo, _, _ := strings.Cut(target, ":")
	if i := strings.LastIndex(target, ":"); i > strings.LastIndex(target, "/") {
		repo = target[:i]
	}
	if out, err = runWharf(t, env, "pull", repo+"@"+pushed.Digest); err != nil || firstLine(out) != "up to date: "+repo+"@"+pushed.Digest {
		t.Errorf("pull by digest (%v): %q", err, out)
	}
	if _, err = runWharf(t, env, "untag", "wharf-fixtures/app:0.9.0"); err == nil || !strings.Contains(err.Error(), "stopped container wharf-fixture-stopped") {
		t.Errorf("untag of an image in use: %v", err)
	}
}

func TestPruneCLI(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	fx, err := testenv.LoadEngineFixtures(testenv.Context(t, 2*time.Minute), eng)
	if err != nil {
		t.Fatal(err)
	}
	env := engineEnv(t, eng)

	out, err := runWharf(t, env, "prune", "--dry-run")
	if err != nil || strings.Count(out, "will be removed") != len(fx.Dangling) {
		t.Fatalf("prune --dry-run (%v):\n%s", err, out)
	}
	// Without a terminal and without --yes nothing is removed.
	if _, err := runWharf(t, env, "prune"); err == nil || !strings.Contains(err.Error(), "nothing removed") {
		t.Errorf("prune without --yes: %v", err)
	}
	out, err = runWharf(t, env, "prune", "--yes", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res localcache.PruneResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("prune --json: %v\n%s", err, out)
	}
	if !slices.Equal(slices.Sorted(slices.Values(res.Removed)), slices.Sorted(slices.Values(fx.Dangling))) {
		t.Errorf("prune removed %v, want %v", res.Removed, fx.Dangling)
	}
	if out, err = runWharf(t, env, "images", "--dangling"); err != nil || strings.Contains(out, "<none>") {
		t.Errorf("dangling images left after prune (%v):\n%s", err, out)
	}
}

// What the engine does not know is said as unknown, as docker says it: an
// image without a created time is N/A (not "106751 days ago" or year 1),
// history has a COMMENT column when a step has a comment, and images -a
// lists the classic builder's steps as intermediate.
func TestUnknownIsSaidAsUnknown(t *testing.T) {
	eng := testenv.NeedEngine(t)
	testenv.NeedEngineFixtures(t, eng)
	ctx := testenv.Context(t, time.Minute)
	if _, err := testenv.LoadImage(ctx, eng, "wharf-test/undated:1", fixtures.Spec{Seed: 41, LayerSizes: []int64{64}, Undated: true, Comment: "made by a test"}); err != nil {
		t.Fatal(err)
	}
	testenv.BuildSteps(t, eng, "wharf-test/steps:1")
	env := engineEnv(t, eng)
	out, err := runWharf(t, env, "images")
	if err != nil {
		t.Fatal(err)
	}
	row := lineWith(out, "wharf-test/undated:1")
	if !strings.Contains(row, "N/A") || strings.Contains(row, "days ago") {
		t.Errorf("an image without a created time reads %q", row)
	}
	if strings.Contains(out, "(intermediate)") {
		t.Errorf("images without -a lists intermediates:\n%s", out)
	}
	if out, err = runWharf(t, env, "images", "-a"); err != nil || strings.Count(out, "<none> (intermediate)") < 2 {
		t.Errorf("images -a (%v) does not list the build's steps:\n%s", err, out)
	}
	out, err = runWharf(t, env, "history", "wharf-test/undated:1")
	if err != nil || !strings.HasPrefix(out, "CREATED") || !strings.Contains(firstLine(out), "COMMENT") || !strings.Contains(out, "made by a test") || strings.Contains(out, "0001-01-01") || !strings.Contains(out, "N/A") {
		t.Errorf("history of an undated image with comments (%v):\n%s", err, out)
	}
	if out, err = runWharf(t, env, "history", "wharf-fixtures/app:1.0.0"); err != nil || strings.Contains(firstLine(out), "COMMENT") {
		t.Errorf("history without comments has a COMMENT column (%v):\n%s", err, out)
	}
}

// lineWith is the first line of out that contains s.
func lineWith(out, s string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// wharf inspect takes a local image as well as a remote one: an ID is
// local, --local and --remote choose, and a reference both sides have is
// not guessed at. A local image shows its history with sizes, the
// containers using it, and whether its registry still has its repo digest.
func TestInspectLocalImages(t *testing.T) {
	eng := testenv.NeedEngine(t)
	fx := testenv.NeedEngineFixtures(t, eng)
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	env := engineEnv(t, eng)
	out, err := runWharf(t, env, "inspect", "--local", "wharf-fixtures/app:0.9.0")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"image ID " + fx.UsedImage, "container wharf-fixture-stopped created", "COPY layer-00.bin", "layer sha256:"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("inspect --local lacks %q:\n%s", want, out)
		}
	}
	if out, err = runWharf(t, env, "inspect", fx.UsedImage); err != nil || !strings.Contains(out, "wharf-fixtures/app:0.9.0") {
		t.Errorf("inspect of an image ID (%v):\n%s", err, out)
	}

	target := reg.Repo("inspect/app:1")
	if out, err := runWharf(t, env, "tag", "wharf-fixtures/deep:latest", target); err != nil {
		t.Fatalf("tag: %v\n%s", err, out)
	}
	if out, err := runWharf(t, env, "push", target); err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	if _, err := runWharf(t, env, "inspect", target); err == nil || !strings.Contains(err.Error(), "--local or --remote") {
		t.Errorf("inspect of what both sides have: %v", err)
	}
	if out, err = runWharf(t, env, "inspect", "--remote", target); err != nil || !strings.Contains(out, "media type") || strings.Contains(out, "image ID") {
		t.Errorf("inspect --remote (%v):\n%s", err, out)
	}
	out, err = runWharf(t, env, "inspect", "--local", target)
	if err != nil || !strings.Contains(lineWith(out, "repo digest"), "in the registry") {
		t.Errorf("inspect --local of a pushed image does not say the registry has it (%v):\n%s", err, out)
	}
}
