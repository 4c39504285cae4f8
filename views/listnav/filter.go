package listnav

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// FilterKeyMap are the keys of a list filter.
type FilterKeyMap struct {
	// Start begins typing; while typing, Done keeps the filter, Clear drops
	// it and Erase deletes the last character. Other text is typed.
	Start, Done, Clear, Erase key.Binding
}

// DefaultFilterKeyMap is / to filter, as in less and vim.
func DefaultFilterKeyMap() FilterKeyMap {
	return FilterKeyMap{
		Start: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Done:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		Clear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Erase: key.NewBinding(key.WithKeys("backspace"), key.WithHelp("backspace", "erase")),
	}
}

// Filter is a list's fuzzy filter: the text typed so far and whether it is
// being typed (then the list takes every key).
type Filter struct {
	Keys   FilterKeyMap
	Text   string
	Typing bool
}

// NewFilter returns an empty filter with the default keys.
func NewFilter() Filter { return Filter{Keys: DefaultFilterKeyMap()} }

// Active reports whether the filter is being typed or narrows the list.
func (f *Filter) Active() bool { return f.Typing || f.Text != "" }

// Start begins typing if msg is the start key.
func (f *Filter) Start(msg tea.KeyPressMsg) bool {
	if key.Matches(msg, f.Keys.Start) {
		f.Typing = true
		return true
	}
	return false
}

// Type takes a key while typing and reports whether the text changed.
func (f *Filter) Type(msg tea.KeyPressMsg) (changed bool) {
	switch {
	case key.Matches(msg, f.Keys.Done):
		f.Typing = false
	case key.Matches(msg, f.Keys.Clear):
		f.Typing = false
		changed = f.Text != ""
		f.Text = ""
	case key.Matches(msg, f.Keys.Erase):
		if r := []rune(f.Text); len(r) > 0 {
			f.Text, changed = string(r[:len(r)-1]), true
		}
	case msg.Text != "":
		f.Text, changed = f.Text+msg.Text, true
	}
	return changed
}

// Key gives the filter a key first: while typing it takes every key,
// otherwise only the start key. handled says the list should do nothing
// else with the key; refilter that what shows (or the filter line) may
// have changed.
func (f *Filter) Key(msg tea.KeyPressMsg) (handled, refilter bool) {
	if f.Typing {
		changed := f.Type(msg)
		return true, changed || !f.Typing
	}
	if f.Start(msg) {
		return true, true
	}
	return false, false
}

// Clear drops the filter; it reports whether there was one.
func (f *Filter) Clear() bool {
	was := f.Active()
	f.Text, f.Typing = "", false
	return was
}

// Match returns the indices of the n items whose names match the text,
// best first (see Rank); all of them in list order without text.
func (f *Filter) Match(n int, name func(i int) string) []int {
	names := make([]string, n)
	for i := range n {
		names[i] = name(i)
	}
	return Rank(f.Text, names, nil, nil)
}

// Line is the line a list shows under its title while the filter is
// active: the text, a cursor while typing, and how many items match.
func (f *Filter) Line(shown, total, width int) string {
	cursor := ""
	if f.Typing {
		cursor = "▏"
	}
	return Truncate(fmt.Sprintf("/%s%s  %d of %d match", f.Text, cursor, shown, total), width)
}
