// Package local is the Local pane: the engine's images, the tags of one
// image on one row, dangling images marked and counted in the title with
// what a cleanup would reclaim; it follows the engine's events, and D
// cleans up dangling images after a preview and a confirm.
package local

import (
	"context"
	"fmt"
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

// Source is the engine's image cache.
type Source interface {
	Images(ctx context.Context) (domain.LocalListing, error)
	ImageChanges(ctx context.Context) <-chan domain.EngineEvent
	PrunePreview(ctx context.Context) (domain.PrunePlan, error)
	Prune(ctx context.Context) (domain.PruneResult, error)
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Nav                                     listnav.KeyMap
	Open                                    key.Binding
	Cleanup                                 key.Binding
	Reload                                  key.Binding
	Tag, Move, Untag, Push, RetagPush, Pull key.Binding
	// PushAcross pushes the image to the repository open on the Remote
	// side (retagged for it).
	PushAcross key.Binding
	// Sync pulls the newer remote image or pushes the local one.
	Sync key.Binding
	// Compare marks the image to compare with a remote tag (c there).
	Compare key.Binding
	// Select selects the image under the cursor for d and p (space);
	// SelectAll every image the filter shows.
	Select, SelectAll key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Nav:     listnav.DefaultKeyMap(),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Cleanup: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "clean up")),
		Reload:  key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),

		Tag:        key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tag")),
		Move:       key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "move tag")),
		Untag:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "untag/remove")),
		Push:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "push")),
		RetagPush:  key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "push to…")),
		PushAcross: key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "push across")),
		Pull:       key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "pull")),
		Sync:       key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "sync")),
		Compare:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "compare")),
		Select:     key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "select (* all)")),
		SelectAll:  key.NewBinding(key.WithKeys("*", "ctrl+a"), key.WithHelp("*", "select all shown")),
	}
}

// CompareKeyMsg asks to compare the image with a remote tag: the one
// marked in Tags, or the next one c marks there.
type CompareKeyMsg struct {
	// Image is the image's ID; Name what the user knows it by.
	Image, Name string
}

// ListedMsg carries the engine's images.
type ListedMsg struct {
	Seq     int
	Listing domain.LocalListing
	Err     error
}

// ChangedMsg is an engine event; more follow on the stream.
type ChangedMsg struct {
	Event  domain.EngineEvent
	stream <-chan domain.EngineEvent
}

// PlannedMsg carries a cleanup preview.
type PlannedMsg struct {
	Plan domain.PrunePlan
	Err  error
}

// PruneStartedMsg says a confirmed cleanup is running.
type PruneStartedMsg struct{}

// PrunedMsg carries a cleanup's result.
type PrunedMsg struct {
	Result domain.PruneResult
	Err    error
}

// SelectedMsg says the user chose a local image (by ID).
type SelectedMsg struct {
	ID   string
	Name string
	// Open asks for Details to show (enter), not only to follow.
	Open bool
}

// Model is the Local pane.
type Model struct {
	keys    KeyMap
	styles  *theme.Styles
	src     Source
	changer Changer
	// registries are where P offers to push (configured ones first).
	registries []string
	listing    domain.LocalListing
	filter     listnav.Filter
	shown      []int
	height     int
	loading    bool
	// listed is set once the engine answered (or failed to) a listing.
	listed bool
	// removed is the image the user's own remove took, which the next
	// listing does not report as gone.
	removed  string
	pruning  bool
	err      error
	seq      int
	watching bool
	cur      listnav.Cursor
	width    int
	focused  bool
	// syncer compares the tags with their registries; sync holds the
	// result by image ID, syncKey what it was computed for.
	syncer  Syncer
	sync    map[string][]domain.SyncStatus
	syncKey string
	syncSeq int
	syncing bool
	// Engine events are coalesced: a lone event lists at once; the events
	// that follow within settle wait until the engine has been quiet for
	// settle (or maxWait has passed), then list once. lastList is when the
	// last listing started, eventSeq numbers the events waited on and
	// pendingSince is when the first of them came (zero: none wait).
	lastList     time.Time
	eventSeq     int
	pendingSince time.Time
	// selection are the images selected for d and p, by ID.
	selection listnav.Selection
	// prefix is what every tagged image's name starts with (the rows leave
	// it out); clock what ages are measured from.
	prefix string
	clock  func() time.Time
	// across is where > pushes: the repository open on the Remote side, or
	// its registry while no repository is open.
	across string
}

