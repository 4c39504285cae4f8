package listnav

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// The classes of a match, best first.
const (
	matchExact = iota
	matchPrefix
	matchSubstring
	matchFuzzy
	classes
)

// parallelRank is the list size from which Rank splits the work over the
// cores.
const parallelRank = 20_000

// Rank returns the indices of names that match query, best first: exact,
// then prefix, then substring, then fuzzy (the query's characters in
// order) matches; ties keep list order. Case is ignored (lower are the
// names in lower case, for lists that keep them; nil computes them as
// needed). within, when not nil, limits the search to those indices: the
// result for a query this one extends, since a name that did not match a
// shorter query cannot match a longer one. An empty query matches all in
// list order.
func Rank(query string, names, lower []string, within []int) []int {
	n := len(names)
	if within != nil {
		n = len(within)
	}
	at := func(k int) int {
		if within != nil {
			return within[k]
		}
		return k
	}
	if query == "" {
		out := make([]int, n)
		for k := range n {
			out[k] = at(k)
		}
		slices.Sort(out)
		return out
	}
	q := strings.ToLower(query)
	name := func(i int) string {
		if lower != nil {
			return lower[i]
		}
		return names[i]
	}
	// Each part of the list is bucketed by class; the parts are joined in
	// order, so ties keep list order.
	parts := 1
	if n >= parallelRank {
		parts = runtime.GOMAXPROCS(0)
	}
	buckets := make([][classes][]int, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Go(func() {
			for k := lo; k < hi; k++ {
				i := at(k)
				s := name(i)
				if lower == nil && hasUpper(s) {
					s = strings.ToLower(s)
				}
				if c, ok := classify(s, q); ok {
					buckets[p][c] = append(buckets[p][c], i)
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for p := range parts {
		for c := range classes {
			total += len(buckets[p][c])
		}
	}
	out := make([]int, 0, total)
	for c := range classes {
		for p := range parts {
			out = append(out, buckets[p][c]...)
		}
	}
	return out
}

// classify is how s matches q, both in lower case.
func classify(s, q string) (int, bool) {
	switch {
	case s == q:
		return matchExact, true
	case strings.HasPrefix(s, q):
		return matchPrefix, true
	case strings.Contains(s, q):
		return matchSubstring, true
	case subsequence(s, q):
		return matchFuzzy, true
	}
	return 0, false
}

// subsequence reports whether q's characters appear in s in order.
func subsequence(s, q string) bool {
	for _, r := range q {
		i := strings.IndexRune(s, r)
		if i < 0 {
			return false
		}
		s = s[i+utf8.RuneLen(r):]
	}
	return true
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// Lower is names in lower case, for Rank.
func Lower(names []string) []string {
	out := make([]string, len(names))
	for i, s := range names {
		out[i] = s
		if hasUpper(s) {
			out[i] = strings.ToLower(s)
		}
	}
	return out
}

// Ranked is a filter's result for one query over one list: what Rank
// found, kept so that a longer query narrows it instead of the whole list.
type Ranked struct {
	Query string
	Shown []int
}

// Narrow is the indices a search for query may be limited to: the last
// result when query extends its query, else nil (the whole list).
func (r Ranked) Narrow(query string) []int {
	if r.Shown != nil && r.Query != "" && strings.HasPrefix(strings.ToLower(query), strings.ToLower(r.Query)) {
		// In list order, so that ties keep it.
		within := slices.Clone(r.Shown)
		slices.Sort(within)
		return within
	}
	return nil
}
