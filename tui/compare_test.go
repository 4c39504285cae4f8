package tui_test

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
)

// comparingLocal is an engine that compares its images with remote tags,
// recording what it was asked.
type comparingLocal struct {
	fakeRegistry
	asked *[]string
}

func (c comparingLocal) CompareRemote(_ context.Context, local, remote string, localFirst bool) (domain.Diff, error) {
	first := "remote"
	if localFirst {
		first = "local"
	}
	*c.asked = append(*c.asked, local+" | "+remote+" | "+first)
	l := domain.Details{Reference: local, ID: local, RepoTags: []string{"team/app:1.0"}, Local: &domain.LocalFacts{}, Layers: []domain.Layer{{Digest: "sha256:aa", Size: 10}}}
	r := domain.Details{Reference: remote, Digest: digestApp, Layers: []domain.Layer{{Digest: "sha256:bb", Size: 9}}}
	if localFirst {
		return domain.Diff{A: l, B: r, LayersRemoved: []domain.LayerChange{{Digest: "sha256:aa", Size: 10}}, LayersAdded: []domain.LayerChange{{Digest: "sha256:bb", Size: 9}}}, nil
	}
	return domain.Diff{A: r, B: l}, nil
}

// c on a local image, then c on a tag, compares the two across the sides;
// the other order too (the tag marked first is the left side).
func TestCompareAcrossTheSides(t *testing.T) {
	var asked []string
	f := fakeRegistry{}
	m := tui.New(tui.Options{Registry: "registry.example:5000", Label: "test", Remote: f, Local: comparingLocal{f, &asked}, Styles: theme.New(theme.Default(), true), Clock: fixedClock})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "1", "c")
	if s := screen(m); !strings.Contains(s, "marked local team/app:1.0") {
		t.Fatalf("c on a local image:\n%s", s)
	}
	press(m, "2", "enter") // open team/app: Tags has the focus
	press(m, "c")
	s := screen(m)
	if len(asked) != 1 || !strings.HasSuffix(asked[0], " | local") || !strings.Contains(asked[0], "registry.example:5000/team/app:") {
		t.Fatalf("asked %v", asked)
	}
	if !strings.Contains(s, "- local team/app:1.0") || !strings.Contains(s, "layers matched uncompressed") {
		t.Errorf("the comparison is not shown:\n%s", s)
	}
	// Tag first, then the image (esc: from Details back to the tags).
	press(m, "esc", "c")
	press(m, "1", "c")
	if len(asked) != 2 || !strings.HasSuffix(asked[1], " | remote") {
		t.Errorf("tag then image asked %v", asked)
	}
}
