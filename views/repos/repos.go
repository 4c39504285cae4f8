// Package repos is the Repositories pane: the repositories of one registry,
// loaded off the UI goroutine; enter chooses one.
package repos

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/tui/theme"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/listnav"
)

// Lister lists a registry's repositories.
type Lister interface {
	Catalog(ctx context.Context, host string) ([]string, error)
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Nav    listnav.KeyMap
	Open   key.Binding
	Reload key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Nav:    listnav.DefaultKeyMap(),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show tags")),
		Reload: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),
	}
}

// LoadedMsg carries a registry's repositories.
type LoadedMsg struct {
	Host  string
	Seq   int
	Repos []string
	Err   error
}

// SelectedMsg says the user chose a repository ("host/path").
type SelectedMsg struct{ Repository string }

// Model is the Repositories pane.
type Model struct {
	keys    KeyMap
	styles  *theme.Styles
	src     Lister
	host    string
	repos   []string
	loading bool
	err     error
	seq     int
	cur     listnav.Cursor
	width   int
	focused bool
}

var _ views.Component = (*Model)(nil)

// New returns the pane for the registry at host.
func New(src Lister, host string, styles *theme.Styles) *Model {
	return &Model{keys: DefaultKeyMap(), styles: styles, src: src, host: host}
}

// Init starts loading the repositories.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	m.seq++
	m.loading, m.err = true, nil
	return loadRepos(m.src, m.host, m.seq)
}

func loadRepos(src Lister, host string, seq int) tea.Cmd {
	return func() tea.Msg {
		repos, err := src.Catalog(context.Background(), host)
		return LoadedMsg{Host: host, Seq: seq, Repos: repos, Err: err}
	}
}

// Update handles results and, when focused, keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.Host != m.host || msg.Seq != m.seq {
			return nil
		}
		m.loading, m.err = false, msg.Err
		if msg.Err == nil {
			// Registries differ in order (the in-process one has none).
			m.repos = slices.Sorted(slices.Values(msg.Repos))
			m.cur.SetLen(len(m.repos))
		}
	case tea.KeyPressMsg:
		if !m.focused {
			return nil
		}
		switch {
		case m.cur.Handle(m.keys.Nav, msg):
		case key.Matches(msg, m.keys.Open):
			if len(m.repos) == 0 {
				return nil
			}
			repo := m.host + "/" + m.repos[m.cur.Pos]
			return func() tea.Msg { return SelectedMsg{Repository: repo} }
		case key.Matches(msg, m.keys.Reload):
			return m.load()
		}
	}
	return nil
}

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width = w
	m.cur.SetHeight(h - 1) // the title line
}

// SetFocused marks the pane as the one keys go to.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Title is the pane's title line.
func (m *Model) Title() string {
	switch {
	case m.loading:
		return "Repositories · loading…"
	case m.err != nil:
		return "Repositories"
	}
	return fmt.Sprintf("Repositories · %d", len(m.repos))
}

// View renders the list.
func (m *Model) View() string {
	title := m.styles.Title
	if m.focused {
		title = m.styles.FocusedTitle
	}
	lines := []string{title.Render(listnav.Truncate(m.Title(), m.width))}
	switch {
	case m.err != nil:
		lines = append(lines, m.styles.Danger.Render(listnav.Wrap(m.err.Error(), m.width)))
	case !m.loading && len(m.repos) == 0:
		lines = append(lines, m.styles.Muted.Render("no repositories"))
	}
	from, to := m.cur.Visible()
	for i := from; i < to; i++ {
		line := listnav.Truncate(m.repos[i], m.width)
		if i == m.cur.Pos && m.focused {
			line = m.styles.Selected.Render(listnav.Pad(line, m.width))
		} else if i == m.cur.Pos {
			line = m.styles.Label.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// ShortHelp is the key hint.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.keys.Open, m.keys.Reload} }

// FullHelp is the pane's section of the help page (movement keys are listed
// once, by the root).
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Open, m.keys.Reload}}
}
