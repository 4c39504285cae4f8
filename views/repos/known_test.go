package repos_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/theme"
)

// knownLister remembers a listing.
type knownLister struct {
	fakeLister
	snap domain.CatalogSnapshot
}

func (k knownLister) KnownCatalog(host string) (domain.CatalogSnapshot, bool) {
	return k.snap, host == k.snap.Host
}

func lines(m *repos.Model) []string {
	out := strings.Split(ansi.Strip(m.View()), "\n")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// A registry listed before shows its repositories at once, with their age;
// the fresh listing replaces them whole when it is complete; with the
// registry unreachable the remembered listing stays, said to be offline.
func TestRememberedRepositoriesShowAtOnce(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	src := knownLister{
		fakeLister: fakeLister{pages: []domain.CatalogPage{{Items: []string{"team/app", "team/new"}}, {Items: []string{"team/tools"}}}},
		snap:       domain.CatalogSnapshot{Host: "reg.example", Repositories: []string{"team/old", "team/app", "team/tools"}, At: now.Add(-5 * time.Minute)},
	}
	m := repos.New(src, nil, "reg.example", theme.New(theme.Default(), true))
	m.SetClock(func() time.Time { return now })
	m.SetSize(60, 10)
	m.SetFocused(true)

	msg := m.Init()()
	if b, ok := msg.(tea.BatchMsg); ok {
		msg = b[0]()
	}
	if _, ok := msg.(repos.KnownMsg); !ok {
		t.Fatalf("the first message is %T, not the remembered listing", msg)
	}
	list := m.Update(msg)
	first := lines(m)
	if first[0] != "Repositories · 3 · listing… · cached 5m ago" || first[1] != "team/app" || first[2] != "team/old" {
		t.Fatalf("the first frame is not the remembered listing:\n%s", strings.Join(first, "\n"))
	}
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}) // on team/old … which the registry no longer has
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}) // on team/tools
	teatestutil.Drain(t, m.Update, list, 20)
	fresh := lines(m)
	if fresh[0] != "Repositories · 3" || strings.Join(fresh[1:4], " ") != "team/app team/new team/tools" {
		t.Errorf("the fresh listing did not replace the remembered one:\n%s", strings.Join(fresh, "\n"))
	}
	if sel, ok := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})().(repos.SelectedMsg); !ok || sel.Repository != "reg.example/team/tools" {
		t.Errorf("the cursor left its repository: %#v", sel)
	}

	down := knownLister{fakeLister: fakeLister{err: errors.New("list repositories: reg.example: unreachable (connection refused)")}, snap: src.snap}
	m = repos.New(down, nil, "reg.example", theme.New(theme.Default(), true))
	m.SetClock(func() time.Time { return now })
	m.SetSize(60, 10)
	teatestutil.Drain(t, m.Update, m.Init(), 20)
	off := lines(m)
	if off[0] != "Repositories · 3 · offline · cached 5m ago" || off[1] != "team/app" {
		t.Errorf("offline, the remembered listing is not shown as such:\n%s", strings.Join(off, "\n"))
	}
}
