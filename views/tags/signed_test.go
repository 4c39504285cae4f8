package tags_test

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// cosignTag is the companion tag cosign writes next to digest.
func cosignTag(digest, suffix string) string {
	return strings.Replace(digest, ":", "-", 1) + suffix
}

// Cosign's companion tags are folded under their image: not listed as
// tags, not resolved, shown as a badge; the referrers API adds to it.
func TestSignatureTagsFoldUnderTheirImage(t *testing.T) {
	src := &fakeSource{
		tags: map[string][]string{"r/app": {
			"1.0", "latest", "0.9",
			cosignTag(dA, ".sig"), cosignTag(dA, ".att"), cosignTag(dB, ".sbom"),
		}},
		digests: map[string]string{"1.0": dA, "latest": dA, "0.9": dB},
	}
	m := tags.New(src, &fakeChanger{src: src, repo: "r/app"}, theme.New(theme.Default(), true))
	m.SetSize(70, 10)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	view := ansi.Strip(m.View())
	if got := rowTags(m); strings.Join(got, " ") != "latest 1.0 0.9" && strings.Join(got, " ") != "0.9 1.0 latest" {
		t.Errorf("rows %v, want only the three ordinary tags:\n%s", got, view)
	}
	if strings.Contains(view, ".sig") || !strings.Contains(view, "3 tags · 2 images") || !strings.Contains(view, "3 signatures folded") {
		t.Errorf("companion tags listed, or the title does not count them:\n%s", view)
	}
	for _, line := range strings.Split(view, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "1.0", "latest":
			if !strings.HasSuffix(line, "sig+att") {
				t.Errorf("signed and attested image: %q", line)
			}
		case "0.9":
			if !strings.HasSuffix(line, "sbom") {
				t.Errorf("image with an SBOM: %q", line)
			}
		}
	}

	// The referrers API says 0.9 is signed too.
	m.Update(views.ReferredMsg{Reference: "r/app:0.9", Referrers: []domain.Referrer{{Kind: domain.KindSignature}, {Kind: "artifact"}}})
	if !strings.Contains(ansi.Strip(m.View()), "sig+sbom") {
		t.Errorf("a referrers-API signature did not reach the badge:\n%s", ansi.Strip(m.View()))
	}
}

// Deleting the last tag of a signed image warns that its signature tags
// are orphaned; deleting one of several tags does not.
func TestDeleteDialogWarnsOfOrphanedSignatures(t *testing.T) {
	src := &fakeSource{
		tags:    map[string][]string{"r/app": {"1.0", "latest", "0.9", cosignTag(dA, ".sig"), cosignTag(dB, ".sig"), cosignTag(dB, ".att")}},
		digests: map[string]string{"1.0": dA, "latest": dA, "0.9": dB},
	}
	m := tags.New(src, &fakeChanger{src: src, repo: "r/app"}, theme.New(theme.Default(), true))
	m.SetSize(70, 10)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	var outside []tea.Msg
	body := func(tag string) string {
		t.Helper()
		m.Update(key("g"))
		for i := 0; i < 3; i++ {
			if r := rowTags(m); len(r) > i && r[i] == tag {
				break
			}
			m.Update(key("j"))
		}
		run(t, m, &outside, m.Update(key("d")))
		d, ok := lastOf[views.ConfirmRequestMsg](outside)
		if !ok || !strings.Contains(d.Title, tag) {
			t.Fatalf("no delete dialog for %s: %+v", tag, d)
		}
		return d.Body
	}
	b := body("0.9")
	for _, want := range []string{"orphans them", cosignTag(dB, ".sig"), cosignTag(dB, ".att"), "sig+att"} {
		if !strings.Contains(b, want) {
			t.Errorf("deleting the last tag of a signed image: %q lacks %q", b, want)
		}
	}
	if b := body("1.0"); strings.Contains(b, "orphan") {
		t.Errorf("deleting one of two tags warns of orphans: %q", b)
	}
}

// A digest shared by more tags than the SAME column is wide still renders
// its badge.
func TestBadgeAfterAWideSameCount(t *testing.T) {
	tags := []string{cosignTag(dA, ".sig")}
	digests := map[string]string{}
	for i := range 10_001 {
		tag := fmt.Sprintf("t%05d", i)
		tags, digests[tag] = append(tags, tag), dA
	}
	src := &fakeSource{tags: map[string][]string{"r/app": tags}, digests: digests}
	m := newPane(t, src)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 20_000)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "= 10001 sig") {
		t.Errorf("badge after a five-digit count:\n%s", v)
	}
}
