package retention_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/retention"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func dg(s string) string { return "sha256:" + strings.Repeat(s, 64/len(s)) }

// tag is a tag of image d made age ago.
func tag(name, d string, age time.Duration) domain.RetainedTag {
	return domain.RetainedTag{Tag: name, Digest: d, Created: t0.Add(-age), Size: 100}
}

func names(ts []domain.RetainedTag) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Tag)
	}
	slices.Sort(out)
	return out
}

func reason(p domain.RetentionPlan, tag string) string {
	for _, t := range append(slices.Clone(p.Keep), p.Delete...) {
		if t.Tag == tag {
			return t.Reason
		}
	}
	return ""
}

func plan(t *testing.T, tags []domain.RetainedTag, pol retention.Policy) domain.RetentionPlan {
	t.Helper()
	pol.Now = t0
	p, err := retention.Plan("reg.example/team/app", tags, pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Keep)+len(p.Delete) != len(tags) {
		t.Fatalf("the plan lost tags: %d kept + %d deleted of %d", len(p.Keep), len(p.Delete), len(tags))
	}
	for _, k := range append(slices.Clone(p.Keep), p.Delete...) {
		if k.Reason == "" {
			t.Errorf("%s has no reason", k.Tag)
		}
	}
	return p
}

// build-1 … build-10, all made at one instant: --keep 3 keeps build-10,
// build-9, build-8 (not build-1, build-10, build-2 as string order would).
func TestBuildNumbersCountAsPeopleCount(t *testing.T) {
	var tags []domain.RetainedTag
	for i := 1; i <= 10; i++ {
		tags = append(tags, tag(fmt.Sprintf("build-%d", i), dg(fmt.Sprintf("%x", i)), 0))
	}
	p := plan(t, tags, retention.Policy{KeepNewest: 3})
	if got := names(p.Keep); !slices.Equal(got, []string{"build-10", "build-8", "build-9"}) {
		t.Errorf("kept %v", got)
	}
}

// --keep 1 keeps the newest release, not the pre-release; latest is never
// deleted; --include-prerelease counts the pre-release.
func TestReleasesRankAbovePreReleases(t *testing.T) {
	tags := []domain.RetainedTag{
		tag("v2.0.0-rc1", dg("a"), time.Hour),
		tag("1.10.0", dg("b"), 2*time.Hour),
		tag("1.9.0", dg("c"), 3*time.Hour),
		tag("latest", dg("d"), 4*time.Hour),
	}
	p := plan(t, tags, retention.Policy{KeepNewest: 1})
	if got := names(p.Keep); !slices.Equal(got, []string{"1.10.0", "latest"}) {
		t.Errorf("kept %v, want 1.10.0 and latest", got)
	}
	if r := reason(p, "v2.0.0-rc1"); !strings.Contains(r, "pre-release") {
		t.Errorf("rc1: %q", r)
	}
	if r := reason(p, "latest"); r != "latest is never deleted" {
		t.Errorf("latest: %q", r)
	}
	p = plan(t, tags, retention.Policy{KeepNewest: 1, IncludePrerelease: true})
	if got := names(p.Keep); !slices.Equal(got, []string{"latest", "v2.0.0-rc1"}) {
		t.Errorf("with pre-releases kept %v", got)
	}
	// 1.10 is newer than 1.9 (not string order).
	p = plan(t, tags, retention.Policy{KeepNewest: 2})
	if got := names(p.Keep); !slices.Equal(got, []string{"1.10.0", "1.9.0", "latest"}) {
		t.Errorf("keep 2: %v", got)
	}
}

