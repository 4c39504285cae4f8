package tui

import (
	"context"
	"maps"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
)

// BudgetReader tells what a registry said of its request budget: RateBudget
// from the answers so far, AskRateBudget by asking it (where that is free).
type BudgetReader interface {
	RateBudget(host string) (domain.RateBudget, bool)
	AskRateBudget(ctx context.Context, host string) (domain.RateBudget, bool, error)
}

// budgetMsg carries a registry's request budget.
type budgetMsg struct {
	host   string
	budget domain.RateBudget
}

// readBudget reads what host last said of its budget; with ask, it asks
// first (where the registry tells it for free).
func readBudget(b BudgetReader, host string, ask bool) tea.Cmd {
	return func() tea.Msg {
		if ask {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if budget, ok, err := b.AskRateBudget(ctx, host); err == nil && ok {
				return budgetMsg{host: host, budget: budget}
			}
		}
		if budget, ok := b.RateBudget(host); ok {
			return budgetMsg{host: host, budget: budget}
		}
		return nil
	}
}

// budgetCmd reads the current registry's budget (after a batch of requests
// to it); for a registry not heard from yet, it asks.
func (m *Model) budgetCmd() tea.Cmd {
	if m.budgets == nil {
		return nil
	}
	return readBudget(m.budgets, m.opts.Registry, m.budget == nil)
}

// RateWaiter reports the 429s wharf waits out before asking a registry
// again (a Remote that is one has them said in the status bar, counting
// down, instead of a silent "loading…").
type RateWaiter interface {
	RateWaits(ctx context.Context) <-chan domain.RateWait
}

// rateWaitMsg carries a wait that started (Until set) or ended, and the
// stream.
type rateWaitMsg struct {
	wait   domain.RateWait
	stream <-chan domain.RateWait
}

// rateTickMsg counts the waits down.
type rateTickMsg struct{}

// watchRateWaits waits for the next report.
func watchRateWaits(stream <-chan domain.RateWait) tea.Cmd {
	if stream == nil {
		return nil
	}
	return func() tea.Msg {
		w, ok := <-stream
		if !ok {
			return nil
		}
		return rateWaitMsg{wait: w, stream: stream}
	}
}

// rateWaited notes a wait starting or ending, and counts down while any
// is on.
func (m *Model) rateWaited(msg rateWaitMsg) tea.Cmd {
	// Requests to one registry wait side by side: the registry is said
	// until the last of them is over, with the latest time.
	reg := msg.wait.Registry
	if msg.wait.Until.IsZero() {
		if m.waitN[reg]--; m.waitN[reg] <= 0 {
			delete(m.waits, reg)
			delete(m.waitN, reg)
		}
	} else {
		m.waitN[reg]++
		if w, ok := m.waits[reg]; !ok || !msg.wait.Until.Before(w.Until) {
			m.waits[reg] = msg.wait
		}
	}
	return tea.Batch(watchRateWaits(msg.stream), m.tickWaits())
}

// tickWaits re-draws the countdown every second while a wait is on; a
// wait whose time is up is dropped even if its end was not reported.
func (m *Model) tickWaits() tea.Cmd {
	now := m.now()
	for host, w := range m.waits {
		if now.After(w.Until.Add(time.Second)) {
			delete(m.waits, host)
			delete(m.waitN, host)
		}
	}
	if m.ticking || len(m.waits) == 0 {
		return nil
	}
	m.ticking = true
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return rateTickMsg{} })
}

// waitsText says the waits on, in registry order.
func (m *Model) waitsText() []string {
	now := m.now()
	hosts := slices.Sorted(maps.Keys(m.waits))
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, m.waits[h].Text(now))
	}
	return out
}
