// Package views holds one bubbletea component per pane, each in its own
// package (repos, tags, details) with its KeyMap, messages and tests. A view
// declares the narrow interface it needs (a repository lister, a tag source)
// and receives internal/domain types; it never imports the engine or
// registry clients. I/O happens only in the commands a view returns.
package views

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Component is a pane: not a full program, the root routes messages to it
// and owns the layout. Update mutates the component in place (the root holds
// a pointer; only bubbletea's goroutine ever touches it).
type Component interface {
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	SetFocused(focused bool)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// ConfirmRequestMsg asks the root to show the confirm dialog; OnConfirm runs
// only when the user says yes (the default answer is no).
type ConfirmRequestMsg struct {
	Title     string
	Body      string
	Action    string // the yes button's label, e.g. "Remove 2 images"
	OnConfirm tea.Cmd
}

// StatusMsg puts a line in the status bar: a result, or an error (Err).
type StatusMsg struct {
	Text string
	Err  error
}

// Status is a command that puts text in the status bar.
func Status(text string) tea.Cmd { return func() tea.Msg { return StatusMsg{Text: text} } }

// Failed is a command that shows err in the status bar.
func Failed(err error) tea.Cmd { return func() tea.Msg { return StatusMsg{Err: err} } }

// Capturer is a pane that sometimes takes every key (while a filter is
// typed); the root then passes it the keys it would handle itself.
type Capturer interface {
	Capturing() bool
}

// Clearer is a pane with something esc undoes first (a filter, a level
// drilled into); Clear reports whether there was something, and what to
// run for it.
type Clearer interface {
	Clear() (bool, tea.Cmd)
}

// Clicker is a pane whose rows a mouse click selects; line is the line of
// the pane's content that was clicked (0 is the title).
type Clicker interface {
	Click(line int) tea.Cmd
}

// DescribedMsg says what a remote manifest holds, as the Details pane read
// it; every pane may learn from it (the Tags pane: which tags are indexes
// of which platforms).
type DescribedMsg struct {
	Details domain.Details
}

// ReferredMsg lists what refers to a remote image (signatures,
// attestations, SBOMs), as the Details pane read it.
type ReferredMsg struct {
	Reference string
	Referrers []domain.Referrer
}

// JournalChangedMsg says journal entries are new or changed: another wharf
// process or the CLI changed (or undid a change to) a registry. Panes
// showing what the entries touched look again.
type JournalChangedMsg struct {
	Entries []domain.JournalEntry
}

// PullRequestMsg asks for a remote reference to be pulled into the local
// engine (L in the Tags pane); the Local pane runs it as a job.
type PullRequestMsg struct {
	Reference string
	// More are further references pulled in the same job, one after the
	// other (L on selected tags).
	More []string
}

// The requests one pane's action makes of another. The root forwards them
// to every pane (after arranging the layout), and the pane they are for
// acts on them; no pane's method is called with another's result.

// OpenRepositoryMsg asks for a repository's tags to be shown (the
// Repositories pane chose one; the Tags pane loads it).
type OpenRepositoryMsg struct {
	Repository string
}

// RepositoryChangedMsg says a repository's tags changed by a change of
// another pane's (a push landed there): the Tags pane looks again when it
// shows that repository.
type RepositoryChangedMsg struct {
	Repository string
}

// ShowMsg asks for a reference's details (the Details pane): a remote
// reference, or with Local a local image by ID or reference.
type ShowMsg struct {
	Reference string
	Local     bool
}

// CompareRequestMsg asks for two remote references to be compared (the
// Details pane).
type CompareRequestMsg struct {
	A, B string
}

// CompareLocalRequestMsg asks for a local image (by ID; Name is what the
// user knows it by) to be compared with a remote reference, the local one
// first when LocalFirst. FromLocal says the Local pane asked (Details opens
// beside it).
type CompareLocalRequestMsg struct {
	Local, Name, Remote   string
	LocalFirst, FromLocal bool
}

// LocalMarkedMsg is c on a local image: with a tag marked in the Tags pane
// it compares the two (the Tags pane asks, with a CompareLocalRequestMsg);
// else the Tags pane keeps the image for its next c.
type LocalMarkedMsg struct {
	Image, Name string
}
