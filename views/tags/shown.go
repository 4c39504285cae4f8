package tags

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views/listnav"
)

// What the pane shows of its rows: those the filter lets through (in sort
// order), one per row or, grouped, one per digest.

// group is one image of the grouped view: a digest and its tags (in the
// rows' order). Tags whose digest is not known yet are grouped under "".
type group struct {
	digest string
	tags   []string
}

// refilter recomputes which rows show, keeping the cursor on its tag when
// it still shows.
func (m *Model) refilter() {
	cur, _ := m.current()
	m.filterSeq++ // a match still running for an older query is dropped
	m.ranked = listnav.Ranked{Query: m.filter.Text, Shown: listnav.Rank(m.filter.Text, m.tagNames(), m.lower, nil)}
	m.shown = m.ranked.Shown
	m.regroup()
	m.moveTo(cur.tag)
}

// tagNames are the rows' tags in row order, and their lower case for the
// filter, made once per order of the rows.
func (m *Model) tagNames() []string {
	if len(m.names) != len(m.rows) {
		m.names = make([]string, len(m.rows))
		for i, r := range m.rows {
			m.names[i] = r.tag
		}
		m.lower = listnav.Lower(m.names)
	}
	return m.names
}

// FilteredMsg carries the rows a query matched, computed off the key
// path; a result for an older query or an older order of rows is dropped.
type FilteredMsg struct {
	seq, gen int
	ranked   listnav.Ranked
}

// filterAsync matches the query as a command: the key press only updates
// the filter line, and the list follows when the match is done (narrowing
// the last result when the query only grew).
func (m *Model) filterAsync() tea.Cmd {
	m.filterSeq++
	seq, gen, query := m.filterSeq, m.rowsGen, m.filter.Text
	names, lower, within := m.tagNames(), m.lower, m.ranked.Narrow(query)
	if query == "" {
		m.ranked = listnav.Ranked{Shown: listnav.Rank("", names, lower, nil)}
		m.applyShown()
		return nil
	}
	return func() tea.Msg {
		return FilteredMsg{seq: seq, gen: gen, ranked: listnav.Ranked{Query: query, Shown: listnav.Rank(query, names, lower, within)}}
	}
}

// filtered takes a match that is still the current one.
func (m *Model) filtered(msg FilteredMsg) {
	if msg.seq != m.filterSeq {
		return
	}
	if msg.gen != m.rowsGen {
		m.refiltered() // the rows changed meanwhile: match them again, here
		return
	}
	m.ranked = msg.ranked
	m.applyShown()
}

// applyShown shows the current match, the cursor on its tag.
func (m *Model) applyShown() {
	cur, _ := m.current()
	m.shown = m.ranked.Shown
	m.regroup()
	if !m.moveTo(cur.tag) {
		m.cur.Pos = 0 // the best match first
	}
	m.SetSize(m.width, m.height)
}

// regroup marks the grouped view stale; it is rebuilt when next needed.
func (m *Model) regroup() { m.groupsValid = false }

// groupList is the grouped view: digests in order of their first shown tag,
// tags still resolving last.
func (m *Model) groupList() []group {
	if m.groupsValid {
		return m.groups
	}
	m.groups = m.groups[:0]
	at := map[string]int{}
	var pending []string
	for _, i := range m.shown {
		r := m.rows[i]
		if r.digest == "" {
			pending = append(pending, r.tag)
			continue
		}
		g, ok := at[r.digest]
		if !ok {
			g = len(m.groups)
			at[r.digest] = g
			m.groups = append(m.groups, group{digest: r.digest})
		}
		m.groups[g].tags = append(m.groups[g].tags, r.tag)
	}
	if len(pending) > 0 {
		m.groups = append(m.groups, group{tags: pending})
	}
	m.groupsValid = true
	return m.groups
}

// length is how many lines the list has.
func (m *Model) length() int {
	if m.grouped {
		return len(m.groupList())
	}
	return len(m.shown)
}

// current is the row under the cursor; in the grouped view, the first tag
// of the group.
func (m *Model) current() (row, bool) {
	if m.grouped {
		gs := m.groupList()
		if m.cur.Pos >= len(gs) {
			return row{}, false
		}
		return m.rows[m.index[gs[m.cur.Pos].tags[0]]], true
	}
	if m.cur.Pos >= len(m.shown) {
		return row{}, false
	}
	return m.rows[m.shown[m.cur.Pos]], true
}

// moveTo puts the cursor on tag's line if it shows, else keeps it in range;
// it reports whether tag shows.
func (m *Model) moveTo(tag string) bool {
	m.cur.SetLen(m.length())
	if tag == "" {
		return true
	}
	found := false
	if m.grouped {
		for i, g := range m.groupList() {
			if slices.Contains(g.tags, tag) {
				m.cur.Pos, found = i, true
			}
		}
	} else if i, ok := m.index[tag]; ok {
		if p, shows := slices.BinarySearch(m.shown, i); shows {
			m.cur.Pos, found = p, true
		}
	}
	m.cur.Clamp()
	return found
}

// toggleGrouped switches between one line per tag and one per image,
// keeping the cursor on the same tag.
func (m *Model) toggleGrouped() {
	cur, _ := m.current()
	m.grouped = !m.grouped
	m.moveTo(cur.tag)
}

// Capturing reports whether the pane takes every key (the filter is being
// typed): the root then sends it keys it would otherwise handle itself.
func (m *Model) Capturing() bool { return m.filter.Typing }

// Clear drops the filter; it reports whether there was one (esc then does
// nothing else).
func (m *Model) Clear() (bool, tea.Cmd) {
	if !m.filter.Clear() {
		if m.selection.Clear() {
			return true, status("selection cleared")
		}
		return false, nil
	}
	m.refiltered()
	return true, nil
}

// refiltered shows what the filter lets through, and makes room for (or
// takes back) its line.
func (m *Model) refiltered() {
	m.refilter()
	m.SetSize(m.width, m.height)
}

// filterKey gives the filter the key (it starts the filter, or edits it as
// the user types; up and down still move).
func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.filter.Typing && key.Matches(msg, m.keys.Nav.Up, m.keys.Nav.Down) && msg.Text == "" {
		m.cur.Handle(m.keys.Nav, msg)
		return m.selected()
	}
	if _, refilter := m.filter.Key(msg); refilter {
		m.SetSize(m.width, m.height) // the filter line comes or goes at once
		return m.filterAsync()
	}
	return nil
}

// groupLines renders the visible groups: digest, count, tags.
func (m *Model) groupLines() []string {
	gs := m.groupList()
	var lines []string
	from, to := m.cur.Visible()
	for i := from; i < to && i < len(gs); i++ {
		g := gs[i]
		head := listnav.Pad("…", digestWidth)
		style := m.styles.Muted
		if g.digest != "" {
			head, style = domain.ShortDigest(g.digest), m.styles.Marker(g.digest)
		}
		if i == m.cur.Pos && m.focused {
			head = m.styles.Selected.Render(head)
		} else {
			head = style.Render(head)
		}
		count := style.Render(fmt.Sprintf("= %-3d", len(g.tags)))
		tags := strings.Join(g.tags, ", ")
		if b := m.badge(g.digest); b != "" && g.digest != "" {
			tags = "[" + b + "] " + tags
		}
		lines = append(lines, head+" "+count+" "+listnav.Truncate(tags, max(m.width-digestWidth-7, 8)))
	}
	return lines
}
