// Package retention decides which tags of a repository a retention policy
// keeps and which it deletes, and says why for each, as a release manager
// would: releases above pre-releases, build numbers in counting order,
// latest and protected tags never, an image's signatures and referrers
// with their image. Pure functions over the tags' digests, creation times
// and sizes, which the caller reads from the registry; it deletes nothing.
package retention

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Policy is domain.RetentionPolicy: a tag goes only when every rule lets it
// go —
//   - it is not latest and matches no Protect pattern;
//   - it matches Match (when set) and not Exclude (when set);
//   - it is not among the KeepNewest newest candidates (see rank);
//   - with OlderThan, its image is older than that;
//   - no kept tag shares its digest.
//
// Companion tags (cosign's sha256-<hex>.sig/.att/.sbom, the referrers tag
// schema's sha256-<hex>) are no candidates: they stay when their image
// stays and go with it when it goes.
type Policy = domain.RetentionPolicy

// latest is the tag retention never deletes.
var latest = regexp.MustCompile(`^latest$`)

// Check refuses a policy that would delete every tag, or ranks by what
// retention does not know.
func Check(pol Policy) error {
	if pol.KeepNewest <= 0 && pol.OlderThan <= 0 {
		return errors.New("a retention policy needs --keep N or --older-than D (or both); without either it would delete every tag")
	}
	if pol.By != "" && pol.By != domain.BySemver && pol.By != domain.ByCreated {
		return fmt.Errorf("retention ranks by %q or %q, not %q", domain.BySemver, domain.ByCreated, pol.By)
	}
	return nil
}

// Plan evaluates a policy over a repository's tags (each with its digest,
// creation time and size): which would go and which stay, each with the
// reason. It changes nothing.
func Plan(repository string, all []domain.RetainedTag, pol Policy) (domain.RetentionPlan, error) {
	if err := Check(pol); err != nil {
		return domain.RetentionPlan{}, err
	}
	if pol.By == "" {
		pol.By = domain.BySemver
	}
	if pol.Now.IsZero() {
		pol.Now = time.Now()
	}
	plan := domain.RetentionPlan{Repository: repository}
	var candidates, companions []domain.RetainedTag
	for _, t := range all {
		if _, _, ok := domain.CosignSubject(t.Tag); ok {
			companions = append(companions, t)
			continue
		}
		switch {
		case latest.MatchString(t.Tag):
			t.Reason = "latest is never deleted"
			plan.Keep = append(plan.Keep, t)
		case protectedBy(pol, t.Tag) != "":
			t.Reason = "protected by " + protectedBy(pol, t.Tag)
			plan.Keep = append(plan.Keep, t)
		case pol.Match != nil && !pol.Match.MatchString(t.Tag):
			t.Reason = "does not match " + pol.Match.String()
			plan.Keep = append(plan.Keep, t)
		case pol.Exclude != nil && pol.Exclude.MatchString(t.Tag):
			t.Reason = "excluded by " + pol.Exclude.String()
			plan.Keep = append(plan.Keep, t)
		default:
			candidates = append(candidates, t)
		}
	}
	ranked := rank(candidates, pol)
	var gone []domain.RetainedTag
	counted := 0
	for _, r := range ranked {
		t := r.tag
		age := pol.Now.Sub(t.Created)
		switch {
		case r.counts && counted < pol.KeepNewest:
			counted++
			t.Reason = fmt.Sprintf("among the newest %d (%s)", pol.KeepNewest, r.what(counted))
			plan.Keep = append(plan.Keep, t)
			continue
		case pol.OlderThan > 0 && t.Created.IsZero():
			t.Reason = "creation time unknown"
			plan.Keep = append(plan.Keep, t)
			continue
		case pol.OlderThan > 0 && age < pol.OlderThan:
			t.Reason = "newer than " + pol.OlderThan.String()
			plan.Keep = append(plan.Keep, t)
			continue
		}
		switch {
		case !r.counts && pol.KeepNewest > 0:
			t.Reason = "pre-release: not among the newest (--include-prerelease counts them)"
		case pol.KeepNewest > 0 && pol.OlderThan > 0:
			t.Reason = fmt.Sprintf("not among the newest %d, older than %s", pol.KeepNewest, pol.OlderThan)
		case pol.KeepNewest > 0:
			t.Reason = fmt.Sprintf("not among the newest %d", pol.KeepNewest)
		default:
			t.Reason = "older than " + pol.OlderThan.String()
		}
		gone = append(gone, t)
	}
	keptBy := map[string]string{}
	for _, k := range plan.Keep {
		if _, ok := keptBy[k.Digest]; !ok {
			keptBy[k.Digest] = k.Tag
		}
	}
	deletedBy := map[string]string{}
	for _, t := range gone {
		if by, ok := keptBy[t.Digest]; ok {
			t.Reason = "shares its digest with kept tag " + by
			plan.Keep = append(plan.Keep, t)
			continue
		}
		if _, ok := deletedBy[t.Digest]; !ok {
			deletedBy[t.Digest] = t.Tag
		}
		plan.Delete = append(plan.Delete, t)
	}
	// Companions live and die with their image.
	for _, t := range companions {
		subject, kind, _ := domain.CosignSubject(t.Tag)
		if by, ok := keptBy[subject]; ok {
			t.Reason = kind + " of kept " + by
			plan.Keep = append(plan.Keep, t)
		} else if by, ok := deletedBy[subject]; ok {
			t.Reason = kind + " of deleted " + by + ": goes with its image"
			plan.Delete = append(plan.Delete, t)
		} else {
			t.Reason = kind + " of an image no tag here names: left alone"
			plan.Keep = append(plan.Keep, t)
		}
	}
	return plan, nil
}

