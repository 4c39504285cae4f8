package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/details"
	"github.com/wharf-dev/wharf/views/dialog"
	"github.com/wharf-dev/wharf/views/files"
	"github.com/wharf-dev/wharf/views/listnav"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/prompt"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// The smallest terminal wharf draws in.
const (
	MinWidth  = 80
	MinHeight = 24
)

// Pane indexes, in focus order.
const (
	paneLocal = iota
	paneRepos
	paneTags
	paneDetails
	paneCount
)

// page is a full-screen page over the panes: the help or the jobs.
type page int

const (
	noPage page = iota
	helpPage
	jobsPage
	errorsPage
)

// toggle opens p, or closes it when it is the one open.
func (cur page) toggle(p page) page {
	if cur == p {
		return noPage
	}
	return p
}

// Model is the root model.
type Model struct {
	opts Options
	// redact takes credentials out of what the status bar and the jobs
	// area say (redactorOf).
	redact  func(string) string
	keys    KeyMap
	styles  *theme.Styles
	help    help.Model
	local   *local.Model
	repos   *repos.Model
	tags    *tags.Model
	details *details.Model
	panes   [paneCount]views.Component
	focus   int
	// remote is the level the Remote panel shows: the repositories (or
	// registries) or the tags; detailsFrom the pane Details was opened
	// from (noDetails: closed); zoom shows the focused pane alone.
	remote      int
	detailsFrom int
	zoom        bool
	// localName is what the local image Details shows is called ("" when
	// it shows a remote reference).
	localName string
	// page is the full-screen page shown over the panes, if any.
	page    page
	dialog  *dialog.Model
	onYes   tea.Cmd
	prompt  *prompt.Model
	jobs    jobs
	status  string
	lastErr string
	// keysSinceErr counts the keys pressed since lastErr: news that
	// follows the user's own key replaces the error in the bar (E keeps it).
	keysSinceErr int
	// errs are the last failures, oldest first, for the errors page.
	errs []failure
	// user is who the current registry is reached as ("" anonymous, "…"
	// while asked); budget its request budget, once it stated it.
	user   string
	budget *domain.RateBudget
	// budgets tells registries' request budgets (nil: not shown).
	budgets BudgetReader
	// waits are the 429s being waited out, by registry; ticking while
	// their countdown is on.
	waits   map[string]domain.RateWait
	waitN   map[string]int
	ticking bool
	width   int
	height  int
}

// New builds the app.
func New(opts Options) *Model {
	m := &Model{opts: opts, keys: DefaultKeyMap(), styles: opts.Styles, help: help.New(), jobs: newJobs(), budgets: budgetReaderOf(opts.Remote), waits: map[string]domain.RateWait{}, waitN: map[string]int{}, redact: redactorOf(opts.Remote)}
	m.help.Styles = opts.Styles.Help
	m.local = local.New(opts.Local, localChangerOf(opts.Local), opts.PushTargets, opts.Styles)
	m.local.SetClock(m.now)
	if s := syncerOf(opts.Local); s != nil {
		m.local.SetSyncer(s)
	}
	m.repos = repos.New(opts.Remote, opts.Registries, opts.Registry, opts.Styles)
	m.repos.SetClock(m.now)
	if p, ok := opts.Remote.(repos.Prober); ok {
		m.repos.SetProber(p)
	}
	m.tags = tags.New(opts.Remote, changerOf(opts.Remote), opts.Styles)
	m.tags.SetClock(m.now)
	m.details = details.New(sourcesOf(opts), opts.Styles)
	m.panes = [paneCount]views.Component{m.local, m.repos, m.tags, m.details}
	// Checked when the config was read: what is wrong here was ruled out.
	_ = applyKeys(keyMaps(&m.keys, m.local.Keys(), m.repos.Keys(), m.tags.Keys(), m.details.Keys()), opts.Keys)
	m.remote, m.detailsFrom = paneRepos, noDetails
	m.setFocus(paneRepos)
	for _, n := range opts.Notes {
		m.lastErr = n
		m.errs = append(m.errs, failure{at: m.now(), text: n})
	}
	return m
}

// Init starts loading the panes that load by themselves, and asks who the
// registry is reached as.
func (m *Model) Init() tea.Cmd {
	var journal, waits tea.Cmd
	if w, ok := m.opts.Remote.(JournalWatcher); ok {
		journal = watchJournal(w.JournalChanges(context.Background()))
	}
	if w, ok := m.opts.Remote.(RateWaiter); ok {
		waits = watchRateWaits(w.RateWaits(context.Background()))
	}
	return tea.Batch(m.local.Init(), m.repos.Init(), m.askUser(), journal, waits)
}