// How engine events are coalesced: the quiet that ends a burst, and the
// longest a burst delays a listing.
const (
	settle  = 250 * time.Millisecond
	maxWait = 2 * time.Second
)

// settledMsg is the end of settle after an event.
type settledMsg struct{ seq int }

// engineChanged answers an engine event: list now when it is alone, else once
// the burst it belongs to is over.
func (m *Model) engineChanged() tea.Cmd {
	now := time.Now()
	if m.pendingSince.IsZero() && !m.loading && now.Sub(m.lastList) >= settle {
		return m.load()
	}
	if m.pendingSince.IsZero() {
		m.pendingSince = now
	}
	m.eventSeq++
	seq := m.eventSeq
	return tea.Tick(settle, func(time.Time) tea.Msg { return settledMsg{seq: seq} })
}

// settled lists once the last event's settle passed with no other event,
// or the burst has waited maxWait.
func (m *Model) settled(msg settledMsg) tea.Cmd {
	if m.pendingSince.IsZero() || msg.seq != m.eventSeq && time.Since(m.pendingSince) < maxWait {
		return nil
	}
	return m.load()
}

var _ views.Component = (*Model)(nil)

// New returns the pane; with a nil changer the change keys say why they
// cannot.
func New(src Source, changer Changer, registries []string, styles *theme.Styles) *Model {
	return &Model{keys: DefaultKeyMap(), styles: styles, src: src, changer: changer, registries: registries, filter: listnav.NewFilter()}
}

// Init lists the images and starts following the engine's events.
func (m *Model) Init() tea.Cmd {
	m.watching = true
	return tea.Batch(m.load(), watch(m.src))
}

func (m *Model) load() tea.Cmd {
	m.seq++
	m.loading = true
	m.lastList, m.pendingSince = time.Now(), time.Time{}
	src, seq := m.src, m.seq
	return func() tea.Msg {
		l, err := src.Images(context.Background())
		return ListedMsg{Seq: seq, Listing: l, Err: err}
	}
}

// watch follows the engine for the life of the app.
func watch(src Source) tea.Cmd {
	return func() tea.Msg {
		return nextChange(src.ImageChanges(context.Background()))
	}
}

func nextChange(stream <-chan domain.EngineEvent) tea.Msg {
	if stream == nil {
		return nil // a source that does not follow the engine
	}
	e, ok := <-stream
	if !ok {
		return nil
	}
	return ChangedMsg{Event: e, stream: stream}
}

// Update handles results, engine events and, when focused, keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case views.PullRequestMsg:
		if len(msg.More) > 0 {
			return m.PullAll(append([]string{msg.Reference}, msg.More...))
		}
		return m.Pull(msg.Reference)
	case ListedMsg:
		if msg.Seq != m.seq {
			return nil
		}
		m.loading, m.err, m.listed = false, msg.Err, true
		if msg.Err != nil {
			// The pane shows the reason whole; the status bar says
			// "engine down" (an engine that is not running is no news to
			// repeat on every screen).
			return nil
		}
		return tea.Batch(m.setListing(msg.Listing), m.checkSync())
	case SyncCheckedMsg:
		return m.synced(msg)
	case views.JournalChangedMsg:
		// A registry changed (an undo in the CLI, another wharf): the marks
		// may be stale.
		m.syncKey = ""
		return m.checkSync()
	case ChangedMsg:
		stream := msg.stream
		next := func() tea.Msg { return nextChange(stream) }
		if msg.Event.Err != nil {
			m.err = msg.Event.Err
			return next
		}
		return tea.Batch(m.engineChanged(), next)
	case settledMsg:
		return m.settled(msg)
	case PlannedMsg:
		return m.confirmCleanup(msg)
	case PruneStartedMsg:
		m.pruning = true
		return status("cleaning up dangling images…", nil)
	case PrunedMsg:
		m.pruning = false
		if msg.Err != nil {
			return status("", msg.Err)
		}
		return tea.Batch(m.load(), status(pruneSummary(msg.Result), nil))
	case tea.KeyPressMsg:
		if m.focused {
			return m.handleKey(msg)
		}
	case ChangedManyMsg:
		// The engine's events reload removals; pushes change the sync marks.
		m.syncKey = ""
		return tea.Batch(m.load(), m.checkSync())
	case TaggedMsg, UntaggedMsg, PushedMsg, PulledMsg:
		return m.changed(msg)
	}
	return nil
}

