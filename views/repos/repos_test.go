package repos_test

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/theme"
)

// fakeLister serves its pages in order, then err.
type fakeLister struct {
	pages []domain.CatalogPage
	err   error
}

func (f fakeLister) CatalogPages(context.Context, string) iter.Seq2[domain.CatalogPage, error] {
	return func(yield func(domain.CatalogPage, error) bool) {
		for _, p := range f.pages {
			if !yield(p, nil) {
				return
			}
		}
		if f.err != nil {
			yield(domain.CatalogPage{}, f.err)
		}
	}
}

func newPane(t *testing.T, l repos.Lister) *repos.Model {
	t.Helper()
	m := repos.New(l, nil, "reg.example", theme.New(theme.Default(), true))
	m.SetSize(40, 10)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Init(), 10)
	return m
}

func TestReposAreSortedAndEnterOpensOne(t *testing.T) {
	m := newPane(t, fakeLister{pages: []domain.CatalogPage{{Items: []string{"zeta/z", "alpha/a"}}, {Items: []string{"mid/m"}}}})
	if title := strings.Split(ansi.Strip(m.View()), "\n")[0]; title != "Repositories · 3" {
		t.Errorf("after both pages the title is %q", title)
	}
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

// A registry that refuses its catalog shows the configured repositories
// and says why.
func TestConfiguredRepositoriesNote(t *testing.T) {
	m := newPane(t, fakeLister{pages: []domain.CatalogPage{{Items: []string{"team/app"}, Configured: true, Note: "reg.example refuses its catalog (denied): showing the repositories configured for it"}}})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "refuses its catalog") || !strings.Contains(v, "team/app") {
		t.Errorf("configured fallback not explained:\n%s", v)
	}
}

// A page that arrives after an error in a later page stays listed.
func TestPagesBeforeAnErrorStay(t *testing.T) {
	m := newPane(t, fakeLister{pages: []domain.CatalogPage{{Items: []string{"a/one"}}}, err: errors.New("list repositories: reg.example: registry error")})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "a/one") || !strings.Contains(v, "list repositories") {
		t.Errorf("first page or error missing:\n%s", v)
	}
}

func TestCatalogErrorIsShownAndReloadRetries(t *testing.T) {
	m := newPane(t, fakeLister{err: errors.New("list repositories: reg.example: unauthorized")})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "unauthorized") {
		t.Errorf("error not shown:\n%s", v)
	}
	cmd := m.Update(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	if cmd == nil {
		t.Fatal("ctrl+r did not reload")
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "so far…") {
		t.Errorf("reload does not show loading:\n%s", v)
	}
}

func TestFilterNarrowsTheRepositories(t *testing.T) {
	m := newPane(t, fakeLister{pages: []domain.CatalogPage{{Items: []string{"team/api", "team/web", "tools/builder", "team/worker"}}}})
	for _, k := range []string{"/", "t", "w", "k"} {
		m.Update(tea.KeyPressMsg{Code: rune(k[0]), Text: k})
	}
	if !m.Capturing() {
		t.Fatal("the filter is not taking keys")
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "/twk▏  1 of 4 match") || !strings.Contains(view, "team/worker") || strings.Contains(view, "team/web") {
		t.Errorf("filter twk:\n%s", view)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if sel, ok := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})().(repos.SelectedMsg); !ok || sel.Repository != "reg.example/team/worker" {
		t.Errorf("enter on the filtered list selected %#v", sel)
	}
	if ok, _ := m.Clear(); !ok || !strings.Contains(ansi.Strip(m.View()), "team/web") {
		t.Errorf("Clear did not drop the filter:\n%s", ansi.Strip(m.View()))
	}
}

// A page that arrives while the user is on a repository sorts in around
// it: the cursor keeps the repository, and enter opens the one it is on.
func TestCursorKeepsItsRepositoryAsPagesArrive(t *testing.T) {
	m := repos.New(fakeLister{}, nil, "reg.example", theme.New(theme.Default(), true))
	m.SetSize(40, 10)
	m.SetFocused(true)
	m.Update(repos.PageLoadedMsg{Host: "reg.example", Seq: 0, Page: domain.CatalogPage{Items: []string{"team/b", "team/d"}}})
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}) // team/d
	m.Update(repos.PageLoadedMsg{Host: "reg.example", Seq: 0, Page: domain.CatalogPage{Items: []string{"team/a", "team/c"}}})
	cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if sel, ok := cmd().(repos.SelectedMsg); !ok || sel.Repository != "reg.example/team/d" {
		t.Errorf("enter after a page sorted in opened %#v, want team/d", sel)
	}
}
