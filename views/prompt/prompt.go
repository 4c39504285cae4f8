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
	// Form, when set, makes the prompt a form of these fields (Label,
	// Value, Hint and Validate are then unused): tab and shift+tab move
	// between them, each is checked as it is typed, and enter on the last
	// submits them all — only when every one is valid — to OnSubmitForm.
	Form         []Field
	OnSubmitForm func(values []string) tea.Cmd
}

// Field is one line of a form.
type Field struct {
	Label, Value, Hint string
	Validate           func(string) error
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
	// A form's fields, their errors, and the one being typed in.
	inputs []textinput.Model
	errs   []error
	focus  int
}

// newInput is a focused one-line input holding value.
func newInput(value string) textinput.Model {
	in := textinput.New()
	in.Prompt = "> "
	in.SetValue(value)
	in.CursorEnd()
	in.SetVirtualCursor(true)
	// A steady cursor: no blink ticks while the prompt is open.
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}

// New opens a prompt for a request.
func New(req RequestMsg, styles *theme.Styles) *Model {
	in := newInput(req.Value)
	in.Focus()
	m := &Model{keys: DefaultKeyMap(), styles: styles, req: req, input: in}
	for _, f := range req.Form {
		m.inputs = append(m.inputs, newInput(f.Value))
	}
	m.errs = make([]error, len(req.Form))
	if len(m.inputs) > 0 {
		m.inputs[0].Focus()
	}
	m.validate()
	return m
}

func (m *Model) validate() {
	m.err = nil
	if m.req.Validate != nil {
		m.err = m.req.Validate(m.input.Value())
	}
	for i, f := range m.req.Form {
		m.errs[i] = nil
		if f.Validate != nil {
			m.errs[i] = f.Validate(m.inputs[i].Value())
		}
	}
}

// Values are a form's values as typed so far.
func (m *Model) Values() []string {
	out := make([]string, len(m.inputs))
	for i, in := range m.inputs {
		out[i] = in.Value()
	}
	return out
}

// formKey moves between a form's fields, submits it, or types.
func (m *Model) formKey(msg tea.Msg) tea.Cmd {
	move := func(to int) {
		m.inputs[m.focus].Blur()
		m.focus = (to + len(m.inputs)) % len(m.inputs)
		m.inputs[m.focus].Focus()
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Cancel):
			return func() tea.Msg { return ClosedMsg{Cancelled: true} }
		case k.String() == "tab" || k.String() == "down":
			move(m.focus + 1)
			return nil
		case k.String() == "shift+tab" || k.String() == "up":
			move(m.focus - 1)
			return nil
		case key.Matches(k, m.keys.Submit):
			for i, err := range m.errs {
				if err != nil {
					move(i)
					return nil
				}
			}
			if m.focus < len(m.inputs)-1 {
				move(m.focus + 1)
				return nil
			}
			run := m.req.OnSubmitForm(m.Values())
			return func() tea.Msg { return ClosedMsg{Cmd: run} }
		}
	}
	var cmd tea.Cmd
	m.inputs[m.focus], cmd = m.inputs[m.focus].Update(msg)
	m.validate()
	return cmd
}

// Value is the text as typed so far.
func (m *Model) Value() string { return m.input.Value() }

// Err is what is wrong with the value (nil when it can be submitted).
func (m *Model) Err() error { return m.err }

// Update edits the text or closes the prompt.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if len(m.inputs) > 0 {
		return m.formKey(msg)
	}
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
	for i := range m.inputs {
		m.inputs[i].SetWidth(max(w-4, 10))
	}
}

// View draws the prompt's content.
func (m *Model) View() string {
	inner := max(m.width, 20)
	lines := []string{m.styles.Title.Render(listnav.Truncate(m.req.Title, inner)), ""}
	if len(m.inputs) > 0 {
		for i, f := range m.req.Form {
			label := f.Label
			if i == m.focus {
				label = m.styles.Label.Render(label)
			}
			lines = append(lines, listnav.Truncate(label, inner), m.inputs[i].View())
			switch {
			case m.errs[i] != nil:
				lines = append(lines, m.styles.Danger.Render(listnav.Truncate(m.errs[i].Error(), inner)))
			case f.Hint != "" && i == m.focus:
				lines = append(lines, m.styles.Muted.Render(listnav.Truncate(f.Hint, inner)))
			}
		}
		return strings.Join(append(lines, "", m.styles.Muted.Render("tab next field · enter ok (on the last) · esc cancel")), "\n")
	}
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