func pruneSummary(r domain.PruneResult) string {
	return fmt.Sprintf("removed %d images, reclaimed %s", len(r.Removed), domain.HumanSize(r.SpaceReclaimed))
}

func status(text string, err error) tea.Cmd {
	return func() tea.Msg { return views.StatusMsg{Text: text, Err: err} }
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if handled, refilter := m.filter.Key(msg); handled {
		if refilter {
			m.refilter()
		}
		return nil
	}
	if ok, cmd := m.selectKey(msg); ok {
		return cmd
	}
	switch {
	case m.cur.Handle(m.keys.Nav, msg):
		return m.selected()
	case key.Matches(msg, m.keys.Open):
		return m.selectedOpen(true)
	case m.selection.Len() > 0 && m.changer != nil && key.Matches(msg, m.keys.Untag):
		return m.removeSelected()
	case m.selection.Len() > 0 && m.changer != nil && key.Matches(msg, m.keys.Push):
		return m.pushSelected()
	case key.Matches(msg, m.keys.Reload):
		m.syncKey = "" // and compare with the registries again
		return m.load()
	case key.Matches(msg, m.keys.Sync):
		return m.syncImage()
	case key.Matches(msg, m.keys.Compare):
		img, ok := m.current()
		if !ok {
			return status("no image selected", nil)
		}
		return func() tea.Msg { return CompareKeyMsg{Image: img.ID, Name: rowName(img)} }
	case key.Matches(msg, m.keys.Cleanup):
		if m.pruning {
			return status("a cleanup is already running", nil)
		}
		src := m.src
		return func() tea.Msg {
			plan, err := src.PrunePreview(context.Background())
			return PlannedMsg{Plan: plan, Err: err}
		}
	}
	return m.changeKey(msg)
}

// confirmCleanup turns a preview into the confirm dialog (or says there is
// nothing to do).
func (m *Model) confirmCleanup(msg PlannedMsg) tea.Cmd {
	if msg.Err != nil {
		return status("", msg.Err)
	}
	p := msg.Plan
	if len(p.Remove) == 0 {
		text := "no dangling images to remove"
		if len(p.Blocked) > 0 {
			text = fmt.Sprintf("no dangling images to remove (%d kept by containers)", len(p.Blocked))
		}
		return status(text, nil)
	}
	var b strings.Builder
	for _, d := range p.Remove {
		fmt.Fprintf(&b, "remove  %s  %8s\n", domain.ShortDigest(d.ID), domain.HumanSize(d.Size))
	}
	for _, d := range p.Blocked {
		fmt.Fprintf(&b, "keep    %s  %8s  used by %s\n", domain.ShortDigest(d.ID), domain.HumanSize(d.Size), strings.Join(d.BlockedBy, ", "))
	}
	fmt.Fprintf(&b, "\nup to %s reclaimed; tagged images are never touched", domain.HumanSize(p.Total))
	src := m.src
	// The cleanup runs as a job: the jobs area shows it and its result.
	prune := views.StartJob(fmt.Sprintf("clean up %d dangling images", len(p.Remove)), func(ctx context.Context, _ func(views.JobProgress)) (string, tea.Msg, error) {
		res, err := src.Prune(ctx)
		return pruneSummary(res), PrunedMsg{Result: res, Err: err}, err
	})
	return func() tea.Msg {
		return views.ConfirmRequestMsg{
			Title:     fmt.Sprintf("Clean up %d dangling images?", len(p.Remove)),
			Body:      strings.TrimRight(b.String(), "\n"),
			Action:    fmt.Sprintf("Remove %d images", len(p.Remove)),
			OnConfirm: tea.Batch(func() tea.Msg { return PruneStartedMsg{} }, prune),
		}
	}
}

