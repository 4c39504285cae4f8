package retention

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
)

// ECRRule is one rule of an Amazon ECR lifecycle policy, as the policy's
// JSON has it.
type ECRRule struct {
	Priority    int    `json:"rulePriority"`
	Description string `json:"description"`
	Selection   struct {
		TagStatus      string   `json:"tagStatus"`
		TagPrefixList  []string `json:"tagPrefixList"`
		TagPatternList []string `json:"tagPatternList"`
		CountType      string   `json:"countType"`
		CountUnit      string   `json:"countUnit"`
		CountNumber    int      `json:"countNumber"`
	} `json:"selection"`
	Action struct {
		Type string `json:"type"`
	} `json:"action"`
}

// ECRTranslation is a rule as wharf's retention engine reads it: Policy
// (nil when the rule could not be translated, and Why says why), and what
// the rule says, for people.
type ECRTranslation struct {
	Rule   ECRRule `json:"rule"`
	Says   string  `json:"says"`
	Policy *Policy `json:"-"`
	Why    string  `json:"notTranslated,omitempty"`
}

// FromECRLifecycle translates an ECR lifecycle policy's rules, by priority:
// countType imageCountMoreThan (keep the newest N images, by push time) and
// sinceImagePushed (expire images pushed more than N days ago), tagStatus
// tagged (with one tagPrefixList or tagPatternList entry) or any, action
// expire. Untagged images (there is no tag to preview), several prefixes
// or patterns (ECR asks an image to carry a tag for each; the engine
// decides per tag) and other actions are said, not translated.
func FromECRLifecycle(text string) ([]ECRTranslation, error) {
	var pol struct {
		Rules []ECRRule `json:"rules"`
	}
	if err := json.Unmarshal([]byte(text), &pol); err != nil {
		return nil, fmt.Errorf("reading the lifecycle policy: %w", err)
	}
	slices.SortFunc(pol.Rules, func(a, b ECRRule) int { return a.Priority - b.Priority })
	out := make([]ECRTranslation, 0, len(pol.Rules))
	for _, r := range pol.Rules {
		out = append(out, translate(r))
	}
	return out, nil
}

func translate(r ECRRule) ECRTranslation {
	s := r.Selection
	t := ECRTranslation{Rule: r}
	var what string
	var match *regexp.Regexp
	switch {
	case s.TagStatus == "untagged":
		what = "untagged images"
	case len(s.TagPrefixList)+len(s.TagPatternList) > 1:
		what = "images carrying a tag for each of " + strings.Join(append(slices.Clone(s.TagPrefixList), s.TagPatternList...), ", ")
	case len(s.TagPrefixList) == 1:
		what = "images tagged " + s.TagPrefixList[0] + "…"
		match = regexp.MustCompile("^" + regexp.QuoteMeta(s.TagPrefixList[0]))
	case len(s.TagPatternList) == 1:
		what = "images tagged " + s.TagPatternList[0]
		match = ECRWildcard(s.TagPatternList[0])
	case s.TagStatus == "any":
		what = "all images"
	default:
		what = "tagged images"
	}
	switch s.CountType {
	case "imageCountMoreThan":
		t.Says = fmt.Sprintf("rule %d: keep the newest %d of %s (by push time), expire the rest", r.Priority, s.CountNumber, what)
	case "sinceImagePushed":
		t.Says = fmt.Sprintf("rule %d: expire %s pushed more than %d %s ago", r.Priority, what, s.CountNumber, s.CountUnit)
	default:
		t.Says = fmt.Sprintf("rule %d: %s by %s %d", r.Priority, what, s.CountType, s.CountNumber)
	}
	switch {
	case r.Action.Type != "" && r.Action.Type != "expire":
		t.Why = "its action is " + r.Action.Type + ", not expire"
	case s.TagStatus == "untagged":
		t.Why = "it selects untagged images, which have no tag to preview"
	case len(s.TagPrefixList)+len(s.TagPatternList) > 1:
		t.Why = "ECR selects an image only when it carries a tag for each prefix or pattern; wharf's engine decides tag by tag"
	case s.CountType == "imageCountMoreThan" && s.CountNumber > 0:
		t.Policy = &Policy{KeepNewest: s.CountNumber, By: domain.ByCreated, Match: match}
	case s.CountType == "sinceImagePushed" && s.CountNumber > 0 && (s.CountUnit == "days" || s.CountUnit == ""):
		t.Policy = &Policy{OlderThan: time.Duration(s.CountNumber) * 24 * time.Hour, By: domain.ByCreated, Match: match}
	default:
		t.Why = fmt.Sprintf("countType %q with countNumber %d is not one wharf reads", s.CountType, s.CountNumber)
	}
	return t
}

// ECRWildcard is ECR's tag wildcard (* any run of characters) as a
// regular expression.
func ECRWildcard(pattern string) *regexp.Regexp {
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// PlanECR previews translated rules on a repository's tags (Created being
// each image's push time), as ECR applies them: by priority, each rule over
// the images no earlier rule selected, counting images, not tags (an
// image's tags stay or go together). Untranslated rules are skipped. A tag
// no rule selects stays. latest stays too, as everywhere in wharf, which
// ECR would not spare: the reason says so.
func PlanECR(repository string, tags []domain.RetainedTag, rules []ECRTranslation, now time.Time) (domain.RetentionPlan, error) {
	plan := domain.RetentionPlan{Repository: repository}
	remaining := slices.Clone(tags)
	for _, tr := range rules {
		if tr.Policy == nil {
			continue
		}
		pol := *tr.Policy
		pol.Now = now
		// One tag stands for its image: the first by name.
		byDigest := map[string][]domain.RetainedTag{}
		var reps, rest []domain.RetainedTag
		for _, t := range remaining {
			if _, _, ok := domain.CosignSubject(t.Tag); !ok && pol.Match != nil && !pol.Match.MatchString(t.Tag) {
				rest = append(rest, t)
				continue
			}
			if _, ok := byDigest[t.Digest]; !ok {
				reps = append(reps, t)
			}
			byDigest[t.Digest] = append(byDigest[t.Digest], t)
		}
		pol.Match = nil
		sub, err := Plan(repository, reps, pol)
		if err != nil {
			return plan, err
		}
		prefix := fmt.Sprintf("rule %d: ", tr.Rule.Priority)
		expand := func(decided []domain.RetainedTag, into *[]domain.RetainedTag) {
			for _, t := range decided {
				for _, sib := range byDigest[t.Digest] {
					sib.Reason = prefix + t.Reason
					if sib.Tag != t.Tag {
						sib.Reason = prefix + "one image with " + t.Tag + ": " + t.Reason
					}
					if sib.Tag == "latest" || t.Tag == "latest" {
						sib.Reason += " (wharf never deletes latest; ECR would expire it with its image)"
					}
					*into = append(*into, sib)
				}
			}
		}
		expand(sub.Keep, &plan.Keep)
		expand(sub.Delete, &plan.Delete)
		remaining = rest
	}
	for _, t := range remaining {
		t.Reason = "no rule selects it"
		plan.Keep = append(plan.Keep, t)
	}
	return plan, nil
}
