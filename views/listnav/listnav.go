// Package listnav is the cursor and scrolling every list pane shares: up,
// down, top, bottom, page up and page down over a list of a given length,
// keeping the cursor on screen.
package listnav

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap are the movement keys.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
}

// DefaultKeyMap is arrows and vi keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
	}
}

// Bindings lists the movement keys for help.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}
}

// Cursor is a position in a list of Len rows, Height of which are visible
// from Offset.
type Cursor struct {
	Pos, Offset, Len, Height int
}

// Handle moves the cursor for a movement key and reports whether it was one.
func (c *Cursor) Handle(k KeyMap, msg tea.KeyPressMsg) bool {
	switch {
	case key.Matches(msg, k.Up):
		c.Pos--
	case key.Matches(msg, k.Down):
		c.Pos++
	case key.Matches(msg, k.Top):
		c.Pos = 0
	case key.Matches(msg, k.Bottom):
		c.Pos = c.Len - 1
	case key.Matches(msg, k.PageUp):
		c.Pos -= max(1, c.Height)
	case key.Matches(msg, k.PageDown):
		c.Pos += max(1, c.Height)
	default:
		return false
	}
	c.Clamp()
	return true
}

// SetLen changes the list length, keeping the cursor inside it.
func (c *Cursor) SetLen(n int) {
	c.Len = n
	c.Clamp()
}

// SetHeight changes how many rows are visible.
func (c *Cursor) SetHeight(h int) {
	c.Height = h
	c.Clamp()
}

// Clamp keeps Pos inside the list and Offset such that Pos is visible.
func (c *Cursor) Clamp() {
	c.Pos = min(max(c.Pos, 0), max(c.Len-1, 0))
	if c.Height <= 0 {
		c.Offset = c.Pos
		return
	}
	if c.Pos < c.Offset {
		c.Offset = c.Pos
	}
	if c.Pos >= c.Offset+c.Height {
		c.Offset = c.Pos - c.Height + 1
	}
	c.Offset = min(max(c.Offset, 0), max(c.Len-c.Height, 0))
}

// Visible returns the half-open range of rows on screen.
func (c Cursor) Visible() (from, to int) {
	return c.Offset, min(c.Offset+c.Height, c.Len)
}

// Click moves the cursor to the row shown on a pane's content line, where
// first is the line of the first row; it reports whether a row is there.
func (c *Cursor) Click(line, first int) bool {
	row := c.Offset + line - first
	if line < first || row >= c.Len || line-first >= max(c.Height, 1) {
		return false
	}
	c.Pos = row
	c.Clamp()
	return true
}

// Follow puts the cursor on the row whose key is want, after the rows
// changed under it (a reload, a filter, a sort, rows streaming in); keyAt
// is the key of row i. Rows are followed by identity, never by position:
// an action must land on what the user looked at. When no row has that key
// the cursor stays where it was (on the row that took its place) and
// Follow reports false.
func (c *Cursor) Follow(want string, keyAt func(i int) string) bool {
	c.Clamp()
	if want == "" {
		return true
	}
	for i := range c.Len {
		if keyAt(i) == want {
			c.Pos = i
			c.Clamp()
			return true
		}
	}
	return false
}
