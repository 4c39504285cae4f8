package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

func TestRemoteCLI(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
	app, _ := fixtures.Image(fixtures.App)
	appDigest, _ := app.Digest()

	out, err := runWharf(t, env, "catalog", reg.Host)
	if err != nil || !strings.Contains(out, "fixtures/app\n") || !strings.Contains(out, "fixtures/multiarch\n") {
		t.Errorf("catalog (%v):\n%s", err, out)
	}

	out, err = runWharf(t, env, "tags", reg.Repo("fixtures/app"))
	if err != nil || out != "0.9.0\n1\n1.0\n1.0.0\n1.1.0-rc.1\nlatest\nstable\n" {
		t.Errorf("tags in semver order (%v):\n%s", err, out)
	}

	out, err = runWharf(t, env, "tags", "--digests", "--json", reg.Repo("fixtures/app"))
	var rows []tagJSON
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 7 {
		t.Fatalf("tags --digests --json (%v):\n%s", err, out)
	}
	for _, r := range rows {
		if r.Tag == "stable" && r.Digest != appDigest.String() {
			t.Errorf("stable resolved to %s, want %s", r.Digest, appDigest)
		}
	}

	out, err = runWharf(t, env, "same", reg.Repo("fixtures/app"))
	if err != nil || !strings.Contains(out, domain.ShortDigest(appDigest.String())+"  = 5  1, 1.0, 1.0.0, latest, stable") || !strings.Contains(out, "7 tags, 3 images") {
		t.Errorf("same (%v):\n%s", err, out)
	}

	out, err = runWharf(t, env, "inspect", reg.Repo("fixtures/multiarch:latest"))
	if err != nil || !strings.Contains(out, "linux/amd64") || !strings.Contains(out, "linux/arm64/v8") {
		t.Errorf("inspect index (%v):\n%s", err, out)
	}
	if _, err := runWharf(t, env, "inspect", reg.Repo("fixtures/app:nope")); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("inspect of a missing tag: %v", err)
	}
	out, err = runWharf(t, env, "diff", reg.Repo("fixtures/app:0.9.0"), reg.Repo("fixtures/app:1.0.0"))
	if err != nil || !strings.Contains(out, "label:org.opencontainers.image.version") || !strings.Contains(out, `"0.9.0" → "1.0.0"`) || !strings.Contains(out, "+ COPY layer-02.bin / # 4096 bytes") {
		t.Errorf("diff (%v):\n%s", err, out)
	}
	if out, err = runWharf(t, env, "diff", reg.Repo("fixtures/app:1.0"), reg.Repo("fixtures/app:stable")); err != nil || !strings.HasPrefix(out, "same manifest sha256:") {
		t.Errorf("diff of two tags of one image (%v): %s", err, out)
	}
	if _, err := runWharf(t, env, "tags", "--sort", "random", reg.Repo("fixtures/app")); err == nil {
		t.Errorf("--sort random accepted")
	}
}

// cosign's companion tags are folded under the image they sign in `wharf
// tags` (a SIGNED column with --digests), and listed with --all.
func TestTagsFoldCosignTags(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
	ctx := testenv.Context(t, time.Minute)
	signedDigest := testenv.FixtureDigest(t, fixtures.App)
	companion := strings.Replace(signedDigest, ":", "-", 1)
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
		{Repo: "signed/app", Tags: []string{"1.0", "2.0"}, Image: &fixtures.App},
		{Repo: "signed/app", Tags: []string{"0.9"}, Image: &fixtures.AppOld},
		{Repo: "signed/app", Tags: []string{companion + ".sig", companion + ".att"}, Image: &fixtures.Deep},
	}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	out, err := runWharf(t, env, "tags", "--digests", "--json", reg.Repo("signed/app"))
	var rows []tagJSON
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
		t.Fatalf("tags --digests --json (%v):\n%s", err, out)
	}
	if len(rows) != 3 {
		t.Errorf("%d rows, want 3 (the cosign tags folded): %+v", len(rows), rows)
	}
	for _, r := range rows {
		want := ""
		if r.Digest == signedDigest {
			want = "sig+att"
		}
		if r.Signed != want {
			t.Errorf("%s: signed %q, want %q", r.Tag, r.Signed, want)
		}
	}
	out, err = runWharf(t, env, "tags", "--all", reg.Repo("signed/app"))
	if err != nil || !strings.Contains(out, companion+".sig") || strings.Count(out, "\n") != 5 {
		t.Errorf("tags --all (%v):\n%s", err, out)
	}
	// wharf same: the companions are no image of their own; they badge
	// their image's group.
	out, err = runWharf(t, env, "same", reg.Repo("signed/app"))
	if err != nil || strings.Contains(out, ".sig") || !strings.Contains(out, "= 2  1.0, 2.0  [sig+att]") || !strings.Contains(out, "3 tags, 2 images") {
		t.Errorf("same (%v):\n%s", err, out)
	}
}

