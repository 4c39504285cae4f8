// Package repos is the Repositories pane: the repositories of one registry,
// loaded off the UI goroutine; enter chooses one.
package repos

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/listnav"
	"github.com/wharf-dev/wharf/views/theme"
)

// Lister lists a registry's repositories page by page.
type Lister interface {
	CatalogPages(ctx context.Context, host string) iter.Seq2[domain.CatalogPage, error]
}

// KnownLister is a Lister that remembers a registry's last whole listing
// (without the network): the pane shows it at once, with its age, while it
// lists afresh, and keeps it when the registry cannot be reached.
type KnownLister interface {
	KnownCatalog(host string) (domain.CatalogSnapshot, bool)
}

// KnownMsg carries the remembered listing; the fresh one follows.
type KnownMsg struct {
	Host     string
	Seq      int
	Snapshot domain.CatalogSnapshot
	OK       bool
}

// Prober finds out what a registry can do: Capabilities answers from the
// cache when it can, Probe always asks the registry.
type Prober interface {
	Capabilities(ctx context.Context, host string) (domain.Capabilities, error)
	Probe(ctx context.Context, host string) (domain.Capabilities, error)
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Nav    listnav.KeyMap
	Open   key.Binding
	Reload key.Binding
	// Up goes from the repositories to the list of registries (esc, which
	// the root passes on through Clear).
	Up key.Binding
	// Probe asks the registry under the cursor again what it can do.
	Probe key.Binding
	// Delete deletes the repository under the cursor (every tag).
	Delete key.Binding
	// In the list of registries: add one, edit or remove the one under
	// the cursor (wharf's config file).
	AddRegistry, EditRegistry, RemoveRegistry key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Nav:            listnav.DefaultKeyMap(),
		Open:           key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show tags")),
		Reload:         key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),
		Up:             key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "registries")),
		Probe:          key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "probe registry again")),
		Delete:         key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete repository")),
		AddRegistry:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add registry")),
		EditRegistry:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		RemoveRegistry: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove")),
	}
}

// ProbedMsg carries what a registry can do (from the cache or a new probe).
type ProbedMsg struct {
	Host string
	Caps domain.Capabilities
	Err  error
}

// PageLoadedMsg carries one page of a registry's repositories; more may
// follow on the stream.
type PageLoadedMsg struct {
	Host   string
	Seq    int
	Page   domain.CatalogPage
	stream <-chan tea.Msg
}

// LoadedMsg ends a listing: Err says why it stopped early.
type LoadedMsg struct {
	Host string
	Seq  int
	Err  error
}

// SelectedMsg says the user chose a repository ("host/path").
type SelectedMsg struct{ Repository string }

// RegistryChosenMsg says the user switched to another registry.
type RegistryChosenMsg struct{ Host string }

// Model is the Repositories pane.
type Model struct {
	keys   KeyMap
	styles *theme.Styles
	src    Lister
	host   string
	// registries are the hosts esc lists; atRegistries: that list shows.
	registries   []string
	atRegistries bool
	regCur       listnav.Cursor
	// prober, when set, finds out what each registry can do; caps holds
	// the answers, probing the hosts being asked.
	prober  Prober
	caps    map[string]domain.Capabilities
	probing map[string]bool
	// filter narrows the repositories to shown (indices into repos).
	filter  listnav.Filter
	shown   []int
	height  int
	repos   []string
	note    string
	cancel  context.CancelFunc
	loading bool
	err     error
	seq     int
	cur     listnav.Cursor
	width   int
	focused bool
	// knownAt is when the remembered listing shown was fetched (zero when
	// what shows is fresh); fresh gathers the new listing's pages
	// meanwhile, to replace it whole at the end.
	knownAt time.Time
	fresh   []string
	clock   func() time.Time
	// listed is the registry the repositories shown are of.
	listed string
}

var _ views.Component = (*Model)(nil)

// SetClock sets what the pane reads the time from.
func (m *Model) SetClock(now func() time.Time) { m.clock = now }

// New returns the pane for the registry at host; esc lists registries to
// switch to.
func New(src Lister, registries []string, host string, styles *theme.Styles) *Model {
	if !slices.Contains(registries, host) {
		registries = append([]string{host}, registries...)
	}
	return &Model{
		keys: DefaultKeyMap(), styles: styles, src: src, host: host, registries: registries, filter: listnav.NewFilter(),
		caps: map[string]domain.Capabilities{}, probing: map[string]bool{}, clock: time.Now,
	}
}

// SetProber lets the pane show what each registry can do (nil: nothing
// shown).
func (m *Model) SetProber(p Prober) { m.prober = p }

