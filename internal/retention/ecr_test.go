package retention

import (
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
)

// A policy as `aws ecr put-lifecycle-policy` takes it, with one rule of
// each kind wharf reads and three it cannot translate.
const ecrPolicy = `{"rules":[
 {"rulePriority":1,"description":"keep 2 releases","selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}},
 {"rulePriority":2,"description":"old builds","selection":{"tagStatus":"tagged","tagPatternList":["build-*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},
 {"rulePriority":3,"description":"untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}},
 {"rulePriority":4,"description":"both","selection":{"tagStatus":"tagged","tagPrefixList":["prod","stable"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},
 {"rulePriority":5,"description":"archive","selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":90},"action":{"type":"transition"}}
]}`

func TestECRLifecycleTranslation(t *testing.T) {
	rules, err := FromECRLifecycle(ecrPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 5 {
		t.Fatalf("%d rules", len(rules))
	}
	for i, want := range []string{"", "", "untagged", "a tag for each", "transition"} {
		r := rules[i]
		if want == "" && (r.Policy == nil || r.Why != "") || want != "" && (r.Policy != nil || !strings.Contains(r.Why, want)) {
			t.Errorf("rule %d: policy %v, not translated because %q (want %q)", r.Rule.Priority, r.Policy, r.Why, want)
		}
	}
	if !strings.Contains(rules[0].Says, "keep the newest 2 of images tagged v…") || !strings.Contains(rules[1].Says, "pushed more than 14 days ago") {
		t.Errorf("says %q / %q", rules[0].Says, rules[1].Says)
	}
	if _, err := FromECRLifecycle("{not json"); err == nil {
		t.Error("a broken policy was read")
	}
}

// The preview counts images, not tags (an image's tags go together), takes
// each image once by priority, and keeps what no rule selects.
func TestECRLifecyclePreview(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tag := func(name, digest string, age time.Duration) domain.RetainedTag {
		return domain.RetainedTag{Tag: name, Digest: "sha256:" + digest, Created: now.Add(-age), Size: 10}
	}
	tags := []domain.RetainedTag{
		tag("v3", "c", 1*day), tag("v3-stable", "c", 1*day), // one image, two tags under rule 1
		tag("v2", "b", 5*day), tag("v1", "a", 30*day), tag("v0", "z", 60*day),
		tag("build-7", "d", 3*day), tag("build-6", "e", 20*day),
		tag("dev", "f", 100*day),
	}
	rules, err := FromECRLifecycle(ecrPolicy)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanECR("repo", tags, rules, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, k := range plan.Keep {
		got[k.Tag] = "keep: " + k.Reason
	}
	for _, d := range plan.Delete {
		got[d.Tag] = "delete: " + d.Reason
	}
	for tag, want := range map[string]string{
		"v3": "keep: rule 1", "v3-stable": "keep: rule 1: one image with v3", "v2": "keep: rule 1",
		"v1": "delete: rule 1", "v0": "delete: rule 1",
		"build-7": "keep: rule 2", "build-6": "delete: rule 2",
		"dev": "keep: no rule selects it",
	} {
		if !strings.HasPrefix(got[tag], want) {
			t.Errorf("%s: %q, want %q…", tag, got[tag], want)
		}
	}
}