func protectedBy(pol Policy, tag string) string {
	for _, p := range pol.Protect {
		if p.MatchString(tag) {
			return p.String()
		}
	}
	return ""
}

// ranked is a candidate in retention's order, and whether it counts among
// the newest N.
type ranked struct {
	tag    domain.RetainedTag
	class  int // 0 release, 1 pre-release, 2 not a version
	counts bool
	by     domain.TagOrder
}

// what says how a kept tag ranked ("newest release 2", "by created 3").
func (r ranked) what(n int) string {
	switch {
	case r.by == domain.ByCreated:
		return fmt.Sprintf("number %d by created", n)
	case r.class == 2:
		return fmt.Sprintf("number %d: not a version, by created then build number", n)
	}
	return fmt.Sprintf("number %d by version", n)
}

// rank orders tags newest first, as a release manager would. By semver:
// releases by version, then (counting toward the newest N only with
// IncludePrerelease) pre-releases by version, then the tags that are not
// versions by their image's creation time, then in natural order
// (build-10 before build-9). By created: the image's creation time, then
// natural order. Ties go by name: the order is total.
func rank(tags []domain.RetainedTag, pol Policy) []ranked {
	out := make([]ranked, len(tags))
	versions := make([]*semver.Version, len(tags))
	for i, t := range tags {
		out[i] = ranked{tag: t, class: 2, counts: true, by: pol.By}
		if pol.By != domain.BySemver {
			continue
		}
		v, err := semver.NewVersion(t.Tag)
		if err != nil {
			continue
		}
		versions[i], out[i].class = v, 0
		if v.Prerelease() != "" && !pol.IncludePrerelease {
			out[i].class, out[i].counts = 1, false
		}
	}
	idx := make([]int, len(tags))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		i, j := idx[a], idx[b]
		ri, rj := out[i], out[j]
		if ri.class != rj.class {
			return ri.class < rj.class
		}
		if vi, vj := versions[i], versions[j]; vi != nil && vj != nil && !vi.Equal(vj) {
			return vi.GreaterThan(vj)
		}
		if ti, tj := ri.tag.Created, rj.tag.Created; !ti.Equal(tj) {
			return ti.After(tj)
		}
		if ri.tag.Tag != rj.tag.Tag && !strings.EqualFold(ri.tag.Tag, rj.tag.Tag) {
			return domain.NaturalLess(rj.tag.Tag, ri.tag.Tag)
		}
		return ri.tag.Tag < rj.tag.Tag
	})
	sorted := make([]ranked, len(out))
	for k, i := range idx {
		sorted[k] = out[i]
	}
	return sorted
}
