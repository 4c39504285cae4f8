package repos

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/prompt"
)

// RegistryEditor adds, edits and removes registries in wharf's config
// file; a Lister that is one gets a, e and x in the list of registries.
type RegistryEditor interface {
	RegistrySettings(host string) (domain.RegistrySettings, bool)
	SaveRegistry(old string, s domain.RegistrySettings) error
	RemoveRegistry(host string) error
}

// RegistrySavedMsg says a registry was written to the config file (Old is
// the host it replaced; "" for a new one, Removed for a removal).
type RegistrySavedMsg struct {
	Old, Host string
	Removed   bool
	Err       error
}

// registryFormKey handles a (add), e (edit) and x (remove) in the list of
// registries; it reports whether the key was one of them.
func (m *Model) registryFormKey(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	ed, ok := m.src.(RegistryEditor)
	if !ok {
		return false, nil
	}
	host := m.registries[m.regCur.Pos]
	switch {
	case key.Matches(msg, m.keys.AddRegistry):
		return true, m.registryForm(ed, "", domain.RegistrySettings{})
	case key.Matches(msg, m.keys.EditRegistry):
		s, ok := ed.RegistrySettings(host)
		if !ok {
			return true, views.Status(host + " is not in wharf's config (it comes from docker's config.json): a adds it there to give it settings")
		}
		return true, m.registryForm(ed, host, s)
	case key.Matches(msg, m.keys.RemoveRegistry):
		if _, ok := ed.RegistrySettings(host); !ok {
			return true, views.Status(host + " is not in wharf's config; wharf does not edit docker's config.json")
		}
		return true, func() tea.Msg {
			return views.ConfirmRequestMsg{
				Title: "Remove " + host + " from wharf's config?", Body: "Only config.yaml changes (comments and order kept); docker's credentials stay.", Action: "Remove",
				OnConfirm: func() tea.Msg {
					return RegistrySavedMsg{Old: host, Host: host, Removed: true, Err: ed.RemoveRegistry(host)}
				},
			}
		}
	}
	return false, nil
}

// registryForm asks for a registry's settings, checking each as it is
// typed, and writes them.
func (m *Model) registryForm(ed RegistryEditor, old string, s domain.RegistrySettings) tea.Cmd {
	others := slices.DeleteFunc(slices.Clone(m.registries), func(h string) bool { return h == old })
	title := "Add a registry"
	if old != "" {
		title = "Edit " + old
	}
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	req := prompt.RequestMsg{
		Title: title,
		Form: []prompt.Field{
			{Label: "host (host[:port])", Value: s.Host, Hint: "e.g. registry.example.com:5000", Validate: func(h string) error {
				if err := ref.CheckHost(h); err != nil {
					return err
				}
				if slices.Contains(others, h) {
					return errors.New(h + " is known already")
				}
				return nil
			}},
			{Label: "name (optional)", Value: s.Name, Hint: "what wharf shows; the host when empty"},
			{Label: "insecure (yes/no)", Value: yesNo(s.Insecure), Hint: "plain HTTP / no TLS verification: only for a lab registry", Validate: func(v string) error {
				if v != "yes" && v != "no" {
					return errors.New("yes or no")
				}
				return nil
			}},
			{Label: "ca_file (optional)", Value: s.CAFile, Hint: "a PEM bundle to trust for its TLS certificate"},
			{Label: "repositories (optional, comma-separated)", Value: strings.Join(s.Repositories, ", "), Hint: "listed where the registry has no catalog (GHCR, ECR, …)", Validate: func(v string) error {
				for _, r := range splitList(v) {
					if _, err := ref.ParseRepository("registry.example/" + r); err != nil {
						return fmt.Errorf("%q: %w", r, err)
					}
				}
				return nil
			}},
			{Label: "namespaces (optional, comma-separated)", Value: strings.Join(s.Namespaces, ", "), Hint: "Docker Hub users or organisations to list"},
		},
		OnSubmitForm: func(v []string) tea.Cmd {
			next := domain.RegistrySettings{Host: v[0], Name: v[1], Insecure: v[2] == "yes", CAFile: v[3], Repositories: splitList(v[4]), Namespaces: splitList(v[5])}
			return func() tea.Msg { return RegistrySavedMsg{Old: old, Host: next.Host, Err: ed.SaveRegistry(old, next)} }
		},
	}
	return func() tea.Msg { return req }
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// registrySaved updates the list of registries after a write, and probes a
// new or changed one.
func (m *Model) registrySaved(msg RegistrySavedMsg) tea.Cmd {
	if msg.Err != nil {
		return views.Failed(msg.Err)
	}
	if msg.Removed {
		m.registries = slices.DeleteFunc(m.registries, func(h string) bool { return h == msg.Host })
		m.regCur.SetLen(len(m.registries))
		m.regCur.Clamp()
		return views.Status("removed " + msg.Host + " from wharf's config")
	}
	if i := slices.Index(m.registries, msg.Old); msg.Old != "" && i >= 0 {
		m.registries[i] = msg.Host
	} else if !slices.Contains(m.registries, msg.Host) {
		m.registries = append(m.registries, msg.Host)
	}
	m.regCur.SetLen(len(m.registries))
	m.regCur.Pos = slices.Index(m.registries, msg.Host)
	delete(m.caps, msg.Host)
	return tea.Batch(views.Status("saved "+msg.Host+" to wharf's config; probing it (its TLS settings apply from the next start)"), m.probe(msg.Host, true))
}
