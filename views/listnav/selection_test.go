package listnav_test

import (
	"testing"

	"github.com/wharf-dev/wharf/views/listnav"
)

// A selection is by key: toggling moves the cursor on (not past the end),
// selecting all twice selects none, and keys that went are dropped.
func TestSelectionIsByKey(t *testing.T) {
	var s listnav.Selection
	cur := listnav.Cursor{Len: 2, Height: 5}
	s.Toggle("a", &cur)
	s.Toggle("b", &cur)
	if !s.Has("a") || !s.Has("b") || cur.Pos != 1 {
		t.Fatalf("after two toggles: a %v b %v, cursor %d", s.Has("a"), s.Has("b"), cur.Pos)
	}
	s.Toggle("b", &cur)
	if s.Has("b") || cur.Pos != 1 {
		t.Errorf("b toggled back: %v, cursor %d", s.Has("b"), cur.Pos)
	}
	s.ToggleAll([]string{"a", "c"})
	if s.Len() != 2 || !s.Has("c") {
		t.Errorf("all of a, c: %d selected", s.Len())
	}
	s.ToggleAll([]string{"a", "c"})
	if s.Len() != 0 {
		t.Errorf("all of a, c again: %d selected", s.Len())
	}
	s.ToggleAll([]string{"a", "b", "c"})
	s.Keep(func(k string) bool { return k != "b" })
	if s.Has("b") || s.Len() != 2 || !s.Clear() || s.Len() != 0 || s.Clear() {
		t.Errorf("keep and clear: %d selected", s.Len())
	}
}
