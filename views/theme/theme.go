// Package theme turns a palette into the one set of styles every pane uses.
// It is the only package that calls lipgloss.NewStyle. Colours are the
// terminal's own ANSI palette, so they follow light and dark themes; with
// NO_COLOR set every style is plain.
package theme

import (
	"hash/fnv"
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Theme is a palette.
type Theme struct {
	Accent, Muted, Danger, OK, Warn color.Color
	// Markers colour digests: the same digest gets the same colour everywhere.
	Markers []color.Color
}

// Default is the ANSI palette theme.
func Default() Theme {
	return Theme{
		Accent: lipgloss.Color("4"), Muted: lipgloss.Color("8"), Danger: lipgloss.Color("1"),
		OK: lipgloss.Color("2"), Warn: lipgloss.Color("3"),
		Markers: []color.Color{
			lipgloss.Color("5"), lipgloss.Color("6"), lipgloss.Color("3"), lipgloss.Color("2"),
			lipgloss.Color("4"), lipgloss.Color("13"), lipgloss.Color("14"), lipgloss.Color("11"),
		},
	}
}

// Colours replaces the palette's colours that are set: ANSI numbers
// ("4", "208") or hex ("#ff8800"); "" keeps the default.
func (t Theme) Colours(accent, muted, danger, ok, warn string) Theme {
	for _, c := range []struct {
		to   *color.Color
		from string
	}{{&t.Accent, accent}, {&t.Muted, muted}, {&t.Danger, danger}, {&t.OK, ok}, {&t.Warn, warn}} {
		if c.from != "" {
			*c.to = lipgloss.Color(c.from)
		}
	}
	return t
}

// Styles are the styles the views use.
type Styles struct {
	NoColor      bool
	Pane         lipgloss.Style
	FocusedPane  lipgloss.Style
	Title        lipgloss.Style
	FocusedTitle lipgloss.Style
	Selected     lipgloss.Style
	Muted        lipgloss.Style
	Danger       lipgloss.Style
	OK           lipgloss.Style
	Label        lipgloss.Style
	StatusBar    lipgloss.Style
	StatusError  lipgloss.Style
	// Border draws a panel's top edge around its title; PanelTitle is that
	// title, FocusedPanelTitle the focused panel's (reversed, so focus shows
	// without colour too).
	Border, FocusedBorder         lipgloss.Style
	PanelTitle, FocusedPanelTitle lipgloss.Style
	Help                          help.Styles
	markerStyles                  []lipgloss.Style
	plainMarker                   lipgloss.Style
}

// New builds the styles for a theme; noColor drops every colour (NO_COLOR).
func New(t Theme, noColor bool) *Styles {
	base := lipgloss.NewStyle()
	border := base.Border(lipgloss.RoundedBorder())
	s := &Styles{
		NoColor:      noColor,
		Pane:         border,
		FocusedPane:  border,
		Title:        base.Bold(true),
		FocusedTitle: base.Bold(true).Underline(true),
		Selected:     base.Reverse(true),
		Muted:        base,
		Danger:       base.Bold(true),
		OK:           base,
		Label:        base.Bold(true),
		StatusBar:    base,
		StatusError:  base.Bold(true),
		plainMarker:  base,

		Border: base, FocusedBorder: base,
		PanelTitle: base, FocusedPanelTitle: base.Bold(true).Reverse(true),
	}
	if noColor {
		s.Help = help.Styles{
			ShortKey: base, ShortDesc: base, ShortSeparator: base, Ellipsis: base,
			FullKey: base, FullDesc: base, FullSeparator: base,
		}
		return s
	}
	s.Help = help.DefaultDarkStyles()
	s.Help.ShortKey = base.Foreground(t.Accent)
	s.Help.FullKey = base.Foreground(t.Accent)
	s.Help.ShortDesc = base.Foreground(t.Muted)
	s.Help.FullDesc = base
	s.Help.ShortSeparator = base.Foreground(t.Muted)
	s.Help.FullSeparator = base.Foreground(t.Muted)
	s.Help.Ellipsis = base.Foreground(t.Muted)
	s.Pane = border.BorderForeground(t.Muted)
	s.FocusedPane = border.BorderForeground(t.Accent)
	s.Border = base.Foreground(t.Muted)
	s.FocusedBorder = base.Foreground(t.Accent)
	s.FocusedPanelTitle = base.Bold(true).Reverse(true).Foreground(t.Accent)
	s.FocusedTitle = base.Bold(true).Foreground(t.Accent)
	s.Muted = base.Foreground(t.Muted)
	s.Danger = base.Bold(true).Foreground(t.Danger)
	s.OK = base.Foreground(t.OK)
	s.StatusError = base.Bold(true).Foreground(t.Danger)
	for _, c := range t.Markers {
		s.markerStyles = append(s.markerStyles, base.Foreground(c))
	}
	return s
}

// Marker is the style for a digest: one colour per digest, the same in
// every pane.
func (s *Styles) Marker(digest string) lipgloss.Style {
	if len(s.markerStyles) == 0 {
		return s.plainMarker
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(digest))
	return s.markerStyles[int(h.Sum32())%len(s.markerStyles)]
}
