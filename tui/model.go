package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wharf-dev/wharf/tui/theme"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/details"
	"github.com/wharf-dev/wharf/views/listnav"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/tags"
)

// The smallest terminal wharf draws in.
const (
	MinWidth  = 80
	MinHeight = 24
)

// Pane indexes, in focus order.
const (
	paneRepos = iota
	paneTags
	paneDetails
	paneCount
)

// Options are what the app shows and where it gets it.
type Options struct {
	// Registry is the host whose repositories the app opens on.
	Registry string
	// Label describes the registry in the status bar ("demo", "anonymous"…).
	Label   string
	Repos   repos.Lister
	Tags    tags.Source
	Details details.Describer
	Styles  *theme.Styles
}

// Model is the root model.
type Model struct {
	opts     Options
	keys     KeyMap
	styles   *theme.Styles
	help     help.Model
	repos    *repos.Model
	tags     *tags.Model
	details  *details.Model
	panes    [paneCount]views.Component
	focus    int
	showHelp bool
	lastErr  string
	width    int
	height   int
}

// New builds the app.
func New(opts Options) *Model {
	m := &Model{opts: opts, keys: DefaultKeyMap(), styles: opts.Styles, help: help.New()}
	m.help.Styles = opts.Styles.Help
	m.repos = repos.New(opts.Repos, opts.Registry, opts.Styles)
	m.tags = tags.New(opts.Tags, opts.Styles)
	m.details = details.New(opts.Details, opts.Styles)
	m.panes = [paneCount]views.Component{m.repos, m.tags, m.details}
	m.setFocus(paneRepos)
	return m
}

// Init starts loading the first pane.
func (m *Model) Init() tea.Cmd { return m.repos.Init() }

func (m *Model) setFocus(i int) {
	m.focus = (i + paneCount) % paneCount
	for j, p := range m.panes {
		p.SetFocused(j == m.focus)
	}
}

// Update routes: ctrl+c, then global keys, then the focused pane; results go
// to every pane, each of which keeps only its own.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case repos.SelectedMsg:
		m.setFocus(paneTags)
		return m, m.tags.Load(msg.Repository)
	case tags.SelectedMsg:
		return m, m.details.Load(msg.Reference)
	}
	m.noteError(msg)
	var cmds []tea.Cmd
	for _, p := range m.panes {
		cmds = append(cmds, p.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Quit):
		return tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.showHelp = !m.showHelp
		return nil
	case key.Matches(msg, m.keys.Dismiss):
		switch {
		case m.showHelp:
			m.showHelp = false
		case m.lastErr != "":
			m.lastErr = ""
		case m.focus > paneRepos:
			m.setFocus(m.focus - 1)
		}
		return nil
	case key.Matches(msg, m.keys.Next):
		m.setFocus(m.focus + 1)
		return nil
	case key.Matches(msg, m.keys.Prev):
		m.setFocus(m.focus - 1)
		return nil
	}
	for i, b := range m.keys.Focus {
		if key.Matches(msg, b) {
			m.setFocus(i)
			return nil
		}
	}
	if m.showHelp {
		return nil
	}
	return m.panes[m.focus].Update(msg)
}

// noteError keeps the last failure for the status bar.
func (m *Model) noteError(msg tea.Msg) {
	var err error
	switch msg := msg.(type) {
	case repos.LoadedMsg:
		err = msg.Err
	case tags.LoadedMsg:
		err = msg.Err
	case details.LoadedMsg:
		err = msg.Err
	}
	if err != nil {
		m.lastErr = err.Error()
	}
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.help.SetWidth(w - m.styles.FocusedPane.GetHorizontalFrameSize())
	if w < MinWidth || h < MinHeight {
		return
	}
	frameW, frameH := m.styles.Pane.GetHorizontalFrameSize(), m.styles.Pane.GetVerticalFrameSize()
	leftW, rightW, tagsH, detailsH, bodyH := m.geometry()
	m.repos.SetSize(leftW-frameW, bodyH-frameH)
	m.tags.SetSize(rightW-frameW, tagsH-frameH)
	m.details.SetSize(rightW-frameW, detailsH-frameH)
}