// askUser asks who the current registry is reached as; the status bar says
// "…" until the answer comes.
func (m *Model) askUser() tea.Cmd {
	m.user = ""
	cmd := lookUpUser(m.opts.Remote, m.opts.Registry)
	if cmd != nil {
		m.user = "…"
	}
	return cmd
}

// Update routes: ctrl+c, then global keys, then the focused pane; results go
// to every pane, each of which keeps only its own.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Interrupt):
			return m, tea.Quit
		case m.dialog != nil:
			return m, m.dialog.Update(msg)
		case m.prompt != nil:
			return m, m.prompt.Update(msg)
		}
		return m, m.handleKey(msg)
	case prompt.RequestMsg:
		m.prompt = prompt.New(msg, m.styles)
		m.sizeDialog()
		return m, nil
	case prompt.ClosedMsg:
		m.prompt = nil
		if msg.Cancelled {
			m.status = "cancelled: nothing changed"
		}
		return m, msg.Cmd
	case views.JobStartedMsg, views.JobProgressMsg, views.JobFinishedMsg:
		return m, m.jobMsg(msg)
	case tea.MouseClickMsg:
		return m, m.click(msg.Mouse())
	case tea.MouseWheelMsg:
		return m, m.wheel(msg.Mouse())
	case views.ConfirmRequestMsg:
		m.dialog, m.onYes = dialog.New(msg.Title, msg.Body, msg.Action, m.styles), msg.OnConfirm
		m.sizeDialog()
		return m, nil
	case dialog.ClosedMsg:
		yes := m.onYes
		m.dialog, m.onYes = nil, nil
		if msg.Confirmed {
			return m, yes
		}
		m.status = "cancelled: nothing changed"
		return m, nil
	case views.StatusMsg:
		if msg.Err != nil {
			// The failure ends whatever the status said was under way
			// ("deleting …").
			m.status = ""
			m.lastErr, m.keysSinceErr = m.redact(msg.Err.Error()), 0
			m.errs = append(m.errs, failure{at: m.now(), text: m.lastErr})
			if len(m.errs) > maxErrors {
				m.errs = m.errs[len(m.errs)-maxErrors:]
			}
		} else {
			m.status = m.redact(msg.Text)
			if m.keysSinceErr > 0 && msg.Text != "" {
				m.lastErr = ""
			}
		}
		return m, nil
	case local.SelectedMsg:
		m.localName = msg.Name
		if msg.Open {
			m.openDetails(paneLocal)
		}
		return m, m.forward(views.ShowMsg{Reference: msg.ID, Local: true})
	case repos.RegistryChosenMsg:
		// The last error was about what the user left (E still lists it).
		m.lastErr = ""
		m.opts.Registry, m.opts.Label, m.budget = msg.Host, "", nil
		return m, tea.Batch(m.askUser(), m.budgetCmd())
	case userMsg:
		if msg.host == m.opts.Registry {
			m.user = msg.user
		}
		return m, nil
	case budgetMsg:
		if msg.host == m.opts.Registry {
			m.budget = &msg.budget
		}
		return m, nil
	case rateWaitMsg:
		return m, m.rateWaited(msg)
	case rateTickMsg:
		m.ticking = false
		return m, m.tickWaits()
	case journalChangedMsg:
		// Every pane hears it, and the watch goes on.
		next := watchJournal(msg.stream)
		_, routed := m.Update(views.JournalChangedMsg{Entries: msg.entries})
		return m, tea.Batch(routed, next)
	case tags.DigestsDoneMsg:
		return m, tea.Batch(m.forward(msg), m.budgetCmd())
	case repos.SelectedMsg:
		m.lastErr = ""
		m.setFocus(paneTags)
		return m, m.forward(views.OpenRepositoryMsg{Repository: msg.Repository})
	case tags.SelectedMsg:
		m.localName = ""
		if msg.Open {
			m.openDetails(paneTags)
		}
		return m, m.forward(views.ShowMsg{Reference: msg.Reference})
	case tags.CompareMsg:
		m.openDetails(paneTags)
		if msg.Local == "a" {
			m.status = "comparing local " + msg.LocalName + " and " + msg.B
			return m, m.forward(views.CompareLocalRequestMsg{Local: msg.A, Name: msg.LocalName, Remote: msg.B, LocalFirst: true})
		}
		m.status = "comparing " + msg.A + " and " + msg.B
		return m, m.forward(views.CompareRequestMsg{A: msg.A, B: msg.B})
	case local.CompareKeyMsg:
		// Across the sides: the Tags pane compares its marked tag with
		// this image, or keeps the image for its next c.
		return m, m.forward(views.LocalMarkedMsg{Image: msg.Image, Name: msg.Name})
	case views.CompareLocalRequestMsg:
		if msg.FromLocal {
			m.openDetails(paneLocal)
			m.status = "comparing " + msg.Remote + " and local " + msg.Name
		}
		return m, m.forward(msg)
	}
	cmds := []tea.Cmd{m.forward(msg)}
	if p, ok := msg.(local.PushedMsg); ok && p.Err == nil {
		// What landed on the Remote side shows there.
		if r, err := ref.Parse(p.Target); err == nil {
			cmds = append(cmds, m.forward(views.RepositoryChangedMsg{Repository: r.Repository()}))
		}
	}
	return m, tea.Batch(cmds...)
}

