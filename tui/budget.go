package tui

import (
	"context"
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
