package ops_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/internal/retention"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// journaledClient is a registry client with a journal of the test's own.
func journaledClient(t *testing.T, opts ...registryclient.Option) *registryclient.Client {
	t.Helper()
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := registryclient.New(append(opts, registryclient.WithJournal(j))...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRetentionPlan runs a policy over a repository with versions, sha-
// tags and latest, then applies it.
func TestRetentionPlan(t *testing.T) {
	day := 24 * time.Hour
	spec := func(seed int64, age time.Duration) *fixtures.Spec {
		return &fixtures.Spec{Seed: 100 + seed, LayerSizes: []int64{512}, Created: fixtures.Epoch.Add(-age)}
	}
	entries := func(repo string) []fixtures.Entry {
		return []fixtures.Entry{
			{Repo: repo, Tags: []string{"2.0.0", "latest", "sha-2000"}, Image: spec(1, 1*day)},
			{Repo: repo, Tags: []string{"1.2.0", "sha-1200"}, Image: spec(2, 10*day)},
			{Repo: repo, Tags: []string{"1.10.0"}, Image: spec(3, 5*day)},
			{Repo: repo, Tags: []string{"1.1.0", "sha-1100"}, Image: spec(4, 40*day)},
			{Repo: repo, Tags: []string{"sha-dead"}, Image: spec(5, 60*day)},
			{Repo: repo, Tags: []string{"sha-new"}, Image: spec(6, 0)},
		}
	}
	cases := []struct {
		name               string
		pol                retention.Policy
		keep, del          []string
		reasonOf, reasonIs string
	}{
		{
			name: "keep-2-by-semver",
			pol:  retention.Policy{KeepNewest: 2},
			keep: []string{"1.10.0", "2.0.0", "latest", "sha-2000"},
			del:  []string{"1.1.0", "1.2.0", "sha-1100", "sha-1200", "sha-dead", "sha-new"},
		},
		{
			name: "keep-2-older-than-30d",
			pol:  retention.Policy{KeepNewest: 2, OlderThan: 30 * day},
			keep: []string{"1.10.0", "1.2.0", "2.0.0", "latest", "sha-1200", "sha-2000", "sha-new"},
			del:  []string{"1.1.0", "sha-1100", "sha-dead"},
		},
		{
			name:     "only-sha-tags-keep-1-by-created",
			pol:      retention.Policy{KeepNewest: 1, By: domain.ByCreated, Match: regexp.MustCompile(`^sha-`)},
			keep:     []string{"1.1.0", "1.10.0", "1.2.0", "2.0.0", "latest", "sha-1100", "sha-1200", "sha-2000", "sha-new"},
			del:      []string{"sha-dead"},
			reasonOf: "sha-1100", reasonIs: "shares its digest with kept tag 1.1.0",
		},
	}
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testenv.Context(t, time.Minute)
			repo := "retain/" + tc.name
			if err := fixtures.Push(ctx, reg.Host, entries(repo), reg.RemoteOptions(ctx, "")...); err != nil {
				t.Fatal(err)
			}
			c := journaledClient(t, registryclient.WithTransport(reg.Transport()))
			tc.pol.Now = fixtures.Epoch
			plan, err := ops.PlanRetention(ctx, c, reg.Host+"/"+repo, tc.pol)
			if err != nil {
				t.Fatal(err)
			}
			keep, del := tagNames(plan.Keep), tagNames(plan.Delete)
			if !slices.Equal(keep, tc.keep) || !slices.Equal(del, tc.del) {
				t.Fatalf("plan keeps %v and deletes %v;\nwant keep %v delete %v\n%s", keep, del, tc.keep, tc.del, planText(plan))
			}
			for _, k := range plan.Keep {
				if k.Tag == tc.reasonOf && k.Reason != tc.reasonIs {
					t.Errorf("%s kept because %q, want %q", k.Tag, k.Reason, tc.reasonIs)
				}
			}
			if plan.Delete[0].Size == 0 || plan.Delete[0].Created.IsZero() || plan.DeleteSize() == 0 {
				t.Errorf("the plan lacks sizes or times: %+v", plan.Delete[0])
			}
			var failed []error
			err = ops.ApplyRetention(ctx, c, plan, func(_ domain.RetainedTag, _ domain.DeleteResult, err error) {
				if err != nil {
					failed = append(failed, err)
				}
			})
			if err != nil || len(failed) > 0 {
				t.Fatalf("apply: %v %v", err, failed)
			}
			left, err := c.Tags(ctx, reg.Host+"/"+repo)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(left)
			if !slices.Equal(left, tc.keep) {
				t.Errorf("after applying the tags are %v, want %v", left, tc.keep)
			}
			for _, k := range plan.Keep {
				if got, err := c.Resolve(ctx, reg.Host+"/"+repo+":"+k.Tag); err != nil || got != k.Digest {
					t.Errorf("kept %s resolves to %q, want %s", k.Tag, got, k.Digest)
				}
			}
		})
	}
}