// Signatures, attestations, SBOMs and referrers fallback tags stay with a
// kept image and go with a deleted one; --match does not change that.
func TestCompanionTagsLiveAndDieWithTheirImage(t *testing.T) {
	kept, gone, orphan := dg("1"), dg("2"), dg("3")
	companions := func(d string) []domain.RetainedTag {
		base := strings.Replace(d, ":", "-", 1)
		return []domain.RetainedTag{tag(base+".sig", dg("5"), 0), tag(base+".att", dg("6"), 0), tag(base, dg("7"), 0)}
	}
	tags := []domain.RetainedTag{tag("1.10", kept, time.Hour), tag("1.9", gone, 2*time.Hour)}
	tags = append(tags, companions(kept)...)
	tags = append(tags, companions(gone)...)
	tags = append(tags, companions(orphan)...)
	for name, pol := range map[string]retention.Policy{
		"keep 1":          {KeepNewest: 1},
		"keep 1, match 1": {KeepNewest: 1, Match: regexp.MustCompile(`^1\.`)},
	} {
		t.Run(name, func(t *testing.T) {
			p := plan(t, tags, pol)
			for _, k := range p.Keep {
				if strings.Contains(k.Tag, strings.TrimPrefix(gone, "sha256:")) {
					t.Errorf("kept %s, a companion of the deleted image (%s)", k.Tag, k.Reason)
				}
			}
			for _, d := range p.Delete {
				if !strings.Contains(d.Tag, strings.TrimPrefix(gone, "sha256:")) && d.Tag != "1.9" {
					t.Errorf("deleted %s (%s)", d.Tag, d.Reason)
				}
			}
			if got := len(p.Delete); got != 4 {
				t.Errorf("deleted %d tags, want 1.9 and its 3 companions: %v", got, names(p.Delete))
			}
			if r := reason(p, strings.Replace(kept, ":", "-", 1)+".sig"); !strings.Contains(r, "signature of kept 1.10") {
				t.Errorf("kept image's signature: %q", r)
			}
			if r := reason(p, strings.Replace(orphan, ":", "-", 1)+".sig"); !strings.Contains(r, "left alone") {
				t.Errorf("an orphan's signature: %q", r)
			}
		})
	}
}

func TestProtectedTagsAreNeverDeleted(t *testing.T) {
	tags := []domain.RetainedTag{tag("stable", dg("a"), 40*24*time.Hour), tag("sha-1", dg("b"), 40*24*time.Hour), tag("sha-2", dg("c"), time.Hour)}
	p := plan(t, tags, retention.Policy{OlderThan: 30 * 24 * time.Hour, Protect: []*regexp.Regexp{regexp.MustCompile(`^stable$`)}})
	if got := names(p.Delete); !slices.Equal(got, []string{"sha-1"}) {
		t.Errorf("deleted %v", got)
	}
	if r := reason(p, "stable"); r != "protected by ^stable$" {
		t.Errorf("stable: %q", r)
	}
}

// The order is total: the same tags in any order give the same plan.
func TestPlanDoesNotDependOnListingOrder(t *testing.T) {
	var tags []domain.RetainedTag
	for i := range 30 {
		tags = append(tags, tag(fmt.Sprintf("t%d", i), dg(fmt.Sprintf("%x", i%16+1)), 0))
	}
	first := plan(t, tags, retention.Policy{KeepNewest: 7})
	for range 5 {
		slices.Reverse(tags)
		tags = append(tags[3:], tags[:3]...)
		if again := plan(t, tags, retention.Policy{KeepNewest: 7}); !slices.Equal(names(again.Keep), names(first.Keep)) {
			t.Fatalf("plans differ: %v vs %v", names(again.Keep), names(first.Keep))
		}
	}
}

func TestPolicyMustLimitSomething(t *testing.T) {
	if err := retention.Check(retention.Policy{}); err == nil {
		t.Error("a policy without --keep or --older-than passed")
	}
	if err := retention.Check(retention.Policy{KeepNewest: 1, By: "size"}); err == nil {
		t.Error("ranking by size passed")
	}
}

func TestNaturalOrder(t *testing.T) {
	in := []string{"build-10", "build-9", "build-1", "b2", "b10", "a", "build-010"}
	slices.SortFunc(in, func(a, b string) int {
		if domain.NaturalLess(a, b) {
			return -1
		}
		if domain.NaturalLess(b, a) {
			return 1
		}
		return 0
	})
	if want := []string{"a", "b2", "b10", "build-1", "build-9", "build-010", "build-10"}; !slices.Equal(in, want) {
		t.Errorf("natural order %v, want %v", in, want)
	}
}
