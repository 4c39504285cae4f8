package repos_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views/prompt"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/theme"
)

// editor keeps registries as a config file would.
type editor struct {
	fakeLister
	saved map[string]domain.RegistrySettings
}

func (e *editor) RegistrySettings(host string) (domain.RegistrySettings, bool) {
	s, ok := e.saved[host]
	return s, ok
}

func (e *editor) SaveRegistry(old string, s domain.RegistrySettings) error {
	delete(e.saved, old)
	e.saved[s.Host] = s
	return nil
}

func (e *editor) RemoveRegistry(host string) error { delete(e.saved, host); return nil }

func typeInto(p *prompt.Model, s string) {
	for _, r := range s {
		p.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// From the list of registries (esc, even with one), a opens a form that
// checks each field as it is typed and saves only a valid registry, which
// then shows in the list.
func TestARegistryIsAddedFromTheApp(t *testing.T) {
	ed := &editor{saved: map[string]domain.RegistrySettings{}}
	m := repos.New(ed, nil, "reg.example", theme.New(theme.Default(), true))
	m.SetSize(60, 12)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Init(), 20)
	if done, _ := m.Clear(); !done {
		t.Fatal("esc does not list the registries when there is one")
	}
	var req prompt.RequestMsg
	teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
		if r, ok := msg.(prompt.RequestMsg); ok {
			req = r
			return nil
		}
		return m.Update(msg)
	}, m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"}), 20)
	if len(req.Form) != 6 {
		t.Fatalf("a did not open the registry form: %+v", req)
	}
	p := prompt.New(req, theme.New(theme.Default(), true))
	p.SetSize(60, 20)
	typeInto(p, "bad_host.com")
	if v := ansi.Strip(p.View()); !strings.Contains(v, "bad_host.com") || p.Update(tea.KeyPressMsg{Code: tea.KeyEnter}) != nil {
		t.Fatalf("an invalid host was not held back:\n%s", v)
	}
	for range len("bad_host.com") {
		p.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	typeInto(p, "lab.example:5000")
	p.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	typeInto(p, "lab")
	var closed tea.Msg
	for range 6 { // enter walks to the last field, then submits
		if cmd := p.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); cmd != nil {
			closed = cmd()
			break
		}
	}
	c, ok := closed.(prompt.ClosedMsg)
	if !ok || c.Cmd == nil {
		t.Fatalf("the form did not submit: %#v", closed)
	}
	teatestutil.Drain(t, m.Update, c.Cmd, 20)
	if s := ed.saved["lab.example:5000"]; s.Name != "lab" || s.Insecure {
		t.Errorf("saved %+v", ed.saved)
	}
	if !strings.Contains(ansi.Strip(m.View()), "lab.example:5000") {
		t.Errorf("the new registry is not listed:\n%s", ansi.Strip(m.View()))
	}
}
