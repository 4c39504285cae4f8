package tui_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
)

// rateLimited is a registry whose 429 waits come from a channel.
type rateLimited struct {
	fakeRegistry
	waits chan domain.RateWait
}

func (r rateLimited) RateWaits(context.Context) <-chan domain.RateWait { return r.waits }

// While wharf waits out a 429 the status bar says whose limit, how long
// still and why, instead of a silent "loading…"; it stops saying so when
// the wait ends, or when its time is up though the end was not reported.
func TestRateLimitWaitsAreSaid(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	budget := domain.RateBudget{Limit: 100, Remaining: 0, Window: 6 * time.Hour}
	wait := domain.RateWait{Registry: "registry.example:5000", Until: t0.Add(12 * time.Second), Retry: 1, Budget: &budget}
	const said = "rate limited by registry.example:5000, retrying in 12 s (pulls 0/100 per 6h)"
	for _, tc := range []struct {
		name   string
		events []domain.RateWait
		// advance: a minute passes once the wait was seen.
		advance bool
	}{
		{"ended", []domain.RateWait{wait, {Registry: wait.Registry}}, false},
		{"time-up", []domain.RateWait{wait}, true},
		// Two requests wait side by side; the first to end does not end
		// the other's.
		{"side-by-side", []domain.RateWait{wait, wait, {Registry: wait.Registry}, {Registry: wait.Registry}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			waits := make(chan domain.RateWait, len(tc.events))
			for _, w := range tc.events {
				waits <- w
			}
			close(waits)
			var later atomic.Bool
			m := tui.New(tui.Options{
				Registry: "registry.example:5000", Label: "test", Remote: rateLimited{waits: waits}, Local: fakeRegistry{}, Styles: theme.New(theme.Default(), true),
				Clock: func() time.Time {
					if later.Load() {
						return t0.Add(time.Minute)
					}
					return t0
				},
			})
			m.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
			var screens []string
			reports := 0
			teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
				_, cmd := m.Update(msg)
				s := screen(m)
				screens = append(screens, s)
				if fmt.Sprintf("%T", msg) == "tui.rateWaitMsg" {
					if reports++; reports < len(tc.events) && !strings.Contains(s, said) {
						t.Errorf("after report %d of %d the wait is no longer said:\n%s", reports, len(tc.events), s)
					}
				}
				if strings.Contains(s, said) && tc.advance {
					later.Store(true)
				}
				return cmd
			}, m.Init(), 30)
			if !slices.ContainsFunc(screens, func(s string) bool { return strings.Contains(s, said) }) {
				t.Fatalf("the status bar never said %q:\n%s", said, screens[len(screens)-1])
			}
			if s := screen(m); strings.Contains(s, "rate limited") {
				t.Errorf("the wait is still said after it is over:\n%s", s)
			}
		})
	}
}

var _ tui.RateWaiter = rateLimited{}
