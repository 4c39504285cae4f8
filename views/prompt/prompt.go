// Package prompt is the one-line input dialog actions ask through (a new
// tag, a destination): prefilled, validated as the user types, submitted
// with enter only when valid, cancelled with esc.
package prompt

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/views/listnav"
	"github.com/wharf-dev/wharf/views/theme"
)

// RequestMsg asks the root to open a prompt. OnSubmit builds the command
// to run with the value; Validate says what is wrong with a value (nil: it
// is fine).
type RequestMsg struct {
	Title    string
	Label    string
	Value    string
	Hint     string
	Validate func(string) error
	OnSubmit func(string) tea.Cmd
}

// ClosedMsg says the prompt closed; Cmd is what to run (nil when cancelled).
type ClosedMsg struct {
	Cmd       tea.Cmd
	Cancelled bool
}

// KeyMap are the prompt's keys (the rest edit the text).
type KeyMap struct {
	Submit, Cancel key.Binding
}

// DefaultKeyMap returns the prompt's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Model is an open prompt.
type Model struct {
	keys   KeyMap
	styles *theme.Styles
	req    RequestMsg
	input  textinput.Model
	err    error
	width  int
}

// New opens a prompt for a request.
func New(req RequestMsg, styles *theme.Styles) *Model {
	in := textinput.New()
	in.Prompt = "> "
	in.SetValue(req.Value)
	in.CursorEnd()
	in.Focus()
	in.SetVirtualCursor(true)
	// A steady cursor: no blink ticks while the prompt is open.
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	m := &Model{keys: DefaultKeyMap(), styles: styles, req: req, input: in}
	m.validate()
	return m
}

func (m *Model) validate() {
	m.err = nil
	if m.req.Validate != nil {
		m.err = m.req.Validate(m.input.Value())
	}
}

// Value is the text as typed so far.
func (m *Model) Value() string { return m.input.Value() }

// Err is what is wrong with the value (nil when it can be submitted).
func (m *Model) Err() error { return m.err }

// Update edits the text or closes the prompt.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Cancel):
			return func() tea.Msg { return ClosedMsg{Cancelled: true} }
		case key.Matches(k, m.keys.Submit):
			if m.err != nil {
				return nil
			}
			run := m.req.OnSubmit(m.input.Value())
			return func() tea.Msg { return ClosedMsg{Cmd: run} }
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.validate()
	return cmd
}

// SetSize is the width the prompt may use.
func (m *Model) SetSize(w, _ int) {
	m.width = w
	m.input.SetWidth(max(w-4, 10))
}

// View draws the prompt's content.
func (m *Model) View() string {
	inner := max(m.width, 20)
	lines := []string{m.styles.Title.Render(listnav.Truncate(m.req.Title, inner)), ""}
	if m.req.Label != "" {
		lines = append(lines, listnav.Truncate(m.req.Label, inner))
	}
	lines = append(lines, m.input.View())
	switch {
	case m.err != nil:
		lines = append(lines, m.styles.Danger.Render(listnav.Wrap(m.err.Error(), inner)))
	case m.req.Hint != "":
		lines = append(lines, m.styles.Muted.Render(listnav.Wrap(m.req.Hint, inner)))
	default:
		lines = append(lines, "")
	}
	lines = append(lines, "", m.styles.Muted.Render("enter ok · esc cancel"))
	return strings.Join(lines, "\n")
}
