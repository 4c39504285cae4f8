package domain

import (
	"cmp"
	"slices"
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
	// Each tag is parsed once; the sort compares what was parsed.
	keys := make([]versionKey, len(tags))
	for i, t := range tags {
		keys[i] = parseVersionKey(t)
	}
	// Every tie is broken (by spelling), so the order is total and an
	// unstable sort gives the same result as a stable one. Indices are
	// sorted, not the keys: a swap moves four bytes, not a whole key.
	idx := make([]int32, len(keys))
	for i := range idx {
		idx[i] = int32(i) //nolint:gosec // a tag list is far below 2^31
	}
	slices.SortFunc(idx, func(i, j int32) int { return compareVersionKeys(&keys[i], &keys[j]) })
	for i, k := range idx {
		tags[i] = keys[k].tag
	}
}

// compareVersionKeys is the semver order: versions by number (a
// pre-release before its release, ordered as semver does; equal versions
// by the shorter spelling, then the spelling), then the other tags as
// people count.
func compareVersionKeys(a, b *versionKey) int {
	switch {
	case a.version && b.version:
		if a.fits && b.fits {
			if a.packed != b.packed {
				return cmp.Compare(a.packed, b.packed)
			}
		} else if c := cmp.Or(cmp.Compare(a.major, b.major), cmp.Compare(a.minor, b.minor), cmp.Compare(a.patch, b.patch)); c != 0 {
			return c
		}
		switch {
		case a.pre != nil && b.pre != nil:
			if c := a.pre.Compare(b.pre); c != 0 {
				return c
			}
		case a.pre != nil:
			return -1
		case b.pre != nil:
			return 1
		}
		return cmp.Or(cmp.Compare(len(a.tag), len(b.tag)), strings.Compare(a.tag, b.tag))
	case a.version:
		return -1
	case b.version:
		return 1
	}
	switch {
	case NaturalLess(a.tag, b.tag):
		return -1
	case NaturalLess(b.tag, a.tag):
		return 1
	}
	return strings.Compare(a.tag, b.tag)
}

// versionKey is a tag as the semver order reads it.
type versionKey struct {
	tag     string
	version bool
	// packed is major, minor and patch in one number when each fits in 21
	// bits (fits): one comparison orders most pairs.
	fits                bool
	packed              uint64
	major, minor, patch uint64
	// pre is the parsed version when it has a pre-release or build part
	// (only then is semver's own comparison needed).
	pre *semver.Version
}

// pack puts major, minor and patch in one number when they fit.
func (k *versionKey) pack() {
	const limit = 1 << 21
	if k.major < limit && k.minor < limit && k.patch < limit {
		k.fits, k.packed = true, k.major<<42|k.minor<<21|k.patch
	}
}

// parseVersionKey reads a tag: plain N[.N[.N]] directly, anything else
// that may be a version through semver (v1.2.3, 1.2.3-rc.1, 1.2+build).
func parseVersionKey(t string) versionKey {
	k := versionKey{tag: t}
	if !looksLikeVersion(t) {
		return k
	}
	if nums, ok := plainVersion(strings.TrimPrefix(t, "v")); ok {
		k.version, k.major, k.minor, k.patch = true, nums[0], nums[1], nums[2]
		k.pack()
		return k
	}
	v, err := semver.NewVersion(t)
	if err != nil {
		return k
	}
	k.version, k.major, k.minor, k.patch = true, v.Major(), v.Minor(), v.Patch()
	k.pack()
	if v.Prerelease() != "" {
		k.pre = v
	}
	return k
}

// plainVersion reads N, N.N or N.N.N (decimal, no sign) as semver would.
func plainVersion(t string) ([3]uint64, bool) {
	var nums [3]uint64
	part := 0
	digits := 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case isDigit(c):
			if digits == 19 { // may overflow: let semver decide
				return nums, false
			}
			nums[part] = nums[part]*10 + uint64(c-'0')
			digits++
		case c == '.' && digits > 0 && part < 2:
			part, digits = part+1, 0
		default:
			return nums, false
		}
	}
	return nums, digits > 0
}

// looksLikeVersion: a tag semver could read starts with a digit, or v and
// a digit (it skips the parse of latest, sha-…, main, …).
func looksLikeVersion(t string) bool {
	if len(t) > 1 && (t[0] == 'v' || t[0] == 'V') {
		t = t[1:]
	}
	return t != "" && isDigit(t[0])
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
