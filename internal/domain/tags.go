package domain

import (
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// TagOrder is how tags are sorted.
type TagOrder string

// Tag orders.
const (
	// BySemver: versions in version order (1.9 before 1.10, 1.0.0-rc.1
	// before 1.0.0), then the other tags by name.
	BySemver TagOrder = "semver"
	ByName   TagOrder = "name"
	// ByCreated: by the image's creation time, oldest first (the tags of
	// images not described yet last).
	ByCreated TagOrder = "created"
)

// SortTags sorts tags in place, ascending.
func SortTags(tags []string, order TagOrder) {
	if order != BySemver {
		sort.Strings(tags)
		return
	}
	versions := make(map[string]*semver.Version, len(tags))
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
			// 1.0 and 1.0.0 are equal versions: the shorter spelling first.
			return len(tags[i]) < len(tags[j]) || len(tags[i]) == len(tags[j]) && strings.Compare(tags[i], tags[j]) < 0
		case vi != nil:
			return true
		case vj != nil:
			return false
		}
		return NaturalLess(tags[i], tags[j])
	})
}

// NaturalLess orders names as people count: runs of digits by their value
// (build-9 before build-10), the rest by bytes; equal values by spelling.
func NaturalLess(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			ei, ej := i, j
			for ei < len(a) && isDigit(a[ei]) {
				ei++
			}
			for ej < len(b) && isDigit(b[ej]) {
				ej++
			}
			na, nb := strings.TrimLeft(a[i:ei], "0"), strings.TrimLeft(b[j:ej], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			i, j = ei, ej
			continue
		}
		if ca != cb {
			return ca < cb
		}
		i++
		j++
	}
	if len(a)-i != len(b)-j {
		return len(a)-i < len(b)-j
	}
	return a < b
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// SortTagsByCreated sorts tags oldest first by their image's creation time;
// tags whose time is not known go last, by name.
func SortTagsByCreated(tags []string, created map[string]time.Time) {
	sort.SliceStable(tags, func(i, j int) bool {
		ti, iok := created[tags[i]]
		tj, jok := created[tags[j]]
		switch {
		case iok && jok && !ti.Equal(tj):
			return ti.Before(tj)
		case iok != jok:
			return iok
		}
		return NaturalLess(tags[i], tags[j])
	})
}

// Groups gathers tags that share a digest — which tags are really the same
// image — largest group first; tags whose digest failed are left out.
// Companion tags (signatures, attestations, SBOMs, referrers) are no image
// of their own: they fold under their image's group as its Signed badge.
func Groups(tds []TagDigest) []DigestGroup {
	byDigest := map[string][]string{}
	kinds := map[string]map[string]bool{}
	for _, td := range tds {
		if subject, kind, ok := CosignSubject(td.Tag); ok {
			if kinds[subject] == nil {
				kinds[subject] = map[string]bool{}
			}
			kinds[subject][kind] = true
			continue
		}
		if td.Err == nil && td.Digest != "" {
			byDigest[td.Digest] = append(byDigest[td.Digest], td.Tag)
		}
	}
	out := make([]DigestGroup, 0, len(byDigest))
	for d, tags := range byDigest {
		SortTags(tags, BySemver)
		out = append(out, DigestGroup{Digest: d, Tags: tags, Signed: Badge(kinds[d])})
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Tags) != len(out[j].Tags) {
			return len(out[i].Tags) > len(out[j].Tags)
		}
		return out[i].Digest < out[j].Digest
	})
	return out
}
