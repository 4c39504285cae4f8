package local

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views/listnav"
)

// column is one of the columns beside the name.
type column struct {
	listnav.Column
	// rank is the column's priority: the lowest stays longest as the pane
	// narrows.
	rank int
	cell func(m *Model, img domain.LocalImage) string
}

// allColumns are in the order they are drawn.
var allColumns = []column{
	{listnav.Column{Head: "IMAGE ID", Width: 12}, 2, func(_ *Model, img domain.LocalImage) string { return domain.ShortDigest(img.ID) }},
	{listnav.Column{Head: "CREATED", Width: 7, Right: true}, 3, func(m *Model, img domain.LocalImage) string { return listnav.Age(m.now(), img.Created) }},
	{listnav.Column{Head: "SIZE", Width: 7, Right: true}, 1, func(_ *Model, img domain.LocalImage) string { return domain.HumanSize(img.Size) }},
	{listnav.Column{Head: "CTRS", Width: 4, Right: true}, 4, func(_ *Model, img domain.LocalImage) string {
		if len(img.Containers) == 0 {
			return ""
		}
		return fmt.Sprint(len(img.Containers))
	}},
}

// minNameWidth is the room the name keeps before a column is shown beside
// it.
const minNameWidth = 20

// columns are the columns that fit in room cells, by priority, in drawing
// order.
func (m *Model) columns(room int) []column {
	fits := map[string]bool{}
	for rank := 1; rank <= len(allColumns); rank++ {
		for _, c := range allColumns {
			if c.rank == rank && room >= c.Width+1 {
				fits[c.Head], room = true, room-c.Width-1
			}
		}
	}
	var cols []column
	for _, c := range allColumns {
		if fits[c.Head] {
			cols = append(cols, c)
		}
	}
	return cols
}

func (m *Model) now() time.Time {
	if m.clock != nil {
		return m.clock()
	}
	return time.Now()
}

// SetClock sets what the pane reads the time from (tests fix it).
func (m *Model) SetClock(now func() time.Time) { m.clock = now }

// Prefix is the registry and namespace every tagged image's name starts
// with (each row shows its name without it), "" when they share none.
func (m *Model) Prefix() string { return m.prefix }

// commonPrefix is the longest prefix, up to a "/", of the tagged images'
// first names; "" when fewer than two images are tagged.
func commonPrefix(imgs []domain.LocalImage) string {
	prefix, n := "", 0
	for _, img := range imgs {
		if len(img.RepoTags) == 0 {
			continue
		}
		name := img.RepoTags[0]
		if n == 0 {
			prefix = name[:strings.LastIndexByte(name, '/')+1]
		}
		for !strings.HasPrefix(name, prefix) {
			prefix = prefix[:strings.LastIndexByte(prefix[:len(prefix)-1], '/')+1]
		}
		n++
	}
	if n < 2 {
		return ""
	}
	return prefix
}

// label is what a row names the image as: its first tag without the
// common prefix and how many more it has, or <none> for a dangling image.
func (m *Model) label(img domain.LocalImage) (name, more string) {
	switch {
	case len(img.RepoTags) == 0:
		name = "<none> " + domain.ShortDigest(img.ID)
	default:
		name = strings.TrimPrefix(img.RepoTags[0], m.prefix)
		if n := len(img.RepoTags) - 1; n > 0 {
			more = fmt.Sprintf(" +%d", n)
		}
	}
	if m.selection.Has(img.ID) {
		name = "+ " + name
	}
	return name, more
}

// rowLabels are the labels of the rows from to to, each at most width
// cells: a long name loses its start (the end tells names with a shared
// start apart), unless two rows would then read the same, when those
// lose their end instead.
func (m *Model) rowLabels(from, to, width int) []string {
	labels := make([]string, 0, to-from)
	fit := func(name, more string, fromLeft bool) string {
		room := width - lipgloss.Width(more)
		switch {
		case lipgloss.Width(name) <= room:
			return name + more
		case fromLeft:
			return listnav.TruncateLeft(name, room) + more
		}
		return listnav.Truncate(name, room) + more
	}
	seen := map[string]int{}
	for i := from; i < to; i++ {
		name, more := m.label(m.listing.Images[m.shown[i]])
		l := fit(name, more, true)
		seen[l]++
		labels = append(labels, l)
	}
	for i := from; i < to; i++ {
		if seen[labels[i-from]] > 1 {
			name, more := m.label(m.listing.Images[m.shown[i]])
			labels[i-from] = fit(name, more, false)
		}
	}
	return labels
}