func (m *Model) selected() tea.Cmd { return m.selectedOpen(false) }

// selectedOpen says which image is under the cursor, asking for Details to
// show when open.
func (m *Model) selectedOpen(open bool) tea.Cmd {
	img, ok := m.current()
	if !ok {
		return nil
	}
	sel := func() tea.Msg { return SelectedMsg{ID: img.ID, Name: rowName(img), Open: open} }
	if ss := m.sync[img.ID]; len(ss) > 0 {
		return tea.Batch(sel, status(syncLine(ss), nil))
	}
	return sel
}

func rowName(img domain.LocalImage) string {
	if img.Dangling {
		return "<none> " + domain.ShortDigest(img.ID)
	}
	return strings.Join(img.RepoTags, ", ")
}

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	lines := 2 // the title and the column heads
	if m.filter.Active() {
		lines++
	}
	m.cur.SetHeight(h - lines)
}

// setListing shows a new listing, in wharf's one order, with the cursor on
// the image it was on; when that image is gone (and not by the user's own
// remove) the cursor is on its neighbour and the status bar says so.
func (m *Model) setListing(l domain.LocalListing) tea.Cmd {
	prev, had := m.current()
	domain.SortImages(l.Images)
	m.listing = l
	m.prefix = commonPrefix(l.Images)
	m.refilter(prev.ID)
	m.selection.Keep(m.hasImage)
	if !had || m.hasImage(prev.ID) {
		return nil
	}
	if prev.ID == m.removed {
		m.removed = ""
		return nil
	}
	now := "no image"
	if img, ok := m.current(); ok {
		now = rowName(img)
	}
	return status(rowName(prev)+" is gone from the engine; the cursor is on "+now, nil)
}

func (m *Model) hasImage(id string) bool {
	return slices.ContainsFunc(m.listing.Images, func(img domain.LocalImage) bool { return img.ID == id })
}

// refilter recomputes the images the filter lets through (by name or ID),
// keeping the cursor on image keep (the current one when "").
func (m *Model) refilter(keep ...string) {
	id := ""
	if cur, ok := m.current(); ok {
		id = cur.ID
	}
	if len(keep) > 0 {
		id = keep[0]
	}
	imgs := m.listing.Images
	m.shown = m.filter.Match(len(imgs), func(i int) string { return rowName(imgs[i]) + " " + imgs[i].ID })
	m.cur.SetLen(len(m.shown))
	m.cur.Follow(id, func(i int) string { return imgs[m.shown[i]].ID })
	m.SetSize(m.width, m.height)
}

// current is the image under the cursor.
func (m *Model) current() (domain.LocalImage, bool) {
	if m.cur.Pos >= len(m.shown) {
		return domain.LocalImage{}, false
	}
	return m.listing.Images[m.shown[m.cur.Pos]], true
}

// Engine is what the pane knows of the engine: "" before it asked, "down"
// while the last listing failed or the engine went away, else "up".
func (m *Model) Engine() string {
	switch {
	case !m.listed:
		return ""
	case m.err != nil:
		return "down"
	}
	return "up"
}

// Capturing reports whether the filter is being typed (it takes every key).
func (m *Model) Capturing() bool { return m.filter.Typing }

// Clear drops the filter; it reports whether there was one.
func (m *Model) Clear() (bool, tea.Cmd) {
	if !m.filter.Clear() {
		if m.selection.Clear() {
			return true, status("selection cleared", nil)
		}
		return false, nil
	}
	m.refilter()
	return true, nil
}

// SetFocused marks the pane as the one keys go to.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Title is the pane's title line.
func (m *Model) Title() string {
	l := m.listing
	switch {
	case m.err != nil && len(l.Images) == 0:
		return "Local"
	case m.loading && len(l.Images) == 0:
		return "Local · loading…"
	}
	t := fmt.Sprintf("Local · %d images", len(l.Images))
	if l.Dangling > 0 {
		t += fmt.Sprintf(" · %d dangling (%s)", l.Dangling, domain.HumanSize(l.Reclaimable))
	}
	if n := m.staleCount(); n > 0 {
		t += fmt.Sprintf(" · %d stale", n)
	}
	if m.pruning {
		t += " · cleaning up…"
	}
	if n := m.selection.Len(); n > 0 {
		t += fmt.Sprintf(" · %d selected", n)
	}
	return t
}

