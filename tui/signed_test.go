package tui_test

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
)

// signedRegistry is fakeRegistry whose 0.9.0 image is signed and attested
// by cosign tags.
type signedRegistry struct{ fakeRegistry }

const digestSigned = "sha256:5e9d0000000000000000000000000000000000000000000000000000000000cc"

func (s signedRegistry) Tags(ctx context.Context, repo string) ([]string, error) {
	tags, err := s.fakeRegistry.Tags(ctx, repo)
	signed := strings.Replace(digestSigned, ":", "-", 1)
	return append(tags, signed+".sig", signed+".att"), err
}

func (s signedRegistry) Digests(ctx context.Context, repo string, tags []string, each func(domain.TagDigest)) error {
	return s.fakeRegistry.Digests(ctx, repo, tags, func(td domain.TagDigest) {
		if td.Tag == "0.9.0" {
			td.Digest = digestSigned
		}
		each(td)
	})
}

// The signed badge in the Tags pane, and the warning in the delete dialog
// of the image's only tag.
func TestSignedBadgeAndOrphanWarningGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		f, ch := signedRegistry{}, &fakeChanger{}
		m := tui.New(tui.Options{
			Registry: "registry.example:5000", Label: "test", Remote: changing{f, ch}, Local: f, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
		})
		start(t, m)
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		press(m, "enter")
		s := screen(m)
		if !strings.Contains(s, "sig+att") || strings.Contains(s, ".sig") || !strings.Contains(s, "2 signatures folded") && size[0] == 120 {
			t.Errorf("%v: the signature tags are not folded into a badge:\n%s", size, s)
		}
		golden.Assert(t, sizeName("signed_badge", size), s)
		press(m, "g", "d") // 0.9.0, the signed image's only tag
		s = screen(m)
		if !strings.Contains(s, "orphans them") {
			t.Errorf("%v: the delete dialog does not warn of orphaned signatures:\n%s", size, s)
		}
		golden.Assert(t, sizeName("delete_signed_dialog", size), s)
	}
}
