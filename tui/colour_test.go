package tui_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
)

// factsRegistry also says what each digest is, for the Tags columns.
type factsRegistry struct{ fakeRegistry }

func (factsRegistry) Facts(_ context.Context, _ string, digests []string, each func(string, domain.ImageFacts, error)) error {
	for _, d := range digests {
		f := domain.ImageFacts{Created: time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC), Size: 31_400_000, Platforms: []string{"linux/amd64", "linux/arm64"}}
		if d == digestOld {
			f = domain.ImageFacts{Created: time.Unix(0, 0), Size: 2_900_000, Platforms: []string{"linux/amd64"}}
		}
		each(d, f, nil)
	}
	return nil
}

// coloured is the screen as a 16-colour terminal shows it: the goldens
// keep the escape codes (`cat` a golden to see it), so focus, selection,
// danger and digest colours are checked, not only the text.
func coloured(m *tui.Model) string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.ANSI}
	_, _ = w.WriteString(m.View().Content)
	return b.String()
}

func newStyledApp(t *testing.T, remote tui.Remote, noColor bool, w, h int) *tui.Model {
	t.Helper()
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: remote, Local: fakeRegistry{},
		Styles: theme.New(theme.Default(), noColor), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// Every view in colour at both sizes: the repositories, the tags with
// their columns, Details in the panel's place, Local focused, help.
func TestGoldenViewsInColour(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := newStyledApp(t, factsRegistry{}, false, size[0], size[1])
		golden.Assert(t, sizeName("colour_repositories", size), coloured(m))
		press(m, "enter", "j")
		s := coloured(m)
		if size[0] == 120 && !strings.Contains(ansi.Strip(s), "SIZE") {
			t.Errorf("%v: the Tags pane has no size column:\n%s", size, ansi.Strip(s))
		}
		golden.Assert(t, sizeName("colour_tags", size), s)
		press(m, "enter")
		golden.Assert(t, sizeName("colour_details", size), coloured(m))
		press(m, "esc", "1")
		golden.Assert(t, sizeName("colour_local", size), coloured(m))
		press(m, "?")
		golden.Assert(t, sizeName("colour_help", size), coloured(m))
	}
}

// The Tags columns: size, age (or - for the epoch) and platforms of the
// rows on screen; the platforms go first when the pane narrows.
func TestTagsRowsCarrySizeCreatedPlatforms(t *testing.T) {
	m := newStyledApp(t, factsRegistry{}, true, 120, 40)
	press(m, "enter")
	s := screen(m)
	if !strings.Contains(s, "SIZE CREATED") || strings.Contains(s, "PLATFORMS") {
		t.Errorf("half of 120 columns: size and created, not platforms:\n%s", s)
	}
	press(m, "z") // the whole width: every column
	s = screen(m)
	for _, want := range []string{`SIZE CREATED PLATFORMS`, `0ld000000000\s+2\.9MB\s+-\s+linux/amd64`, `4b1d00000000 = 4\s+31\.4MB\s+13d 2: amd64…`} {
		if !regexp.MustCompile(want).MatchString(s) {
			t.Errorf("the zoomed Tags rows lack %q:\n%s", want, s)
		}
	}
}

var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-7]|9[0-7]|4[0-7]|10[0-7]|38;|48;)[0-9;]*m`)

// Under NO_COLOR focus still shows: the focused panel's title is reversed
// and marked ▶, and no colour is drawn at all.
func TestGoldenFocusWithoutColour(t *testing.T) {
	m := newStyledApp(t, fakeRegistry{}, true, 80, 24)
	s := coloured(m)
	if colourSGR.MatchString(s) {
		t.Errorf("NO_COLOR draws colours: %q", colourSGR.FindString(s))
	}
	focused := regexp.MustCompile(`\x1b\[[0-9;]*7[0-9;]*m▶ Remote`)
	if !focused.MatchString(s) || strings.Contains(ansi.Strip(s), "▶ Local") {
		t.Errorf("the focused Remote panel is not reversed and marked:\n%q", strings.SplitN(s, "\n", 2)[0])
	}
	golden.Assert(t, "no_colour_focus_80x24", s)
	press(m, "1")
	if s := ansi.Strip(coloured(m)); !strings.Contains(s, "▶ Local") || strings.Contains(s, "▶ Remote") {
		t.Errorf("1 did not move the focus mark to Local:\n%s", s)
	}
}

// longPrefixEngine has a dozen images whose names share a long registry
// and namespace, and differ only at their ends.
type longPrefixEngine struct{ fakeRegistry }

func (longPrefixEngine) Images(context.Context) (domain.LocalListing, error) {
	var l domain.LocalListing
	for i := range 12 {
		name := fmt.Sprintf("registry.internal.example.com:5000/platform-team/payments/service-%02d:1.%d.0", i, i)
		if i%3 == 0 {
			name = fmt.Sprintf("registry.internal.example.com:5000/platform-team/payments/service-settlement-batch-worker-%02d:1.0", i)
		}
		l.Images = append(l.Images, domain.LocalImage{
			ID: fmt.Sprintf("sha256:%02x%062d", i+1, 0), RepoTags: []string{name}, Size: int64(i+1) * 1_000_000,
			Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), // identical times: the order is by name
		})
	}
	return l, nil
}

// At 80×24 twelve images under one long prefix: the prefix goes to the
// panel's title, and no two rows read the same.
func TestGoldenLocalLongSharedPrefix(t *testing.T) {
	eng := longPrefixEngine{}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: eng, Local: eng,
		Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(m, "1")
	s := screen(m)
	if !strings.Contains(s, "Local › …") || !strings.Contains(s, "platform-team/payments/") {
		t.Errorf("the shared prefix is not in the Local panel's title:\n%s", s)
	}
	rows := map[string]int{}
	for _, line := range strings.Split(s, "\n")[3:15] {
		left, _, _ := strings.Cut(strings.TrimPrefix(line, "│"), "│")
		name := strings.Fields(left)[0]
		rows[name]++
		if strings.Contains(name, "registry.internal") {
			t.Errorf("a row repeats the shared prefix: %q", name)
		}
	}
	if len(rows) != 12 {
		t.Errorf("%d distinct rows of 12, some read the same: %v\n%s", len(rows), rows, s)
	}
	golden.Assert(t, "local_long_prefix_80x24", s)
}

// The delete dialog in colour: what it takes is drawn in danger red.
func TestGoldenDeleteDialogInColour(t *testing.T) {
	m := newStyledApp(t, changing{fakeRegistry{}, &fakeChanger{}}, false, 80, 24)
	press(m, "enter", "j", "d")
	s := coloured(m)
	if !strings.Contains(ansi.Strip(s), "Delete tag registry.example:5000/team/app:1.0?") || !regexp.MustCompile(`\x1b\[[0-9;]*31m`).MatchString(s) {
		t.Errorf("the delete dialog is not drawn with danger red:\n%s", ansi.Strip(s))
	}
	golden.Assert(t, "colour_delete_dialog_80x24", s)
}
