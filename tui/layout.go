package tui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/wharf-dev/wharf/views/listnav"
)

// WideWidth is the width from which Details has a column of its own
// beside the two sides; below it Details opens in a side's place.
const WideWidth = 140

// noDetails is detailsFrom while Details is not open.
const noDetails = -1

// column is a pane shown on screen and where: its left edge and outer
// width.
type column struct{ pane, x, w int }

// layout is what the screen shows: the columns side by side over the
// body's height, then the jobs, the status bar and the key hint.
type layout struct {
	cols  []column
	bodyH int
}

// wide reports whether Details has its own column.
func (m *Model) wide() bool { return m.width >= WideWidth }

// shown are the panes on screen, left to right, before zooming: Local (or
// Details opened from it), the Remote panel at its level (or Details
// opened from it), and Details on a wide terminal.
func (m *Model) shown() []int {
	left, right := paneLocal, m.remote
	if !m.wide() {
		switch m.detailsFrom {
		case noDetails:
		case paneLocal:
			left = paneDetails
		default:
			right = paneDetails
		}
		return []int{left, right}
	}
	return []int{left, right, paneDetails}
}

func (m *Model) geometry() layout {
	g := layout{bodyH: m.height - 2 - m.jobs.lines()}
	panes := m.shown()
	if m.zoom {
		panes = []int{m.focus}
	}
	// Local is as wide as Remote; on a wide terminal Details takes what a
	// third leaves of the width.
	widths := []int{m.width}
	switch len(panes) {
	case 2:
		widths = []int{m.width / 2, m.width - m.width/2}
	case 3:
		l, r := m.width*3/10, m.width*4/10
		widths = []int{l, r, m.width - l - r}
	}
	x := 0
	for i, p := range panes {
		g.cols = append(g.cols, column{pane: p, x: x, w: widths[i]})
		x += widths[i]
	}
	return g
}

// panel draws a pane in its frame: the top edge carries the panel's
// breadcrumb, marked (▶, reversed) when it has the focus.
func (m *Model) panel(c column, h int) string {
	focused := c.pane == m.focus
	style, edge, title := m.styles.Pane, m.styles.Border, m.styles.PanelTitle
	mark := " "
	if focused {
		style, edge, title, mark = m.styles.FocusedPane, m.styles.FocusedBorder, m.styles.FocusedPanelTitle, "▶"
	}
	b := lipgloss.RoundedBorder()
	// A long breadcrumb keeps the panel's name and loses what follows from
	// its start: where the panel is now matters most.
	name, rest, deeper := strings.Cut(m.crumb(c.pane), " › ")
	crumb := name
	if deeper {
		crumb += " › " + listnav.TruncateLeft(rest, max(c.w-10-lipgloss.Width(name), 1))
	}
	crumb = mark + " " + listnav.Truncate(crumb, max(c.w-7, 1)) + " "
	fill := max(c.w-3-lipgloss.Width(crumb), 0)
	top := edge.Render(b.TopLeft+b.Top) + title.Render(crumb) + edge.Render(strings.Repeat(b.Top, fill)+b.TopRight)
	body := style.BorderTop(false).Width(c.w).Height(h - 1).MaxHeight(h - 1).Render(m.panes[c.pane].View())
	return top + "\n" + body
}

// crumb is where a panel is, k9s-style: Local, Remote › registry ›
// repository, and what Details shows.
func (m *Model) crumb(p int) string {
	const sep = " › "
	switch p {
	case paneLocal:
		if p := m.local.Prefix(); p != "" {
			return "Local" + sep + p
		}
		return "Local"
	case paneRepos:
		if m.repos.AtRegistries() {
			return "Remote" + sep + "registries"
		}
		return "Remote" + sep + m.repos.Host()
	case paneTags:
		return "Remote" + sep + m.tagsCrumb()
	}
	subject := m.details.Subject()
	switch {
	case strings.Contains(subject, " ↔ "):
		subject = "compare"
	case m.localName != "" && strings.HasPrefix(subject, "sha256:"):
		subject = m.localName
	}
	switch {
	case subject == "":
		return "Details"
	case m.wide() || m.detailsFrom == noDetails:
		return "Details" + sep + lastPart(subject, m.tags.Repository())
	case m.detailsFrom == paneLocal:
		return "Local" + sep + subject
	}
	return "Remote" + sep + m.tagsCrumb() + sep + lastPart(subject, m.tags.Repository())
}

