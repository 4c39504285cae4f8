package tui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
)

// fakeProber answers from a table; probes counts the fresh probes.
type fakeProber struct {
	caps   map[string]domain.Capabilities
	probes *int
}

func (f fakeProber) Capabilities(_ context.Context, host string) (domain.Capabilities, error) {
	return f.caps[host], nil
}

func (f fakeProber) Probe(_ context.Context, host string) (domain.Capabilities, error) {
	*f.probes++
	c := f.caps[host]
	c.Notes = append(c.Notes, "probed again")
	return c, nil
}

// fakeBudget is a registry that stated its budget.
type fakeBudget struct{ b domain.RateBudget }

func (f fakeBudget) RateBudget(string) (domain.RateBudget, bool) { return f.b, true }
func (f fakeBudget) AskRateBudget(context.Context, string) (domain.RateBudget, bool, error) {
	return f.b, true, nil
}

func probedCaps() map[string]domain.Capabilities {
	return map[string]domain.Capabilities{
		"registry.example:5000": {
			Registry: "registry.example:5000", Reachable: true, Scheme: "http", TLS: domain.TLSPlainHTTP, Auth: "none",
			Catalog: domain.Supported, TagDelete: domain.Unsupported, ManifestDelete: domain.Supported, Referrers: domain.Unsupported,
		},
		"ghcr.io": {
			Registry: "ghcr.io", Reachable: true, Scheme: "https", TLS: domain.TLSVerified, Auth: "bearer",
			Catalog: domain.Unsupported, TagDelete: domain.Supported, ManifestDelete: domain.Supported, Referrers: domain.Supported,
		},
		"old.example": {Registry: "old.example", Error: "ping: old.example: unreachable"},
	}
}

// The list of registries shows what each can do; R probes the one under
// the cursor again. The status bar shows the current registry's budget,
// in the danger colour when low.
func TestRegistryBadgesAndBudgetGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		f := fakeRegistry{}
		probes := 0
		m := tui.New(tui.Options{
			Registry: "registry.example:5000", Label: "test",
			Remote: probing{
				Remote: f, Prober: fakeProber{caps: probedCaps(), probes: &probes},
				BudgetReader: fakeBudget{domain.RateBudget{Limit: 100, Remaining: 9, Window: 6 * time.Hour}},
				UserNamer:    users{},
			},
			Registries: []string{"registry.example:5000", "ghcr.io", "old.example"},
			Local:      f, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
		})
		start(t, m)
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		press(m, "enter") // the tags: once their digests are in, the budget
		press(m, "1", "2", "esc")
		s := screen(m)
		for _, want := range []string{
			"registry.example:5000  http",
			"ghcr.io  https",
			"old.example  unreachable",
			"pulls 9/100 per 6h",
		} {
			if !strings.Contains(s, want) {
				t.Errorf("%v: %q not on screen:\n%s", size, want, s)
			}
		}
		// The registry under the cursor spelled out below the list (wrapped
		// at 80 columns).
		if !strings.Contains(s, "registry.example:5000: http ·") {
			t.Errorf("the selected registry's capabilities are not spelled out:\n%s", s)
		}
		golden.Assert(t, sizeName("registry_badges", size), s)
		press(m, "R")
		if probes != 1 {
			t.Errorf("R made %d probes, want 1", probes)
		}
	}
}

// slowUsers is a credential helper that answers only when told to.
type slowUsers struct{ answer chan string }

func (s slowUsers) User(string) string { return <-s.answer }

// Switching registries asks who it is reached as off the UI goroutine: a
// slow credential helper leaves the app answering keys, "as …" meanwhile.
func TestSlowCredentialHelperDoesNotBlock(t *testing.T) {
	f := fakeRegistry{}
	helper := slowUsers{answer: make(chan string, 1)}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: named{f, helper},
		Registries: []string{"registry.example:5000", "ghcr.io"}, Local: f, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	tbOf.Store(m, testing.TB(t))
	init := m.Init() // not run: the helper has not answered
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if s := screen(m); !strings.Contains(s, "registry.example:5000 (test, as …)") {
		t.Errorf("while the helper is asked:\n%s", s)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		press(m, "2", "j") // the app still answers keys
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a key waited for the credential helper")
	}
	helper.answer <- "alice"
	drain(m, init)
	if s := screen(m); !strings.Contains(s, "as alice") {
		t.Errorf("after the helper answered:\n%s", s)
	}
}
