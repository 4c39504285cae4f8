package tui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
)

// The user's keys from the config file act, the old ones no longer do, and
// the help page and key hint show them.
func TestUserKeysActAndShowInHelp(t *testing.T) {
	f, ch := fakeRegistry{}, &fakeChanger{}
	cfg, err := config.Parse("/c/config.yaml", []byte("keys:\n  tags:\n    delete: D\n    undo: [U, ctrl+z]\n  global:\n    zoom: Z\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tui.CheckKeys(cfg.Path, cfg.Bindings()); err != nil {
		t.Fatal(err)
	}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: changing{f, ch}, Local: f,
		Styles: theme.New(theme.Default(), true), Clock: fixedClock, Keys: cfg.Bindings(),
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
	if s := screen(m); !strings.Contains(s, "Z   zoom pane") || !strings.Contains(s, "D delete") {
		t.Errorf("the help page does not show the user's keys:\n%s", s)
	}
}

// A binding that names no view, no action, or a key another action keeps
// is refused with the file, line and field; two actions may swap keys.
func TestCheckKeysSaysWhere(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"keys:\n  tag:\n    delete: D\n", `/c/config.yaml:3: keys.tag.delete: no view "tag": the views are details, global, lists, local, repositories, tags`},
		{"keys:\n  tags:\n    dlete: D\n", `/c/config.yaml:3: keys.tags.dlete: no action "dlete" in tags: its actions are open, sort, delete`},
		{"keys:\n  tags:\n    sort: x\n    delete: u\n", `/c/config.yaml:4: keys.tags.delete: "u" is already undo's key in tags: bind undo to another key too`},
		{"keys:\n  lists:\n    down: n\n", ""},
		{"keys:\n  tags:\n    delete: u\n    undo: d\n", ""},
	} {
		cfg, err := config.Parse("/c/config.yaml", []byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		err = tui.CheckKeys(cfg.Path, cfg.Bindings())
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.body, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%q: got %v, want %s…", tc.body, err, tc.want)
		}
	}
}