// Capabilities returns what the pane knows of a registry's capabilities.
func (m *Model) Capabilities(host string) (domain.Capabilities, bool) {
	c, ok := m.caps[host]
	return c, ok
}

// probe asks for host's capabilities: from the cache, or afresh.
func (m *Model) probe(host string, again bool) tea.Cmd {
	if m.prober == nil || m.probing[host] {
		return nil
	}
	if _, known := m.caps[host]; known && !again {
		return nil
	}
	m.probing[host] = true
	return probeRegistry(m.prober, host, again)
}

func probeRegistry(p Prober, host string, again bool) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ask := p.Capabilities
		if again {
			ask = p.Probe
		}
		caps, err := ask(ctx, host)
		return ProbedMsg{Host: host, Caps: caps, Err: err}
	}
}

// probeAll asks for every registry's capabilities not known yet.
func (m *Model) probeAll() tea.Cmd {
	var cmds []tea.Cmd
	for _, h := range m.registries {
		cmds = append(cmds, m.probe(h, false))
	}
	return tea.Batch(cmds...)
}

// Clear goes up from the repositories to the registries (when there is more
// than one); it reports whether it did.
func (m *Model) Clear() (bool, tea.Cmd) {
	if m.filter.Clear() {
		m.refilter()
		return true, nil
	}
	_, editable := m.src.(RegistryEditor)
	if m.atRegistries || len(m.registries) < 2 && !editable {
		return false, nil
	}
	m.atRegistries = true
	m.regCur.SetLen(len(m.registries))
	m.regCur.Pos = slices.Index(m.registries, m.host)
	m.regCur.Clamp()
	return true, m.probeAll()
}

// registryKey moves over the registries; enter opens one.
func (m *Model) registryKey(msg tea.KeyPressMsg) tea.Cmd {
	if ok, cmd := m.registryFormKey(msg); ok {
		return cmd
	}
	switch {
	case m.regCur.Handle(m.keys.Nav, msg):
	case key.Matches(msg, m.keys.Probe):
		if m.prober == nil {
			return views.Status("this registry cannot be probed here")
		}
		return m.probe(m.registries[m.regCur.Pos], true)
	case key.Matches(msg, m.keys.Open):
		m.host, m.atRegistries = m.registries[m.regCur.Pos], false
		host := m.host
		return tea.Batch(m.load(), func() tea.Msg { return RegistryChosenMsg{Host: host} })
	}
	return nil
}

// Init starts loading the repositories and finding out what the registry
// can do.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.load(), m.probe(m.host, false)) }

func (m *Model) load() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.seq++
	m.loading, m.err, m.note, m.fresh = true, nil, "", nil
	if m.listed != m.host {
		m.knownAt = time.Time{}
	}
	m.listed = m.host
	if m.knownAt.IsZero() {
		m.repos, m.shown = nil, nil
		m.cur.SetLen(0)
	}
	m.cancel = nil
	if kl, ok := m.src.(KnownLister); ok {
		host, seq := m.host, m.seq
		return func() tea.Msg {
			snap, ok := kl.KnownCatalog(host)
			return KnownMsg{Host: host, Seq: seq, Snapshot: snap, OK: ok}
		}
	}
	return m.listAfresh()
}

// listAfresh streams the catalog for the current listing (seq).
func (m *Model) listAfresh() tea.Cmd {
	ctx, cancel := views.ReadContext()
	m.cancel = cancel
	return loadRepos(ctx, m.src, m.host, m.seq)
}

// known shows the remembered listing (when there is one) and lists afresh.
func (m *Model) known(msg KnownMsg) tea.Cmd {
	if msg.Host != m.host || msg.Seq != m.seq {
		return nil
	}
	if msg.OK && len(msg.Snapshot.Repositories) > 0 {
		cur := m.currentRepo()
		m.repos = slices.Sorted(slices.Values(msg.Snapshot.Repositories))
		m.knownAt = msg.Snapshot.At
		m.refilterKeeping(cur)
	}
	return m.listAfresh()
}

// loadRepos streams the catalog's pages: the first message is the first
// page; each PageLoadedMsg waits for the next (views.WaitNext).
func loadRepos(ctx context.Context, src Lister, host string, seq int) tea.Cmd {
	return func() tea.Msg {
		return views.Stream(ctx, 4, PageLoadedMsg.withStream, func(send func(tea.Msg) bool) {
			for page, err := range src.CatalogPages(ctx, host) {
				if err != nil {
					send(LoadedMsg{Host: host, Seq: seq, Err: err})
					return
				}
				if !send(PageLoadedMsg{Host: host, Seq: seq, Page: page}) {
					return
				}
			}
			send(LoadedMsg{Host: host, Seq: seq})
		})
	}
}

