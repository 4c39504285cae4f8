// Package files is the file tree of a remote image's layers, opened from
// Details (f): dive's model — a layer at a time, what it added, modified
// and removed, or the whole image up to it — with collapsible directories
// and a filter by path. The layers stream in as they are read; esc stops
// the read. It reads through a narrow Source; the tree comes from
// internal/filetree.
package files

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/listnav"
	"github.com/wharf-dev/wharf/views/theme"
)

// Source reads the entries of an image's layers, bottom first.
type Source interface {
	LayerFiles(ctx context.Context, reference string, each func(i int, layer domain.Layer, entries []filetree.Entry)) error
}

// ProgressSource is a Source that also says how many bytes of layers it
// has read so far.
type ProgressSource interface {
	LayerFilesProgress(ctx context.Context, reference string, progress func(read int64), each func(i int, layer domain.Layer, entries []filetree.Entry)) error
}

// ProgressMsg says how many bytes of layers were read; more follow.
type ProgressMsg struct {
	Reference string
	Seq       int
	Read      int64
	stream    <-chan tea.Msg
}

// KeyMap are the view's keys.
type KeyMap struct {
	Nav listnav.KeyMap
	// Next and Prev move between layers; Whole switches between the
	// layer's changes and the whole image up to it; Toggle folds or
	// unfolds a directory; Waste shows the space wasted, as dive counts it.
	Next, Prev, Whole, Toggle, Waste key.Binding
}

// DefaultKeyMap returns the view's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Nav:    listnav.DefaultKeyMap(),
		Next:   key.NewBinding(key.WithKeys("]", "right", "l"), key.WithHelp("]", "next layer")),
		Prev:   key.NewBinding(key.WithKeys("[", "left", "h"), key.WithHelp("[", "prev layer")),
		Whole:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "changes/all")),
		Toggle: key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "fold")),
		Waste:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "waste")),
	}
}

// LayerMsg is one layer read; more follow on the stream.
type LayerMsg struct {
	Reference string
	Seq       int
	Index     int
	Layer     domain.Layer
	Entries   []filetree.Entry
	stream    <-chan tea.Msg
}

// attach gives a streamed message (a layer, progress) its stream, so its
// handler can wait for the next.
func attach(msg tea.Msg, s <-chan tea.Msg) tea.Msg {
	switch m := msg.(type) {
	case LayerMsg:
		m.stream = s
		return m
	case ProgressMsg:
		m.stream = s
		return m
	}
	return msg
}

// DoneMsg ends a read.
type DoneMsg struct {
	Reference string
	Seq       int
	Err       error
}

// row is a line of the tree.
type row struct {
	path  string
	depth int
	entry filetree.Entry
	// change is what the layer shown did to the path ("" for a directory
	// shown only to hold what changed below it).
	change filetree.Change
	dir    bool
}

// Model is the files view.
type Model struct {
	keys    KeyMap
	styles  *theme.Styles
	src     Source
	ref     string
	seq     int
	cancel  context.CancelFunc
	layers  []domain.Layer
	entries [][]filetree.Entry
	done    bool
	err     error
	// at is the layer shown; whole shows the image up to it rather than
	// its changes; folded are the directories folded.
	at     int
	whole  bool
	folded map[string]bool
	// read is how many bytes of layers were read, as last said; waste
	// shows the wasted space instead of the tree.
	read   int64
	waste  bool
	filter listnav.Filter
	rows   []row
	cur    listnav.Cursor
	width  int
	height int
}

// New returns the view over its source.
func New(src Source, styles *theme.Styles) *Model {
	return &Model{keys: DefaultKeyMap(), styles: styles, src: src, folded: map[string]bool{}, filter: listnav.NewFilter()}
}