// forward hands msg to every pane, in the panes' order: the panes a
// message is for act on it, the others let it pass.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.panes))
	for _, p := range m.panes {
		cmds = append(cmds, p.Update(msg))
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	m.keysSinceErr++
	m.local.SetAcross(m.across())
	if c, ok := m.panes[m.focus].(views.Capturer); ok && c.Capturing() && m.page == noPage {
		return m.panes[m.focus].Update(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.page = m.page.toggle(helpPage)
		return nil
	case key.Matches(msg, m.keys.Jobs):
		m.page = m.page.toggle(jobsPage)
		return nil
	case key.Matches(msg, m.keys.Errors):
		m.page = m.page.toggle(errorsPage)
		return nil
	case key.Matches(msg, m.keys.Dismiss):
		switch {
		case m.page != noPage:
			m.page = noPage
		case m.lastErr != "":
			m.lastErr = ""
		default:
			if ok, cmd := clears(m.panes[m.focus]); ok {
				return cmd
			}
			m.back()
		}
		return nil
	case key.Matches(msg, m.keys.Back) && m.page == noPage:
		if ok, cmd := clears(m.panes[m.focus]); ok {
			return cmd
		}
		m.back()
		return nil
	case key.Matches(msg, m.keys.Zoom):
		m.zoom = !m.zoom
		m.resize(m.width, m.height)
		return nil
	case key.Matches(msg, m.keys.Next):
		m.cycle(1)
		return nil
	case key.Matches(msg, m.keys.Prev):
		m.cycle(-1)
		return nil
	case key.Matches(msg, m.keys.CancelJob):
		m.status = m.jobs.cancelOrDismiss()
		m.resize(m.width, m.height)
		return nil
	}
	for i, b := range m.keys.Focus {
		if key.Matches(msg, b) {
			m.setFocus(i)
			return nil
		}
	}
	if m.page != noPage {
		return nil
	}
	return m.panes[m.focus].Update(msg)
}

// jobMsg tracks a job; the jobs area grows or shrinks with it, and what a
// finished job leaves for the panes goes to them.
func (m *Model) jobMsg(msg tea.Msg) tea.Cmd {
	before := m.jobs.lines()
	next, then := m.jobs.update(msg, m.redact)
	if m.jobs.lines() != before {
		m.resize(m.width, m.height)
	}
	if then == nil {
		return next
	}
	_, routed := m.Update(then)
	return tea.Batch(next, routed)
}

// click focuses the pane under the pointer and selects the row clicked.
func (m *Model) click(ms tea.Mouse) tea.Cmd {
	pane, line, ok := m.paneAt(ms.X, ms.Y)
	if !ok || ms.Button != tea.MouseLeft {
		return nil
	}
	m.setFocus(pane)
	if c, ok := m.panes[pane].(views.Clicker); ok {
		return c.Click(line)
	}
	return nil
}

// wheel scrolls the pane under the pointer (focusing it, as keys go to the
// focused pane).
func (m *Model) wheel(ms tea.Mouse) tea.Cmd {
	pane, _, ok := m.paneAt(ms.X, ms.Y)
	if !ok {
		return nil
	}
	m.setFocus(pane)
	var k tea.KeyPressMsg
	switch ms.Button {
	case tea.MouseWheelUp:
		k = tea.KeyPressMsg{Code: tea.KeyUp}
	case tea.MouseWheelDown:
		k = tea.KeyPressMsg{Code: tea.KeyDown}
	default:
		return nil
	}
	return m.panes[pane].Update(k)
}

// clears asks a pane to undo what esc undoes first (a filter, a level).
func clears(p views.Component) (bool, tea.Cmd) {
	if c, ok := p.(views.Clearer); ok {
		return c.Clear()
	}
	return false, nil
}

// dialogWidth is the confirm dialog's outer width.
func (m *Model) dialogWidth() int { return min(96, m.width-2) }

func (m *Model) sizeDialog() {
	inner := m.dialogWidth() - m.styles.FocusedPane.GetHorizontalFrameSize()
	if m.dialog != nil {
		m.dialog.SetSize(inner, m.height-4)
	}
	if m.prompt != nil {
		m.prompt.SetSize(inner, m.height-4)
	}
}

// View draws the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
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
	g := m.geometry()
	var body string
	switch {
	case m.dialog != nil:
		box := m.styles.FocusedPane.Width(m.dialogWidth()).Render(m.dialog.View())
		body = lipgloss.Place(m.width, g.bodyH, lipgloss.Center, lipgloss.Center, box)
	case m.prompt != nil:
		box := m.styles.FocusedPane.Width(m.dialogWidth()).Render(m.prompt.View())
		body = lipgloss.Place(m.width, g.bodyH, lipgloss.Center, lipgloss.Center, box)
	case m.page == helpPage:
		inner := g.bodyH - m.styles.FocusedPane.GetVerticalFrameSize()
		body = m.styles.FocusedPane.Width(m.width).Height(g.bodyH).MaxHeight(g.bodyH).Render(fitLines(m.helpPage(), inner))
	case m.page == jobsPage:
		body = m.styles.FocusedPane.Width(m.width).Height(g.bodyH).MaxHeight(g.bodyH).Render(m.jobsPage())
	case m.page == errorsPage:
		inner := g.bodyH - m.styles.FocusedPane.GetVerticalFrameSize()
		body = m.styles.FocusedPane.Width(m.width).Height(g.bodyH).MaxHeight(g.bodyH).Render(fitLines(m.errorsPage(), inner))
	default:
		cols := make([]string, len(g.cols))
		for i, c := range g.cols {
			cols[i] = m.panel(c, g.bodyH)
		}
		body = lipgloss.JoinHorizontal(lipgloss.Top, cols...)
	}
	return strings.Join(append(append([]string{body}, m.jobsView()...), m.statusBar(), m.keyHint()), "\n")
}

