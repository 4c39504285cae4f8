package repos_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/tui/theme"
	"github.com/wharf-dev/wharf/views/repos"
)

type fakeLister struct {
	repos []string
	err   error
}

func (f fakeLister) Catalog(context.Context, string) ([]string, error) { return f.repos, f.err }

func newPane(l repos.Lister) *repos.Model {
	m := repos.New(l, "reg.example", theme.New(theme.Default(), true))
	m.SetSize(40, 10)
	m.SetFocused(true)
	teatestutil.Drain(m.Update, m.Init(), 10)
	return m
}

func TestReposAreSortedAndEnterOpensOne(t *testing.T) {
	m := newPane(fakeLister{repos: []string{"zeta/z", "alpha/a", "mid/m"}})
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if len(lines) < 4 || strings.TrimSpace(lines[1]) != "alpha/a" || strings.TrimSpace(lines[3]) != "zeta/z" {
		t.Fatalf("repositories not sorted:\n%s", strings.Join(lines, "\n"))
	}
	m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if sel, ok := cmd().(repos.SelectedMsg); !ok || sel.Repository != "reg.example/zeta/z" {
		t.Errorf("enter after G selected %#v", sel)
	}
}

func TestCatalogErrorIsShownAndReloadRetries(t *testing.T) {
	m := newPane(fakeLister{err: errors.New("list repositories: reg.example: unauthorized")})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "unauthorized") {
		t.Errorf("error not shown:\n%s", v)
	}
	cmd := m.Update(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	if cmd == nil {
		t.Fatal("ctrl+r did not reload")
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "loading") {
		t.Errorf("reload does not show loading:\n%s", v)
	}
}