// Load starts reading reference's layers; the first arrives as a LayerMsg.
func (m *Model) Load(reference string) tea.Cmd {
	m.Stop()
	m.seq++
	m.ref, m.layers, m.entries, m.done, m.err, m.at, m.rows = reference, nil, nil, false, nil, 0, nil
	m.read = 0
	m.folded = map[string]bool{}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	src, seq := m.src, m.seq
	// The read is a job (the jobs area shows it with the bytes read, x
	// cancels it); its layers come down their own channel as they are
	// read, so the tree grows as they stream.
	layers := make(chan tea.Msg, 16)
	job := views.StartJob("read the files of "+reference, func(jctx context.Context, report func(views.JobProgress)) (string, tea.Msg, error) {
		rctx, stop := context.WithCancel(jctx)
		defer stop()
		defer context.AfterFunc(ctx, stop)() // esc in the view stops the job too
		defer close(layers)
		send := func(msg tea.Msg) {
			select {
			case layers <- msg:
			case <-rctx.Done():
			}
		}
		var read int64
		n := 0
		say := func() {
			report(views.JobProgress{Done: read, Text: fmt.Sprintf("%d layers, %s read", n, domain.HumanSize(read))})
		}
		each := func(i int, l domain.Layer, es []filetree.Entry) {
			n++
			say()
			send(LayerMsg{Reference: reference, Seq: seq, Index: i, Layer: l, Entries: es})
		}
		var err error
		if ps, ok := src.(ProgressSource); ok {
			err = ps.LayerFilesProgress(rctx, reference, func(r int64) {
				read = r
				say()
				send(ProgressMsg{Reference: reference, Seq: seq, Read: r})
			}, each)
		} else {
			err = src.LayerFiles(rctx, reference, each)
		}
		// The end, even when cancelled (unless nobody waits any more).
		select {
		case layers <- DoneMsg{Reference: reference, Seq: seq, Err: err}:
		case <-time.After(time.Second):
		}
		summary := fmt.Sprintf("read %d layers of %s", n, reference)
		if read > 0 {
			summary += " (" + domain.HumanSize(read) + ")"
		}
		return summary, nil, err
	})
	return tea.Batch(job, func() tea.Msg { return views.Next(layers, attach) })
}

// Stop stops reading (esc, or another image chosen).
func (m *Model) Stop() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// Reference is the image the view shows.
func (m *Model) Reference() string { return m.ref }

// Update handles the layers as they come and the keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LayerMsg:
		if msg.Seq != m.seq || msg.Reference != m.ref {
			return nil
		}
		m.layers = append(m.layers, msg.Layer)
		m.entries = append(m.entries, msg.Entries)
		if len(m.layers) == 1 {
			m.rebuild()
		}
		return views.WaitNext(msg.stream, attach)
	case ProgressMsg:
		if msg.Seq != m.seq || msg.Reference != m.ref {
			return nil
		}
		m.read = msg.Read
		return views.WaitNext(msg.stream, attach)
	case DoneMsg:
		if msg.Seq != m.seq || msg.Reference != m.ref {
			return nil
		}
		m.done, m.err, m.cancel = true, msg.Err, nil
		if msg.Err != nil && !strings.Contains(msg.Err.Error(), context.Canceled.Error()) {
			return views.Failed(msg.Err)
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if handled, refilter := m.filter.Key(msg); handled {
		if refilter {
			m.rebuild()
		}
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Next):
		if m.at+1 < len(m.layers) {
			m.at++
			m.rebuild()
		}
	case key.Matches(msg, m.keys.Prev):
		if m.at > 0 {
			m.at--
			m.rebuild()
		}
	case key.Matches(msg, m.keys.Whole):
		m.whole = !m.whole
		m.rebuild()
	case key.Matches(msg, m.keys.Waste):
		m.waste = !m.waste
	case key.Matches(msg, m.keys.Toggle):
		if r, ok := m.current(); ok && r.dir {
			m.folded[r.path] = !m.folded[r.path]
			m.rebuild()
		}
	case m.cur.Handle(m.keys.Nav, msg):
	}
	return nil
}

func (m *Model) current() (row, bool) {
	if m.cur.Pos >= len(m.rows) {
		return row{}, false
	}
	return m.rows[m.cur.Pos], true
}