// An index whose two platforms share their first layer: each platform's
// digest, size, and the one layer it shares; a plain image is refused with
// a reason.
func TestPlatformsShowWhatTheyShare(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
	ctx := testenv.Context(t, time.Minute)
	// Same seed and first layer size as AMD64: the same first layer.
	armShared := fixtures.Spec{Seed: fixtures.AMD64.Seed, LayerSizes: []int64{fixtures.AMD64.LayerSizes[0], 700}, OS: "linux", Arch: "arm64"}
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
		{Repo: "platforms/app", Tags: []string{"multi"}, Platforms: []fixtures.Spec{fixtures.AMD64, armShared}},
		{Repo: "platforms/app", Tags: []string{"single"}, Image: &fixtures.App},
	}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	out, err := runWharf(t, env, "platforms", "--json", reg.Repo("platforms/app:multi"))
	var ps []domain.PlatformImage
	if err != nil || json.Unmarshal([]byte(out), &ps) != nil {
		t.Fatalf("platforms --json (%v):\n%s", err, out)
	}
	if len(ps) != 2 || ps[0].Platform.String() != "linux/amd64" || ps[1].Platform.String() != "linux/arm64" {
		t.Fatalf("platforms %+v", ps)
	}
	for _, p := range ps {
		if len(p.Layers) != 2 || p.Shared != 1 || p.SharedSize != p.Layers[0].Size || p.Size <= p.Layers[0].Size+p.Layers[1].Size {
			t.Errorf("%s: %d layers, %d shared (%d bytes), size %d", p.Platform, len(p.Layers), p.Shared, p.SharedSize, p.Size)
		}
	}
	if ps[0].Platform.Digest != testenv.FixtureDigest(t, fixtures.AMD64) {
		t.Errorf("amd64 digest %s", ps[0].Platform.Digest)
	}
	if _, err := runWharf(t, env, "platforms", reg.Repo("platforms/app:single")); err == nil || !strings.Contains(err.Error(), "not an index") {
		t.Errorf("platforms of a plain image: %v", err)
	}
}

// wharf inspect names an artifact for what it is, with its files, and no
// created time or platform; an image missing os/arch prints no platform.
func TestInspectNamesArtifacts(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
	ctx := testenv.Context(t, time.Minute)
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
		{Repo: "cli-artifacts/chart", Tags: []string{"1.0.0"}, Artifact: &fixtures.HelmChart},
		{Repo: "cli-artifacts/notes", Tags: []string{"1"}, Artifact: &fixtures.PlainFile},
	}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	out, err := runWharf(t, env, "inspect", reg.Repo("cli-artifacts/chart:1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"artifact    Helm chart (application/vnd.cncf.helm.config.v1+json)", "file        app-1.0.0.tgz  application/vnd.cncf.helm.chart.content.v1.tar+gzip"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect of a Helm chart lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "created") || strings.Contains(out, "platform") || strings.Contains(out, "0001-01-01") {
		t.Errorf("inspect of a Helm chart shows it as an image:\n%s", out)
	}
	if out, err = runWharf(t, env, "inspect", reg.Repo("cli-artifacts/notes:1")); err != nil || !strings.Contains(out, "notes.txt") || !strings.Contains(out, "application/vnd.example.notes.v1") {
		t.Errorf("inspect of an oras file (%v):\n%s", err, out)
	}
}