// geometry is the outer size of each pane: repositories on the left, tags
// over details on the right, status bar and key hint below.
func (m *Model) geometry() (leftW, rightW, tagsH, detailsH, bodyH int) {
	bodyH = m.height - 2
	leftW = max(26, m.width*3/10)
	rightW = m.width - leftW
	tagsH = bodyH / 2
	detailsH = bodyH - tagsH
	return
}

func (m *Model) pane(i, w, h int) string {
	style := m.styles.Pane
	if i == m.focus {
		style = m.styles.FocusedPane
	}
	return style.Width(w).Height(h).MaxHeight(h).Render(m.panes[i].View())
}

// View draws the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "wharf"
	return v
}

func (m *Model) render() string {
	if m.width == 0 {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center,
			listnav.Truncate(fmt.Sprintf("wharf needs at least %d×%d; this terminal is %d×%d", MinWidth, MinHeight, m.width, m.height), m.width))
	}
	leftW, rightW, tagsH, detailsH, bodyH := m.geometry()
	var body string
	if m.showHelp {
		body = m.styles.FocusedPane.Width(m.width).Height(bodyH).MaxHeight(bodyH).Render(m.helpPage())
	} else {
		right := lipgloss.JoinVertical(lipgloss.Left, m.pane(paneTags, rightW, tagsH), m.pane(paneDetails, rightW, detailsH))
		body = lipgloss.JoinHorizontal(lipgloss.Top, m.pane(paneRepos, leftW, bodyH), right)
	}
	return strings.Join([]string{body, m.statusBar(), m.keyHint()}, "\n")
}

func (m *Model) statusBar() string {
	parts := []string{"wharf", "registry " + m.opts.Registry}
	if m.opts.Label != "" {
		parts[1] += " (" + m.opts.Label + ")"
	}
	left := strings.Join(parts, " · ")
	if m.lastErr == "" {
		return m.styles.StatusBar.Render(listnav.Truncate(left, m.width))
	}
	return listnav.Truncate(m.styles.StatusBar.Render(left)+" · "+m.styles.StatusError.Render("error: "+m.lastErr+" (esc dismisses)"), m.width)
}

func (m *Model) keyHint() string {
	bindings := append(m.panes[m.focus].ShortHelp(), m.keys.ShortHelp()...)
	return m.help.ShortHelpView(bindings)
}

// helpPage lists every key, generated from the key maps: global keys and
// movement (shared by the lists) in columns, then each pane's own on a line.
func (m *Model) helpPage() string {
	var b strings.Builder
	for _, s := range []struct {
		title    string
		bindings []key.Binding
	}{
		{"Everywhere", m.keys.FullHelp()[0]},
		{"Lists", listnav.DefaultKeyMap().Bindings()},
	} {
		b.WriteString(m.styles.Label.Render(s.title) + "\n")
		b.WriteString(m.help.FullHelpView(splitColumns(s.bindings, 4)) + "\n\n")
	}
	for _, s := range []struct {
		title string
		pane  views.Component
	}{{"Repositories", m.repos}, {"Tags", m.tags}, {"Details", m.details}} {
		var bindings []key.Binding
		for _, g := range s.pane.FullHelp() {
			bindings = append(bindings, g...)
		}
		b.WriteString(m.styles.Label.Render(fmt.Sprintf("%-13s", s.title)) + m.help.ShortHelpView(bindings) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// splitColumns lays bindings out in columns of at most n rows.
func splitColumns(bs []key.Binding, n int) [][]key.Binding {
	var cols [][]key.Binding
	for len(bs) > n {
		cols = append(cols, bs[:n])
		bs = bs[n:]
	}
	return append(cols, bs)
}