// View renders the list.
func (m *Model) View() string {
	title := m.styles.Title
	if m.focused {
		title = m.styles.FocusedTitle
	}
	lines := []string{title.Render(listnav.Truncate(m.Title(), m.width))}
	if m.err != nil {
		lines = append(lines, m.styles.Danger.Render(listnav.Wrap(m.err.Error(), m.width)))
	} else if !m.loading && len(m.listing.Images) == 0 {
		lines = append(lines, m.styles.Muted.Render("no images"))
	}
	if m.filter.Active() {
		lines = append(lines, m.styles.Label.Render(m.filter.Line(len(m.shown), len(m.listing.Images), m.width)))
	}
	if len(m.listing.Images) == 0 {
		return strings.Join(lines, "\n")
	}
	markW := 0
	if m.sync != nil {
		markW = 2 // the state mark and a space
	}
	cols := m.columns(m.width - markW - minNameWidth)
	nameW := m.width - markW
	for _, c := range cols {
		nameW -= c.Width + 1
	}
	nameW = max(nameW, 8)
	head := strings.Repeat(" ", markW) + listnav.Pad("NAME", nameW)
	for _, c := range cols {
		head += " " + c.Align(c.Head)
	}
	lines = append(lines, m.styles.Muted.Render(listnav.Truncate(head, m.width)))
	from, to := m.cur.Visible()
	names := m.rowLabels(from, to, nameW)
	for i := from; i < to; i++ {
		img := m.listing.Images[m.shown[i]]
		name := listnav.Pad(names[i-from], nameW)
		switch {
		case i == m.cur.Pos && m.focused:
			name = m.styles.Selected.Render(name)
		case img.Dangling:
			name = m.styles.Muted.Render(name)
		case i == m.cur.Pos:
			name = m.styles.Label.Render(name)
		}
		row := name
		if markW > 0 {
			row = m.syncMark(img.ID) + " " + row
		}
		for _, c := range cols {
			cell := c.Align(listnav.Truncate(c.cell(m, img), c.Width))
			if c.Head == "IMAGE ID" {
				cell = m.styles.Marker(img.ID).Render(cell)
			}
			row += " " + cell
		}
		lines = append(lines, row)
	}
	return strings.Join(lines, "\n")
}

// syncMark is the image's state against its registry: = up to date,
// ≠ stale, + local only, ? unknown; blank for images in no known registry.
func (m *Model) syncMark(id string) string {
	st, ok := rowState(m.sync[id])
	if !ok {
		return " "
	}
	switch st {
	case domain.SyncStale:
		return m.styles.Danger.Render(st.Mark())
	case domain.SyncUpToDate:
		return m.styles.Muted.Render(st.Mark())
	}
	return m.styles.Label.Render(st.Mark())
}

// ShortHelp is the key hint.
func (m *Model) ShortHelp() []key.Binding {
	if m.filter.Typing {
		return []key.Binding{m.filter.Keys.Done, m.filter.Keys.Clear}
	}
	if m.syncer != nil {
		return []key.Binding{m.keys.Open, m.keys.PushAcross, m.keys.Sync, m.keys.Cleanup}
	}
	return []key.Binding{m.keys.Open, m.keys.PushAcross, m.keys.Tag, m.keys.Cleanup}
}

// FullHelp is the pane's section of the help page.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Open, m.filter.Keys.Start, k.PushAcross, k.Tag, k.Move, k.Untag, k.Push, k.RetagPush, k.Pull, k.Sync, k.Compare, k.Select, k.Cleanup, k.Reload}}
}

// Click selects the image on a clicked line.
func (m *Model) Click(line int) tea.Cmd {
	first := 2 // the title and the column heads
	if m.filter.Active() {
		first++
	}
	if m.err != nil {
		first += strings.Count(listnav.Wrap(m.err.Error(), m.width), "\n") + 1
	}
	if m.cur.Click(line, first) {
		return m.selected()
	}
	return nil
}

// Keys are the pane's keys, for the user's bindings to change.
func (m *Model) Keys() *KeyMap { return &m.keys }
