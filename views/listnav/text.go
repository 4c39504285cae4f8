package listnav

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Truncate cuts s to width cells, ending in "…" when it was cut.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// Pad fills s with spaces to width cells.
func Pad(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// Wrap breaks s into lines of at most width cells, at spaces where it can:
// for messages (errors) that must be read whole in a narrow pane.
func Wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Wrap(s, width, " /")
}

// TruncateLeft cuts plain s to width cells from its start, beginning with
// "…" when it was cut: for names whose end tells them apart.
func TruncateLeft(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= width {
		return s
	}
	r := []rune(s)
	w := 1 // the "…"
	for i := len(r) - 1; i >= 0; i-- {
		w += lipgloss.Width(string(r[i]))
		if w > width {
			return "…" + string(r[i+1:])
		}
	}
	return s
}