func tagNames(ts []domain.RetainedTag) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Tag)
	}
	slices.Sort(out)
	return out
}

func planText(p domain.RetentionPlan) string {
	var b strings.Builder
	for _, t := range p.Keep {
		fmt.Fprintf(&b, "keep   %-10s %s\n", t.Tag, t.Reason)
	}
	for _, t := range p.Delete {
		fmt.Fprintf(&b, "delete %-10s %s\n", t.Tag, t.Reason)
	}
	return b.String()
}

func TestRetentionPolicyMustLimitSomething(t *testing.T) {
	c := journaledClient(t)
	if _, err := ops.PlanRetention(testenv.Context(t, time.Minute), c, testenv.InProcess(t)+"/fixtures/app", retention.Policy{}); err == nil {
		t.Error("a policy without --keep or --older-than was accepted")
	}
}

// Retention as a release manager would on the tags real repositories have
// (findings 3 and 4 of "Never act on the wrong image"): releases above a
// pre-release, build-N in counting order, latest never, cosign's companion
// tags and the referrers fallback tag with their image — on registry:2 and
// distribution v3, applied, then read back.
func TestRetentionOnARealisticRepository(t *testing.T) {
	day := 24 * time.Hour
	spec := func(seed int64, age time.Duration) fixtures.Spec {
		return fixtures.Spec{Seed: 300 + seed, LayerSizes: []int64{256}, Created: fixtures.Epoch.Add(-age)}
	}
	v110, v19, rc, sig := spec(1, 5*day), spec(2, 9*day), spec(3, 1*day), spec(4, 0)
	companion := func(s fixtures.Spec, suffix string) string {
		return strings.Replace(testenv.FixtureDigest(t, s), ":", "-", 1) + suffix
	}
	builds := make([]fixtures.Spec, 11)
	for i := 1; i <= 10; i++ {
		builds[i] = spec(int64(10+i), 0) // one instant, as reproducible builds are
	}
	for _, kind := range []testenv.Kind{testenv.Anonymous, testenv.V3} {
		t.Run(string(kind), func(t *testing.T) {
			reg := testenv.NeedRegistry(t, kind)
			ctx := testenv.Context(t, 2*time.Minute)
			repo := "retain/realistic"
			sigSpec := sig
			entries := []fixtures.Entry{
				{Repo: repo, Tags: []string{"1.10.0", "latest"}, Image: &v110},
				{Repo: repo, Tags: []string{"1.9.0"}, Image: &v19},
				{Repo: repo, Tags: []string{"v2.0.0-rc1"}, Image: &rc},
				{Repo: repo, Tags: []string{companion(v110, ".sig"), companion(v110, ".att"), companion(v110, ""), companion(builds[3], ".sig")}, Image: &sigSpec},
			}
			for i := 1; i <= 10; i++ {
				entries = append(entries, fixtures.Entry{Repo: repo, Tags: []string{fmt.Sprintf("build-%d", i)}, Image: &builds[i]})
			}
			if err := fixtures.Push(ctx, reg.Host, entries, reg.RemoteOptions(ctx, "")...); err != nil {
				t.Fatal(err)
			}
			c := journaledClient(t, registryclient.WithTransport(reg.Transport()))
			pol := retention.Policy{KeepNewest: 4, Now: fixtures.Epoch}
			plan, err := ops.PlanRetention(ctx, c, reg.Host+"/"+repo, pol)
			if err != nil {
				t.Fatal(err)
			}
			wantKeep := []string{"1.10.0", "1.9.0", "build-10", "build-9", "latest", companion(v110, ".sig"), companion(v110, ".att"), companion(v110, "")}
			slices.Sort(wantKeep)
			if got := tagNames(plan.Keep); !slices.Equal(got, wantKeep) {
				t.Fatalf("keeps %v;\nwant %v\n%s", got, wantKeep, planText(plan))
			}
			if !slices.Contains(tagNames(plan.Delete), companion(builds[3], ".sig")) || !slices.Contains(tagNames(plan.Delete), "v2.0.0-rc1") {
				t.Fatalf("build-3's signature and the pre-release are not deleted:\n%s", planText(plan))
			}
			var failed []error
			if err := ops.ApplyRetention(ctx, c, plan, func(_ domain.RetainedTag, _ domain.DeleteResult, err error) {
				if err != nil {
					failed = append(failed, err)
				}
			}); err != nil || len(failed) > 0 {
				t.Fatalf("apply: %v %v", err, failed)
			}
			left, err := c.Tags(ctx, reg.Host+"/"+repo)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(left)
			if !slices.Equal(left, wantKeep) {
				t.Errorf("after applying the repository has %v, want %v", left, wantKeep)
			}
		})
	}
}
