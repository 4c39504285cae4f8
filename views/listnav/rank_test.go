package listnav_test

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/wharf-dev/wharf/views/listnav"
)

func pick(names []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = names[k]
	}
	return out
}

// Exact, then prefix, then substring, then fuzzy; ties in list order;
// case ignored. The field's case: /app005 put app005 11th of 13.
func TestRankPutsTheBestMatchesFirst(t *testing.T) {
	var names []string
	for i := range 13 {
		names = append(names, fmt.Sprintf("team/app%03d-worker", i))
	}
	names = append(names, "app005", "APP005-old", "xapp005", "a-p-p-0-0-5")
	got := pick(names, listnav.Rank("app005", names, nil, nil))
	want := []string{"app005", "APP005-old", "team/app005-worker", "xapp005", "a-p-p-0-0-5"}
	if !slices.Equal(got, want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
	if got := listnav.Rank("", names, nil, nil); len(got) != len(names) || !slices.IsSorted(got) {
		t.Errorf("no query: %v", got)
	}
}

// A longer query narrowed from the shorter one's result, and a large list
// split over the cores, give exactly what a search of the whole list gives.
func TestRankNarrowsAndSplitsWithoutChangingTheResult(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	names := make([]string, 50_000)
	for i := range names {
		names[i] = fmt.Sprintf("%d.%d.%d-%c%c", rng.Intn(5), rng.Intn(40), rng.Intn(100), 'a'+rng.Intn(26), 'a'+rng.Intn(26))
	}
	lower := listnav.Lower(names)
	for _, q := range []string{"1", "1.", "1.2", "1.2.3", "1.2.3-a", "1.2.3-ab"} {
		whole := listnav.Rank(q, names, nil, nil)
		if got := listnav.Rank(q, names, lower, nil); !slices.Equal(got, whole) {
			t.Fatalf("%q: with lower case given %d results, without %d", q, len(got), len(whole))
		}
		prev := listnav.Ranked{Query: q[:len(q)-1], Shown: listnav.Rank(q[:len(q)-1], names, lower, nil)}
		if got := listnav.Rank(q, names, lower, prev.Narrow(q)); !slices.Equal(got, whole) {
			t.Errorf("%q narrowed from %q: %d results, the whole list %d", q, prev.Query, len(got), len(whole))
		}
	}
	if r := (listnav.Ranked{Query: "1.2", Shown: []int{1}}); r.Narrow("2") != nil {
		t.Error("a query that does not extend the last one was narrowed")
	}
}