// tagsCrumb is the registry and the repository open on the Remote side.
func (m *Model) tagsCrumb() string {
	repo := m.tags.Repository()
	if repo == "" {
		return m.repos.Host()
	}
	if host, path, ok := strings.Cut(repo, "/"); ok && host == m.repos.Host() {
		return host + " › " + path
	}
	return repo
}

// lastPart is a reference without the repository it is in (the tag or
// digest), or the reference whole when it is in another.
func lastPart(ref, repo string) string {
	if rest, ok := strings.CutPrefix(ref, repo); ok && repo != "" && len(rest) > 1 {
		return rest[1:]
	}
	return ref
}

// paneAt is the pane under a screen cell and the line of its content there
// (0 is its title); ok is false outside the panes or while a dialog is up.
func (m *Model) paneAt(x, y int) (pane, line int, ok bool) {
	if m.dialog != nil || m.prompt != nil || m.page != noPage || m.width < MinWidth || m.height < MinHeight {
		return 0, 0, false
	}
	g := m.geometry()
	if y >= g.bodyH {
		return 0, 0, false
	}
	for _, c := range g.cols {
		if x >= c.x && x < c.x+c.w {
			return c.pane, y - m.styles.Pane.GetBorderTopSize(), true
		}
	}
	return 0, 0, false
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.help.SetWidth(w - m.styles.FocusedPane.GetHorizontalFrameSize())
	if w < MinWidth || h < MinHeight {
		return
	}
	frameW, frameH := m.styles.Pane.GetHorizontalFrameSize(), m.styles.Pane.GetVerticalFrameSize()
	g := m.geometry()
	for _, c := range g.cols {
		m.panes[c.pane].SetSize(c.w-frameW, g.bodyH-frameH)
		if c.pane == paneRepos || c.pane == paneTags {
			// The other level of the Remote panel is as big.
			m.repos.SetSize(c.w-frameW, g.bodyH-frameH)
			m.tags.SetSize(c.w-frameW, g.bodyH-frameH)
		}
	}
	m.sizeDialog()
}

// setFocus gives pane i the keys, showing it where it belongs: the Remote
// panel goes to its level, Details opens (on the Remote side) when it had
// no place, and Details on the side that gets focus closes.
func (m *Model) setFocus(i int) {
	m.focus = (i + paneCount) % paneCount
	switch m.focus {
	case paneRepos, paneTags:
		m.remote = m.focus
		if m.detailsFrom == paneRepos || m.detailsFrom == paneTags {
			m.detailsFrom = noDetails
		}
	case paneLocal:
		if m.detailsFrom == paneLocal {
			m.detailsFrom = noDetails
		}
	case paneDetails:
		if m.detailsFrom == noDetails {
			m.detailsFrom = m.remote
		}
	}
	for j, p := range m.panes {
		p.SetFocused(j == m.focus)
	}
	m.resize(m.width, m.height)
}

// cycle moves the focus to the next (or previous) pane on screen.
func (m *Model) cycle(step int) {
	panes := m.shown()
	at := 0
	for i, p := range panes {
		if p == m.focus {
			at = i
		}
	}
	m.setFocus(panes[(at+step+len(panes))%len(panes)])
}

// openDetails shows Details of what pane from just chose, with the keys.
func (m *Model) openDetails(from int) {
	m.detailsFrom = from
	m.setFocus(paneDetails)
}

// back goes up a level: Details returns to the list it was opened from
// (its cursor where it was), Tags to the repositories. It reports whether
// there was a level to leave.
func (m *Model) back() bool {
	switch m.focus {
	case paneDetails:
		from := m.detailsFrom
		if from == noDetails {
			from = m.remote
		}
		m.detailsFrom = noDetails
		m.setFocus(from)
	case paneTags:
		m.setFocus(paneRepos)
	default:
		return false
	}
	return true
}

// across is where a push from the Local side goes (>): the repository
// open on the Remote side, or its registry while none is open ("" while
// the registries are listed).
func (m *Model) across() string {
	switch {
	case m.remote == paneTags && m.tags.Repository() != "":
		return m.tags.Repository()
	case m.repos.AtRegistries():
		return ""
	}
	return m.repos.Host()
}