func (p PageLoadedMsg) withStream(s <-chan tea.Msg) PageLoadedMsg {
	p.stream = s
	return p
}

// Update handles results and, when focused, keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case PageLoadedMsg:
		if msg.Host != m.host || msg.Seq != m.seq {
			return nil
		}
		if m.knownAt.IsZero() {
			// Registries differ in order (the in-process one has none).
			cur := m.currentRepo()
			m.repos = slices.Sorted(slices.Values(append(m.repos, msg.Page.Items...)))
			m.refilterKeeping(cur)
		} else {
			// The remembered listing stays until the new one is whole.
			m.fresh = append(m.fresh, msg.Page.Items...)
		}
		if msg.Page.Note != "" {
			m.note = msg.Page.Note
		}
		return views.WaitNext(msg.stream, PageLoadedMsg.withStream)
	case KnownMsg:
		return m.known(msg)
	case RepoPlannedMsg:
		return m.deleteDialog(msg)
	case RegistrySavedMsg:
		return m.registrySaved(msg)
	case RepoDeletedMsg:
		if msg.Err != nil {
			return nil // the job says why
		}
		return views.Status(fmt.Sprintf("deleted %s: %d manifests, one batch (u in its Tags puts it back). %s", msg.Result.Repository, len(msg.Result.Manifests), msg.Result.Note))
	case ProbedMsg:
		delete(m.probing, msg.Host)
		if msg.Err == nil {
			m.caps[msg.Host] = msg.Caps
		}
		return nil
	case LoadedMsg:
		if msg.Host != m.host || msg.Seq != m.seq {
			return nil
		}
		m.loading, m.err = false, msg.Err
		m.cancel = nil
		if msg.Err != nil {
			return views.Failed(msg.Err)
		}
		if !m.knownAt.IsZero() {
			cur := m.currentRepo()
			m.repos, m.fresh, m.knownAt = slices.Sorted(slices.Values(m.fresh)), nil, time.Time{}
			m.refilterKeeping(cur)
		}
	case tea.KeyPressMsg:
		if !m.focused {
			return nil
		}
		if m.atRegistries {
			return m.registryKey(msg)
		}
		if handled, refilter := m.filter.Key(msg); handled {
			if refilter {
				m.refilter()
			}
			return nil
		}
		switch {
		case m.cur.Handle(m.keys.Nav, msg):
		case key.Matches(msg, m.keys.Open):
			if len(m.shown) == 0 {
				return nil
			}
			repo := m.host + "/" + m.repos[m.shown[m.cur.Pos]]
			return func() tea.Msg { return SelectedMsg{Repository: repo} }
		case key.Matches(msg, m.keys.Reload):
			return m.load()
		case key.Matches(msg, m.keys.Delete):
			return m.planDelete()
		}
	}
	return nil
}

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	lines := 1 // the title
	if m.filter.Active() {
		lines++
	}
	m.cur.SetHeight(h - lines)
	m.regCur.SetHeight(h - 1)
}

// refilter recomputes the repositories the filter lets through.
func (m *Model) refilter() {
	m.refilterKeeping(m.currentRepo())
}

// refilterKeeping recomputes what shows with the cursor on repo: pages
// that stream in (sorted) never move it off the repository it was on.
func (m *Model) refilterKeeping(repo string) {
	m.shown = m.filter.Match(len(m.repos), func(i int) string { return m.repos[i] })
	m.cur.SetLen(len(m.shown))
	m.cur.Follow(repo, func(i int) string { return m.repos[m.shown[i]] })
	m.SetSize(m.width, m.height)
}

// currentRepo is the repository under the cursor ("" for none).
func (m *Model) currentRepo() string {
	if m.cur.Pos >= len(m.shown) {
		return ""
	}
	return m.repos[m.shown[m.cur.Pos]]
}

// Capturing reports whether the filter is being typed (it takes every key).
func (m *Model) Capturing() bool { return m.filter.Typing }

