package tui

import "charm.land/bubbles/v2/key"

// KeyMap are the keys that work whatever pane has focus.
type KeyMap struct {
	Quit, Next, Prev, Help, Dismiss key.Binding
	CancelJob, Interrupt, Jobs      key.Binding
	Errors                          key.Binding
	// Back goes up a level (as esc does, without dismissing an error);
	// Zoom shows the focused pane alone, full width.
	Back, Zoom key.Binding
	Focus      []key.Binding
}

// DefaultKeyMap returns the global keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Dismiss: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / dismiss")),
		// J shows every job with a line per layer.
		Jobs: key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "jobs, per layer")),
		// E shows the last errors whole.
		Errors: key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "errors, whole")),
		// ctrl+c quits even while a dialog or prompt has the keys.
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		// x cancels the newest running job, or clears finished ones.
		CancelJob: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel/clear jobs")),
		Back:      key.NewBinding(key.WithKeys("backspace"), key.WithHelp("backspace", "back")),
		Zoom:      key.NewBinding(key.WithKeys("z", "+"), key.WithHelp("z", "zoom")),
		Focus: []key.Binding{
			key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "local")),
			key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "repositories")),
			key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "tags")),
			key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "details")),
		},
	}
}

// ShortHelp is the global part of the key hint.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Next, k.Help, k.Quit} }

// FullHelp is the global section of the help page.
func (k KeyMap) FullHelp() [][]key.Binding {
	// The focus keys are one line: 1–4 in the order the help lists the views.
	focus := key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "focus a view"))
	return [][]key.Binding{{k.Next, k.Prev, k.Dismiss, k.Back, k.Zoom, focus, k.CancelJob, k.Jobs, k.Errors, k.Help, k.Quit}}
}
