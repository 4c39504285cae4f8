// Package tui is wharf's root bubbletea model: it owns the layout, which pane
// has focus, the status bar and help, and routes messages — keys to the
// focused pane, results to the pane that asked. The panes themselves live in
// views; tui never talks to an engine or a registry itself.
package tui
