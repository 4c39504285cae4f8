package tui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
)

// The user's keys from the config file act, the old ones no longer do, and
// the help page and key hint show them.
func TestUserKeysActAndShowInHelp(t *testing.T) {
	f, ch := fakeRegistry{}, &fakeChanger{}
	keys := []domain.KeyBinding{
		{View: "tags", Action: "delete", Keys: []string{"D"}},
		{View: "tags", Action: "undo", Keys: []string{"U", "ctrl+z"}},
		{View: "global", Action: "zoom", Keys: []string{"Z"}},
	}
	if err := tui.CheckKeys(keys); err != nil {
		t.Fatal(err)
	}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: changing{f, ch}, Local: f,
		Styles: theme.New(theme.Default(), true), Clock: fixedClock, Keys: keys,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(m, "enter", "j", "d")
	if strings.Contains(screen(m), "Delete tag") {
		t.Fatalf("d still deletes after delete was bound to D:\n%s", screen(m))
	}
	if s := screen(m); !strings.Contains(s, "D delete • U/ctrl+z undo") {
		t.Errorf("the key hint does not show the user's keys:\n%s", s)
	}
	press(m, "D")
	if !strings.Contains(screen(m), "Delete tag registry.example:5000/team/app:1.0?") {
		t.Fatalf("D does not delete:\n%s", screen(m))
	}
	press(m, "n", "Z")
	if s := screen(m); strings.Contains(s, "Local") {
		t.Errorf("Z did not zoom the Tags pane:\n%s", s)
	}
	press(m, "?")
	if s := screen(m); !strings.Contains(s, "Z   zoom ") || !strings.Contains(s, "D delete") {
		t.Errorf("the help page does not show the user's keys:\n%s", s)
	}
}

// A binding that names no view, no action, or a key another action keeps
// is refused, saying which binding; two actions may swap keys. (The binary
// adds the file and line: TestBadKeyBindingIsRefusedWithWhere.)
func TestCheckKeysSaysWhich(t *testing.T) {
	b := func(view, action string, keys ...string) domain.KeyBinding {
		return domain.KeyBinding{View: view, Action: action, Keys: keys}
	}
	for _, tc := range []struct {
		bs   []domain.KeyBinding
		want string
	}{
		{[]domain.KeyBinding{b("tag", "delete", "D")}, `keys.tag.delete: no view "tag": the views are details, global, lists, local, repositories, tags`},
		{[]domain.KeyBinding{b("tags", "dlete", "D")}, `keys.tags.dlete: no action "dlete" in tags: its actions are open, sort, delete`},
		{[]domain.KeyBinding{b("tags", "sort", "x"), b("tags", "delete", "u")}, `keys.tags.delete: "u" is already undo's key in tags: bind undo to another key too`},
		{[]domain.KeyBinding{b("lists", "down", "n")}, ""},
		{[]domain.KeyBinding{b("tags", "delete", "u"), b("tags", "undo", "d")}, ""},
	} {
		err := tui.CheckKeys(tc.bs)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.bs, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%v: got %v, want %s…", tc.bs, err, tc.want)
		}
	}
}
