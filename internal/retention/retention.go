// Package retention decides which tags of a repository a retention policy
// keeps and which it deletes, and says why for each: pure functions over
// the tags' digests, creation times and sizes, which the caller reads from
// the registry. It deletes nothing itself.
package retention

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Policy says which tags of a repository to keep. A tag goes only
// when every rule lets it go:
//   - it matches Match (when set) and not Exclude (when set);
//   - it is not among the KeepNewest newest candidates (by By: semver — the
//     versions in version order, then the other tags newest first — or
//     created);
//   - with OlderThan, its image is older than that;
//   - no kept tag shares its digest.
type Policy struct {
	KeepNewest int
	By         domain.TagOrder
	OlderThan  time.Duration
	Match      *regexp.Regexp
	Exclude    *regexp.Regexp
	// Now is when "older than" is measured from (default: time.Now()).
	Now time.Time
}

// Check refuses a policy that would delete every tag, or ranks by what
// retention does not know.
func (pol Policy) Check() error {
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
	if err := pol.Check(); err != nil {
		return domain.RetentionPlan{}, err
	}
	if pol.By == "" {
		pol.By = domain.BySemver
	}
	if pol.Now.IsZero() {
		pol.Now = time.Now()
	}
	plan := domain.RetentionPlan{Repository: repository}
	var candidates []domain.RetainedTag
	for _, t := range all {
		switch {
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
	rankNewestFirst(candidates, pol.By)
	var gone []domain.RetainedTag
	for i, t := range candidates {
		age := pol.Now.Sub(t.Created)
		switch {
		case i < pol.KeepNewest:
			t.Reason = fmt.Sprintf("among the newest %d", pol.KeepNewest)
			plan.Keep = append(plan.Keep, t)
		case pol.OlderThan > 0 && t.Created.IsZero():
			t.Reason = "creation time unknown"
			plan.Keep = append(plan.Keep, t)
		case pol.OlderThan > 0 && age < pol.OlderThan:
			t.Reason = "newer than " + pol.OlderThan.String()
			plan.Keep = append(plan.Keep, t)
		default:
			t.Reason = olderReason(pol, i)
			gone = append(gone, t)
		}
	}
	keptBy := map[string]string{}
	for _, k := range plan.Keep {
		if _, ok := keptBy[k.Digest]; !ok {
			keptBy[k.Digest] = k.Tag
		}
	}
	for _, t := range gone {
		if by, ok := keptBy[t.Digest]; ok {
			t.Reason = "shares its digest with kept tag " + by
			plan.Keep = append(plan.Keep, t)
			continue
		}
		plan.Delete = append(plan.Delete, t)
	}
	return plan, nil
}

func olderReason(pol Policy, rank int) string {
	switch {
	case pol.KeepNewest > 0 && pol.OlderThan > 0:
		return fmt.Sprintf("number %d by %s, older than %s", rank+1, pol.By, pol.OlderThan)
	case pol.KeepNewest > 0:
		return fmt.Sprintf("number %d by %s; keeping %d", rank+1, pol.By, pol.KeepNewest)
	}
	return "older than " + pol.OlderThan.String()
}

// rankNewestFirst orders tags newest first: by version (non-versions after
// the versions, newest image first), or by the image's creation time.
func rankNewestFirst(tags []domain.RetainedTag, by domain.TagOrder) {
	versions := map[string]*semver.Version{}
	if by == domain.BySemver {
		for _, t := range tags {
			if v, err := semver.NewVersion(t.Tag); err == nil {
				versions[t.Tag] = v
			}
		}
	}
	sort.SliceStable(tags, func(i, j int) bool {
		vi, vj := versions[tags[i].Tag], versions[tags[j].Tag]
		switch {
		case vi != nil && vj != nil && !vi.Equal(vj):
			return vi.GreaterThan(vj)
		case vi != nil && vj == nil:
			return true
		case vi == nil && vj != nil:
			return false
		case !tags[i].Created.Equal(tags[j].Created):
			return tags[i].Created.After(tags[j].Created)
		}
		return tags[i].Tag < tags[j].Tag
	})
}
