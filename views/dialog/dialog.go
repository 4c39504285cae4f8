// Package dialog is the one confirm dialog every destructive action goes
// through: a title, what will happen, and two buttons with "no" chosen
// until the user moves to "yes".
package dialog

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/views/listnav"
	"github.com/wharf-dev/wharf/views/theme"
)

// KeyMap are the dialog's keys.
type KeyMap struct {
	Yes, No, Toggle, Choose key.Binding
	// Up and Down scroll a body longer than the dialog.
	Up, Down key.Binding
}

// DefaultKeyMap returns the dialog's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Yes:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no")),
		Toggle: key.NewBinding(key.WithKeys("tab", "left", "right", "h", "l"), key.WithHelp("tab", "switch")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Up:     key.NewBinding(key.WithKeys("up", "k", "pgup"), key.WithHelp("↑", "scroll up")),
		Down:   key.NewBinding(key.WithKeys("down", "j", "pgdown"), key.WithHelp("↓", "scroll down")),
	}
}

// ClosedMsg says the dialog closed; Confirmed is true only for yes.
type ClosedMsg struct{ Confirmed bool }

// Model is an open confirm dialog.
type Model struct {
	keys                KeyMap
	styles              *theme.Styles
	title, body, action string
	yes                 bool
	width, height       int
	// top is the first body line shown when the body is longer than the
	// dialog.
	top int
}

// New opens a dialog; action labels the yes button.
func New(title, body, action string, styles *theme.Styles) *Model {
	return &Model{keys: DefaultKeyMap(), styles: styles, title: title, body: body, action: action}
}

// Update handles a key; the returned command reports the closing.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	closed := func(yes bool) tea.Cmd { return func() tea.Msg { return ClosedMsg{Confirmed: yes} } }
	switch {
	case key.Matches(k, m.keys.Yes):
		return closed(true)
	case key.Matches(k, m.keys.No):
		return closed(false)
	case key.Matches(k, m.keys.Toggle):
		m.yes = !m.yes
	case key.Matches(k, m.keys.Choose):
		return closed(m.yes)
	case key.Matches(k, m.keys.Up):
		m.top = max(m.top-m.step(k), 0)
	case key.Matches(k, m.keys.Down):
		m.top += m.step(k) // View keeps it in range
	}
	return nil
}

// step is how far a scroll key moves: a line, or a page.
func (m *Model) step(k tea.KeyPressMsg) int {
	if k.String() == "pgup" || k.String() == "pgdown" {
		return max(m.room()-1, 1)
	}
	return 1
}

// room is how many body lines the dialog shows at once.
func (m *Model) room() int { return max(m.height-7, 3) }

// SetSize is the space the dialog may use.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// View draws the dialog box's content.
func (m *Model) View() string {
	inner := max(m.width-2, 20)
	no, yes := " No ", " "+m.action+" "
	if m.yes {
		yes = m.styles.Selected.Render(yes)
		no = "[" + no + "]"
	} else {
		no = m.styles.Selected.Render(no)
		yes = m.styles.Danger.Render(yes)
	}
	lines := []string{m.styles.Title.Render(listnav.Truncate(m.title, inner)), ""}
	// Wrapped, not cut: a dialog names digests and reasons whole.
	var body []string
	for _, l := range strings.Split(m.body, "\n") {
		body = append(body, strings.Split(listnav.Wrap(l, inner), "\n")...)
	}
	if room := m.room(); len(body) > room {
		// Scrolled: a line says where, and that ↑↓ move.
		m.top = min(m.top, len(body)-room+1)
		shown := body[m.top : m.top+room-1]
		where := fmt.Sprintf("… lines %d–%d of %d (↑↓ scroll)", m.top+1, m.top+len(shown), len(body))
		body = append(slices.Clone(shown), m.styles.Muted.Render(where))
	}
	for _, l := range body {
		lines = append(lines, listnav.Truncate(l, inner))
	}
	lines = append(lines, "", no+"   "+yes, m.styles.Muted.Render("y yes · n/esc no · tab switch · enter choose"))
	return strings.Join(lines, "\n")
}
