package dialog_test

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/views/dialog"
	"github.com/wharf-dev/wharf/views/theme"
)

func key(s string) tea.KeyPressMsg {
	switch s {
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	}
	return tea.KeyPressMsg{Code: rune(s[0]), Text: s}
}

func closed(t *testing.T, cmd tea.Cmd) (bool, bool) {
	t.Helper()
	if cmd == nil {
		return false, false
	}
	c, ok := cmd().(dialog.ClosedMsg)
	return c.Confirmed, ok
}

// The default answer is no: enter says no until the user moves to yes.
func TestNoIsTheDefault(t *testing.T) {
	m := dialog.New("Delete x?", "it goes", "Delete", theme.New(theme.Default(), true))
	if yes, ok := closed(t, m.Update(key("enter"))); !ok || yes {
		t.Errorf("enter: closed=%v yes=%v, want a no", ok, yes)
	}
	m.Update(key("tab"))
	if yes, _ := closed(t, m.Update(key("enter"))); !yes {
		t.Error("tab then enter is not yes")
	}
	if yes, _ := closed(t, m.Update(key("y"))); !yes {
		t.Error("y is not yes")
	}
	if yes, ok := closed(t, m.Update(key("n"))); !ok || yes {
		t.Error("n is not no")
	}
}

// A body longer than the dialog scrolls, and says which lines show; long
// lines wrap whole instead of being cut.
func TestLongBodiesScrollAndWrap(t *testing.T) {
	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf("delete tag-%02d", i))
	}
	digest := "sha256:" + strings.Repeat("ab", 32)
	lines = append(lines, "put back reg.example/team/app:1 at "+digest)
	m := dialog.New("Delete 40 tags?", strings.Join(lines, "\n"), "Delete", theme.New(theme.Default(), true))
	m.SetSize(80, 20)
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "delete tag-00") || !strings.Contains(v, "lines 1–12 of 42 (↑↓ scroll)") {
		t.Fatalf("first screen:\n%s", v)
	}
	m.Update(key("down"))
	if v := ansi.Strip(m.View()); strings.Contains(v, "delete tag-00") || !strings.Contains(v, "lines 2–13 of 42") {
		t.Errorf("after ↓:\n%s", v)
	}
	for range 50 {
		m.Update(key("j"))
	}
	v = ansi.Strip(m.View())
	if !strings.Contains(v, digest) || !strings.Contains(v, "of 42") {
		t.Errorf("at the end the digest is not whole:\n%s", v)
	}
}