// rebuild lays out the tree of the layer shown: its changes (with the
// directories that hold them) or the whole image up to it, folded
// directories' content hidden, the filter's paths (and their directories)
// kept; the cursor stays on its path.
func (m *Model) rebuild() {
	keep := ""
	if r, ok := m.current(); ok {
		keep = r.path
	}
	m.rows = nil
	if m.at >= len(m.entries) {
		m.cur.SetLen(0)
		return
	}
	fsys := filetree.Stack(m.entries[:m.at])
	changes := fsys.Apply(m.entries[m.at])
	changed := make(map[string]filetree.Changed, len(changes))
	for _, c := range changes {
		changed[c.Path] = c
	}
	var shown []filetree.Entry
	if m.whole {
		shown = fsys.Sorted()
		for _, c := range changes {
			if c.Change == filetree.Removed {
				shown = append(shown, c.Entry)
			}
		}
	} else {
		for _, c := range changes {
			shown = append(shown, c.Entry)
		}
	}
	// Every directory on the way to what is shown is a row too.
	byPath := map[string]filetree.Entry{}
	for _, e := range shown {
		if q := strings.ToLower(m.filter.Text); q != "" && !strings.Contains(strings.ToLower(e.Path), q) {
			continue
		}
		byPath[e.Path] = e
		for dir := path.Dir(e.Path); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if _, ok := byPath[dir]; !ok {
				if d, inFS := fsys[dir]; inFS {
					byPath[dir] = d
				} else {
					byPath[dir] = filetree.Entry{Path: dir, Kind: filetree.Dir}
				}
			}
		}
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	hasChildren := map[string]bool{}
	for _, p := range paths {
		hasChildren[path.Dir(p)] = true
	}
	for _, p := range paths {
		if m.hidden(p) {
			continue
		}
		e := byPath[p]
		r := row{path: p, depth: strings.Count(p, "/"), entry: e, dir: e.Kind == filetree.Dir || hasChildren[p]}
		if c, ok := changed[p]; ok {
			r.change = c.Change
		}
		m.rows = append(m.rows, r)
	}
	m.cur.SetLen(len(m.rows))
	m.cur.Follow(keep, func(i int) string { return m.rows[i].path })
}

// hidden reports whether a folded directory holds p.
func (m *Model) hidden(p string) bool {
	for dir := path.Dir(p); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if m.folded[dir] {
			return true
		}
	}
	return false
}

// SetSize sets the inner size of the view.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	lines := 3 // the title, the layer line, the column heads
	if m.filter.Active() {
		lines++
	}
	m.cur.SetHeight(h - lines)
}

// Capturing reports whether the filter is being typed.
func (m *Model) Capturing() bool { return m.filter.Typing }

// Clear drops the filter; it reports whether there was one.
func (m *Model) Clear() bool {
	if !m.filter.Clear() {
		return false
	}
	m.rebuild()
	return true
}