func (m *Model) statusBar() string {
	// Most changing first, so a narrow terminal cuts the registry, not the
	// news: jobs, the last result, the engine, then the registry and who we
	// are.
	var parts []string
	if s := m.jobsSummary(); s != "" {
		parts = append(parts, s)
	}
	// A 429 being waited out is why nothing moves: said before the rest.
	parts = append(parts, m.waitsText()...)
	if m.status != "" {
		parts = append(parts, m.status)
	}
	if e := m.local.Engine(); e != "" {
		parts = append(parts, "engine "+e)
	}
	who := "anonymous"
	if m.user != "" {
		who = "as " + m.user
	}
	reg := m.opts.Registry + " (" + who + ")"
	if m.opts.Label != "" {
		reg = m.opts.Registry + " (" + m.opts.Label + ", " + who + ")"
	}
	parts = append(parts, reg)
	bar := m.styles.StatusBar.Render(strings.Join(parts, " · "))
	if m.budget != nil {
		// A low budget is a warning: slower background work ahead.
		style := m.styles.StatusBar
		if m.budget.Low() {
			style = m.styles.StatusError
		}
		bar += m.styles.StatusBar.Render(" · ") + style.Render(m.budget.String())
	}
	if m.lastErr != "" {
		// The reason first, so a narrow terminal cuts the words around it.
		// It may take the whole bar (the panels' breadcrumbs say where you
		// are); E shows it whole.
		first, rest, _ := strings.Cut(m.lastErr, "\n")
		line := "error: " + first + " (esc dismisses)"
		if rest != "" || lipgloss.Width(bar)+lipgloss.Width(line)+3 > m.width {
			line = listnav.Truncate("error: "+first, m.width-4) + " [E]"
		}
		if lipgloss.Width(line)+3 >= m.width {
			return m.styles.StatusError.Render(line)
		}
		bar = m.styles.StatusError.Render(line) + m.styles.StatusBar.Render(" · ") + bar
	}
	return listnav.Truncate(bar, m.width)
}

