package tui_test

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// indexRegistry is fakeRegistry whose team/app tags name an index of two
// platforms that share a base layer.
type indexRegistry struct{ fakeRegistry }

const (
	digestAMD = "sha256:a3d6000000000000000000000000000000000000000000000000000000000001"
	digestARM = "sha256:a4e8000000000000000000000000000000000000000000000000000000000002"
	layerBase = "sha256:ba5e000000000000000000000000000000000000000000000000000000000003"
)

func (indexRegistry) Describe(_ context.Context, ref string) (domain.Details, error) {
	return domain.Details{
		Reference: ref, Digest: digestApp, MediaType: "application/vnd.oci.image.index.v1+json", Size: 700,
		Platforms: []domain.Platform{
			{OS: "linux", Architecture: "amd64", Digest: digestAMD, Size: 480},
			{OS: "linux", Architecture: "arm64", Variant: "v8", Digest: digestARM, Size: 480},
		},
	}, nil
}

func (indexRegistry) PlatformImages(context.Context, string) ([]domain.PlatformImage, error) {
	ps := []domain.PlatformImage{
		{
			Platform: domain.Platform{OS: "linux", Architecture: "amd64", Digest: digestAMD}, Size: 31_000_000,
			Layers: []domain.Layer{{Digest: layerBase, Size: 30_000_000}, {Digest: "sha256:a3d6000000000000000000000000000000000000000000000000000000000011", Size: 1_000_000}},
		},
		{
			Platform: domain.Platform{OS: "linux", Architecture: "arm64", Variant: "v8", Digest: digestARM}, Size: 31_200_000,
			Layers: []domain.Layer{{Digest: layerBase, Size: 30_000_000}, {Digest: "sha256:a4e8000000000000000000000000000000000000000000000000000000000012", Size: 1_200_000}},
		},
	}
	domain.ShareLayers(ps)
	return ps, nil
}

// The multi-arch explorer: each platform's digest, size and shared layers
// in Details; the delete dialog and the copy prompt of the tag say they
// take the whole index.
func TestMultiArchExplorerGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		f, ch := indexRegistry{}, &fakeChanger{}
		m := tui.New(tui.Options{
			Registry: "registry.example:5000", Label: "test", Remote: struct {
				indexRegistry // and its platforms
				tags.Changer
			}{f, ch}, Local: f, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
		})
		start(t, m)
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		press(m, "enter", "j", "enter", "z") // Details of team/app:1.0, an index, zoomed
		s := screen(m)
		for _, want := range []string{"linux/amd64", "a3d600000000", "linux/arm64/v8", "1 shared (30MB)", "whole index"} {
			if !strings.Contains(s, want) && size[0] == 120 {
				t.Errorf("%v: %q not in the explorer:\n%s", size, want, s)
			}
		}
		golden.Assert(t, sizeName("platforms", size), s)
		press(m, "z", "esc", "d")
		if s := screen(m); !strings.Contains(s, "the whole index: 2 platforms (linux/amd64, linux/arm64/v8)") {
			t.Errorf("%v: the delete dialog does not say it takes the whole index:\n%s", size, s)
		}
		press(m, "n", "y")
		if s := screen(m); !strings.Contains(s, "copies the whole index") && size[0] == 120 {
			t.Errorf("%v: the copy prompt does not say it copies the whole index:\n%s", size, s)
		}
	}
}
