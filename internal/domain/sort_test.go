package domain_test

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/wharf-dev/wharf/internal/domain"
)

// referenceSort is the semver order as first written: every tag through
// semver, its comparison for every pair.
func referenceSort(tags []string) {
	versions := map[string]*semver.Version{}
	for _, t := range tags {
		if v, err := semver.NewVersion(t); err == nil {
			versions[t] = v
		}
	}
	sort.SliceStable(tags, func(i, j int) bool {
		vi, vj := versions[tags[i]], versions[tags[j]]
		switch {
		case vi != nil && vj != nil:
			if c := vi.Compare(vj); c != 0 {
				return c < 0
			}
			return len(tags[i]) < len(tags[j]) || len(tags[i]) == len(tags[j]) && strings.Compare(tags[i], tags[j]) < 0
		case vi != nil:
			return true
		case vj != nil:
			return false
		}
		return domain.NaturalLess(tags[i], tags[j])
	})
}

// The fast semver sort orders exactly as semver does, on tags of every
// shape a registry holds.
func TestSortTagsAgreesWithSemver(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	shapes := []func() string{
		func() string { return fmt.Sprintf("%d.%d.%d", rng.Intn(3), rng.Intn(12), rng.Intn(12)) },
		func() string { return fmt.Sprintf("%d.%d", rng.Intn(3), rng.Intn(12)) },
		func() string { return fmt.Sprint(rng.Intn(20)) },
		func() string { return fmt.Sprintf("v%d.%d.%d", rng.Intn(3), rng.Intn(12), rng.Intn(12)) },
		func() string {
			return fmt.Sprintf("%d.%d.%d-%s.%d", rng.Intn(3), rng.Intn(12), rng.Intn(12), []string{"rc", "beta", "alpha"}[rng.Intn(3)], rng.Intn(12))
		},
		func() string {
			return fmt.Sprintf("%d.%d.%d+build.%d", rng.Intn(3), rng.Intn(12), rng.Intn(12), rng.Intn(9))
		},
		func() string { return fmt.Sprintf("0%d.%d", rng.Intn(3), rng.Intn(12)) },
		func() string { return fmt.Sprintf("%d.%d.%d.%d", rng.Intn(3), rng.Intn(12), rng.Intn(12), rng.Intn(9)) },
		func() string { return fmt.Sprintf("build-%d", rng.Intn(200)) },
		func() string { return fmt.Sprintf("sha-%07x", rng.Intn(1<<28)) },
		func() string {
			return []string{"latest", "stable", "main", "edge", "V2", "v", "1.", ".1", "1..2"}[rng.Intn(9)]
		},
		func() string { return "99999999999999999999999.1" },
	}
	seen := map[string]bool{}
	var tags []string
	for len(tags) < 3000 {
		s := shapes[rng.Intn(len(shapes))]()
		if !seen[s] {
			seen[s], tags = true, append(tags, s)
		}
	}
	want, got := slices.Clone(tags), slices.Clone(tags)
	referenceSort(want)
	domain.SortTags(got, domain.BySemver)
	if !slices.Equal(got, want) {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("first difference at %d: %q, semver's order has %q (around: %v / %v)", i, got[i], want[i], got[max(i-3, 0):min(i+3, len(got))], want[max(i-3, 0):min(i+3, len(want))])
			}
		}
	}
}

func BenchmarkSortTags100000(b *testing.B) {
	var tags []string
	for i := range 100_000 {
		tags = append(tags, fmt.Sprintf("%d.%d.%d", i%7, (i/7)%100, i/700))
	}
	work := make([]string, len(tags))
	for b.Loop() {
		copy(work, tags)
		domain.SortTags(work, domain.BySemver)
	}
}