// View renders the title, the layer shown and the tree.
func (m *Model) View(title string) string {
	lines := []string{title}
	state := fmt.Sprintf("layers read %d", len(m.layers))
	if m.done && m.err == nil {
		state = fmt.Sprintf("%d layers", len(m.layers))
	}
	if !m.done {
		state += " · reading…"
		if m.read > 0 {
			state += " " + domain.HumanSize(m.read)
		}
	}
	if len(m.layers) == 0 {
		if m.err != nil {
			return strings.Join(append(lines, m.styles.Danger.Render(listnav.Wrap(m.err.Error(), m.width))), "\n")
		}
		return strings.Join(append(lines, m.styles.Muted.Render("reading "+m.ref+"'s layers…")), "\n")
	}
	if m.waste {
		return strings.Join(append(lines, m.wasteLines()...), "\n")
	}
	l := m.layers[m.at]
	view := "changes"
	if m.whole {
		view = "whole image so far"
	}
	lines = append(lines, m.styles.Label.Render(listnav.Truncate(fmt.Sprintf("layer %d/%d %s %s · %s · %s", m.at+1, len(m.layers), domain.ShortDigest(l.Digest), domain.HumanSize(l.Size), view, state), m.width)))
	if m.filter.Active() {
		lines = append(lines, m.styles.Label.Render(m.filter.Line(len(m.rows), len(m.rows), m.width)))
	}
	// A narrow pane keeps the path and the size; mode and owner go.
	wide := m.width >= 56
	head := fmt.Sprintf("  %7s  %s", "SIZE", "PATH")
	if wide {
		head = fmt.Sprintf("  %-10s %-9s %7s  %s", "MODE", "OWNER", "SIZE", "PATH")
	}
	lines = append(lines, m.styles.Muted.Render(listnav.Truncate(head, m.width)))
	if len(m.rows) == 0 {
		lines = append(lines, m.styles.Muted.Render("nothing here"))
	}
	from, to := m.cur.Visible()
	for i := from; i < to; i++ {
		r := m.rows[i]
		mark := " "
		style := m.styles.Muted
		switch r.change {
		case filetree.Added:
			mark, style = "A", m.styles.OK
		case filetree.Modified:
			mark, style = "M", m.styles.Label
		case filetree.Removed:
			mark, style = "D", m.styles.Danger
		}
		name := path.Base(r.path)
		switch {
		case r.dir && m.folded[r.path]:
			name = "▸ " + name + "/"
		case r.dir:
			name = "▾ " + name + "/"
		case r.entry.Kind == filetree.Symlink:
			name += " → " + r.entry.Link
		case r.entry.Kind == filetree.Hardlink:
			name += " ⇒ /" + r.entry.Link
		}
		size := ""
		if !r.dir {
			size = domain.HumanSize(r.entry.Size)
		}
		mode, owner := r.entry.Mode.String(), fmt.Sprintf("%d:%d", r.entry.UID, r.entry.GID)
		if r.entry.Mode == 0 {
			mode, owner = "", "" // a directory no entry names, only implied
		}
		line := fmt.Sprintf("%s %7s  %s%s", mark, size, strings.Repeat("  ", r.depth), name)
		if wide {
			line = fmt.Sprintf("%s %-10s %-9s %7s  %s%s", mark, mode, owner, size, strings.Repeat("  ", r.depth), name)
		}
		line = listnav.Pad(listnav.Truncate(line, m.width), m.width)
		if i == m.cur.Pos {
			line = m.styles.Selected.Render(line)
		} else if r.change != "" {
			line = style.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// ShortHelp is the key hint.
func (m *Model) ShortHelp() []key.Binding {
	if m.filter.Typing {
		return []key.Binding{m.filter.Keys.Done, m.filter.Keys.Clear}
	}
	return []key.Binding{m.keys.Next, m.keys.Whole, m.keys.Toggle, m.filter.Keys.Start}
}

// FullHelp is the view's section of the help page.
func (m *Model) FullHelp() []key.Binding {
	return []key.Binding{m.keys.Prev, m.keys.Next, m.keys.Whole, m.keys.Toggle, m.filter.Keys.Start, m.keys.Waste}
}

// Keys are the view's keys, for the user's bindings to change.
func (m *Model) Keys() *KeyMap { return &m.keys }

// wasteLines are dive's numbers for the layers read: the efficiency, the
// wasted bytes, and the paths more than one layer wrote, largest first.
func (m *Model) wasteLines() []string {
	r := filetree.Efficiency(m.entries)
	state := ""
	if !m.done {
		state = fmt.Sprintf(" (of the %d layers read so far)", len(m.layers))
	}
	lines := []string{m.styles.Label.Render(listnav.Truncate(fmt.Sprintf("efficiency %.1f%% · wasted %s, %.1f%% of the layers above the base%s",
		100*r.Score, domain.HumanSize(r.WastedBytes), 100*r.WastedPercent(), state), m.width))}
	if len(r.Files) == 0 {
		return append(lines, m.styles.Muted.Render("no path is written by more than one layer"))
	}
	lines = append(lines, m.styles.Muted.Render(listnav.Truncate(fmt.Sprintf("%8s %5s  %s", "BYTES", "TIMES", "PATH (layers)"), m.width)))
	for i, f := range r.Files {
		if i >= max(m.height-4, 1) {
			lines = append(lines, m.styles.Muted.Render(fmt.Sprintf("… and %d more (wharf waste REF lists them all)", len(r.Files)-i)))
			break
		}
		layers := make([]string, len(f.Layers))
		for j, l := range f.Layers {
			layers[j] = fmt.Sprint(l + 1)
		}
		lines = append(lines, listnav.Truncate(fmt.Sprintf("%8s %4d×  %s (%s)", domain.HumanSize(f.Bytes), f.Count, f.Path, strings.Join(layers, ",")), m.width))
	}
	return lines
}