func (m *Model) keyHint() string {
	if m.dialog != nil {
		return m.help.ShortHelpView([]key.Binding{dialog.DefaultKeyMap().Yes, dialog.DefaultKeyMap().No})
	}
	if m.prompt != nil {
		return m.help.ShortHelpView([]key.Binding{prompt.DefaultKeyMap().Submit, prompt.DefaultKeyMap().Cancel})
	}
	bindings := m.panes[m.focus].ShortHelp()
	if m.focus == paneDetails {
		// A level down: how to get back up, and the room to read it (tab
		// makes way for them).
		return listnav.Truncate(m.help.ShortHelpView(append(bindings,
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")), m.keys.Zoom, m.keys.Help, m.keys.Quit)), m.width)
	}
	bindings = append(bindings, m.keys.ShortHelp()...)
	return listnav.Truncate(m.help.ShortHelpView(bindings), m.width)
}

// fitLines fits a page into height lines: first without its blank lines,
// then cut with a line that says there is more.
func fitLines(page string, height int) string {
	lines := strings.Split(page, "\n")
	if len(lines) <= height {
		return page
	}
	lines = slices.DeleteFunc(lines, func(l string) bool { return strings.TrimSpace(ansi.Strip(l)) == "" })
	if len(lines) > height && height > 1 {
		lines = append(lines[:height-1], "… more: make the terminal taller")
	}
	return strings.Join(lines, "\n")
}

// helpPage lists every key, generated from the key maps: global keys and
// movement (shared by the lists) in columns, then each pane's own on a line.
func (m *Model) helpPage() string {
	var b strings.Builder
	for _, s := range []struct {
		title    string
		bindings []key.Binding
		rows     int
	}{
		{"Everywhere", m.keys.FullHelp()[0], 4},
		{"Lists", listnav.DefaultKeyMap().Bindings(), 3},
	} {
		b.WriteString(m.styles.Label.Render(s.title) + "\n")
		b.WriteString(m.help.FullHelpView(splitColumns(s.bindings, s.rows)) + "\n\n")
	}
	for _, s := range []struct {
		title    string
		bindings [][]key.Binding
	}{
		{"Local", m.local.FullHelp()},
		{"Repositories", m.repos.FullHelp()},
		{"Tags", m.tags.FullHelp()},
		{"Details", m.details.FullHelp()},
		{"Files (f)", [][]key.Binding{files.New(nil, m.styles).FullHelp()}},
	} {
		var bindings []key.Binding
		for _, g := range s.bindings {
			bindings = append(bindings, g...)
		}
		// Wrapped, never cut: the help page is where every key must show.
		indent := m.styles.Label.Render(fmt.Sprintf("%-13s", s.title))
		for _, line := range m.wrapBindings(bindings, m.width-m.styles.FocusedPane.GetHorizontalFrameSize()-13) {
			b.WriteString(indent + line + "\n")
			indent = strings.Repeat(" ", 13)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// wrapBindings renders bindings as short help over as many lines of at most
// width cells as they need.
func (m *Model) wrapBindings(bs []key.Binding, width int) []string {
	// Measured uncut: the help model would end an over-long line in "…".
	h := m.help
	h.SetWidth(0)
	var lines []string
	start := 0
	for end := 1; end <= len(bs); end++ {
		if end-start > 1 && lipgloss.Width(h.ShortHelpView(bs[start:end])) > width {
			lines = append(lines, h.ShortHelpView(bs[start:end-1]))
			start = end - 1
		}
	}
	return append(lines, h.ShortHelpView(bs[start:]))
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

func (m *Model) now() time.Time {
	if m.opts.Clock != nil {
		return m.opts.Clock()
	}
	return time.Now()
}

// maxErrors is how many failures the errors page keeps.
const maxErrors = 20

// failure is one error the app showed, and when.
type failure struct {
	at   time.Time
	text string
}

// errorsPage lists the last failures, newest first, each whole (wrapped).
func (m *Model) errorsPage() string {
	if len(m.errs) == 0 {
		return m.styles.Muted.Render("no errors yet (E or esc closes)")
	}
	inner := m.width - m.styles.FocusedPane.GetHorizontalFrameSize()
	var lines []string
	for i := len(m.errs) - 1; i >= 0; i-- {
		e := m.errs[i]
		lines = append(lines, m.styles.Label.Render(e.at.Format(time.TimeOnly)), listnav.Wrap(e.text, inner), "")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}