// SetFocused marks the pane as the one keys go to.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Title is the pane's title line.
func (m *Model) Title() string {
	switch {
	case m.atRegistries:
		return fmt.Sprintf("Registries · %d", len(m.registries))
	case !m.knownAt.IsZero():
		// The state first: a narrow pane cuts the age, not "offline".
		age := domain.HumanAge(m.clock().Sub(m.knownAt))
		if m.loading {
			return fmt.Sprintf("Repositories · %d · listing… · cached %s ago", len(m.repos), age)
		}
		return fmt.Sprintf("Repositories · %d · offline · cached %s ago", len(m.repos), age)
	case m.loading:
		return fmt.Sprintf("Repositories · %d so far…", len(m.repos))
	case m.err != nil && len(m.repos) == 0:
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
	if m.atRegistries {
		from, to := m.regCur.Visible()
		for i := from; i < to; i++ {
			line := listnav.Truncate(m.registryLine(m.registries[i]), m.width)
			if i == m.regCur.Pos && m.focused {
				line = m.styles.Selected.Render(listnav.Pad(line, m.width))
			} else if m.registries[i] == m.host {
				line = m.styles.Label.Render(line)
			}
			lines = append(lines, line)
		}
		return strings.Join(append(lines, m.capabilityLines()...), "\n")
	}
	if m.note != "" {
		lines = append(lines, m.styles.Muted.Render(listnav.Wrap(m.note, m.width)))
	}
	switch {
	case m.err != nil && !m.knownAt.IsZero():
		// Offline with the remembered listing: the title says so, the
		// status bar and the errors page say why.
	case m.err != nil:
		lines = append(lines, m.styles.Danger.Render(listnav.Wrap(m.err.Error(), m.width)))
	case !m.loading && len(m.repos) == 0:
		lines = append(lines, m.styles.Muted.Render("no repositories"))
	}
	if m.filter.Active() {
		lines = append(lines, m.styles.Label.Render(m.filter.Line(len(m.shown), len(m.repos), m.width)))
	}
	from, to := m.cur.Visible()
	for i := from; i < to; i++ {
		line := listnav.Truncate(m.repos[m.shown[i]], m.width)
		if i == m.cur.Pos && m.focused {
			line = m.styles.Selected.Render(listnav.Pad(line, m.width))
		} else if i == m.cur.Pos {
			line = m.styles.Label.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// capabilityLines spell out what the registry under the cursor can do,
// below the list: the badge, then the probe's notes.
func (m *Model) capabilityLines() []string {
	if len(m.registries) == 0 {
		return nil
	}
	c, ok := m.caps[m.registries[m.regCur.Pos]]
	if !ok {
		return nil
	}
	text := []string{"", c.Registry + ": " + c.Badge()}
	if c.Error != "" {
		text = append(text, c.Error)
	}
	text = append(text, c.Notes...)
	if !c.ProbedAt.IsZero() {
		text = append(text, "probed "+c.Age(time.Now())+" · R probes again")
	}
	var out []string
	for _, t := range text {
		out = append(out, m.styles.Muted.Render(listnav.Wrap(t, m.width)))
	}
	return out
}

// registryLine is a registry with what it can do, when known.
func (m *Model) registryLine(host string) string {
	switch c, ok := m.caps[host]; {
	case ok:
		return host + "  " + c.Badge()
	case m.probing[host]:
		return host + "  probing…"
	}
	return host
}

// ShortHelp is the key hint.
func (m *Model) ShortHelp() []key.Binding {
	if m.filter.Typing {
		return []key.Binding{m.filter.Keys.Done, m.filter.Keys.Clear}
	}
	if m.atRegistries {
		if _, ok := m.src.(RegistryEditor); ok {
			return []key.Binding{m.keys.Open, m.keys.Probe, m.keys.AddRegistry, m.keys.EditRegistry, m.keys.RemoveRegistry}
		}
		return []key.Binding{m.keys.Open, m.keys.Probe}
	}
	if _, editable := m.src.(RegistryEditor); len(m.registries) > 1 || editable {
		return []key.Binding{m.keys.Open, m.keys.Up}
	}
	return []key.Binding{m.keys.Open, m.keys.Reload}
}

// FullHelp is the pane's section of the help page (movement keys are listed
// once, by the root).
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Open, m.filter.Keys.Start, m.keys.Reload, m.keys.Up, m.keys.Probe, m.keys.Delete}}
}

// Click moves the cursor to the repository (or registry) on a clicked line.
func (m *Model) Click(line int) tea.Cmd {
	if m.atRegistries {
		m.regCur.Click(line, 1)
		return nil
	}
	first := 1
	if m.filter.Active() {
		first++
	}
	if m.note != "" {
		first += strings.Count(listnav.Wrap(m.note, m.width), "\n") + 1
	}
	if m.err != nil {
		first += strings.Count(listnav.Wrap(m.err.Error(), m.width), "\n") + 1
	}
	m.cur.Click(line, first)
	return nil
}

// Host is the registry whose repositories the pane lists.
func (m *Model) Host() string { return m.host }

// AtRegistries reports whether the pane lists the registries (esc went up).
func (m *Model) AtRegistries() bool { return m.atRegistries }

// Keys are the pane's keys, for the user's bindings to change.
func (m *Model) Keys() *KeyMap { return &m.keys }