// With --max-age, digests the cache fetched within it are not asked for
// again (the tag list still is), and stderr says how many came from the
// cache; without it, every digest is asked for, so a moved tag shows.
func TestMaxAgeTakesYoungDigestsFromTheCache(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	proxy := testenv.StartProxy(t, reg)
	ctx := testenv.Context(t, time.Minute)
	tags := testenv.SeedTags(t, proxy.Host, "maxage/app", 12, 3)
	repo := proxy.Repo("maxage/app")
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir()}

	first, err := runWharf(t, env, "same", repo)
	if err != nil || !strings.Contains(first, "12 tags, 3 images") {
		t.Fatalf("same (%v):\n%s", err, first)
	}
	if strings.Contains(first, "from the cache") {
		t.Errorf("without --max-age nothing is said to come from the cache:\n%s", first)
	}

	proxy.ResetCounts()
	out, err := runWharf(t, env, "same", "--max-age", "1h", repo)
	if err != nil || !strings.Contains(out, "12 of 12 digests from the cache (fetched within 1h0m0s)") || !strings.Contains(out, "12 tags, 3 images") {
		t.Fatalf("same --max-age 1h (%v):\n%s", err, out)
	}
	if c := proxy.Counts(); c["HEAD manifest"] != 0 || c["GET manifest"] != 0 || c["GET tags"] != 1 {
		t.Errorf("a warm cache within --max-age still asked the registry: %v", c)
	}

	// Move one tag onto a fourth image: --max-age 1h still says what the
	// cache saw; without it the move shows.
	img, _ := fixtures.Image(fixtures.Spec{Seed: 4242})
	if err := remote.Write(testenv.RefNoT(repo+":"+tags[0]), img, remote.WithContext(ctx)); err != nil {
		t.Fatal(err)
	}
	if out, err := runWharf(t, env, "same", "--max-age", "1h", repo); err != nil || !strings.Contains(out, "12 tags, 3 images") {
		t.Errorf("within --max-age the cached digests are used (%v):\n%s", err, out)
	}
	proxy.ResetCounts()
	if out, err := runWharf(t, env, "same", repo); err != nil || !strings.Contains(out, "12 tags, 4 images") {
		t.Errorf("without --max-age the moved tag shows (%v):\n%s", err, out)
	}
	if c := proxy.Counts(); c["HEAD manifest"] != 12 {
		t.Errorf("without --max-age every digest is asked for: %v", c)
	}

	// A tag the cache has not seen is asked for; --max-age needs --digests
	// on tags; a negative age is refused.
	if err := remote.Write(testenv.RefNoT(repo+":new"), img, remote.WithContext(ctx)); err != nil {
		t.Fatal(err)
	}
	proxy.ResetCounts()
	if out, err := runWharf(t, env, "tags", "--digests", "--max-age", "1h", repo); err != nil || !strings.Contains(out, "12 of 13 digests from the cache") {
		t.Errorf("tags --digests --max-age (%v):\n%s", err, out)
	}
	if c := proxy.Counts(); c["HEAD manifest"] != 1 {
		t.Errorf("only the new tag is asked for: %v", c)
	}
	if _, err := runWharf(t, env, "tags", "--max-age", "1h", repo); err == nil || !strings.Contains(err.Error(), "add --digests") {
		t.Errorf("tags --max-age without --digests: %v", err)
	}
	if _, err := runWharf(t, env, "same", "--max-age", "-1m", repo); err == nil || !strings.Contains(err.Error(), "0 or more") {
		t.Errorf("negative --max-age: %v", err)
	}
}
