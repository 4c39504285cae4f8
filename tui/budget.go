package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
)

// BudgetReader tells what a registry said of its request budget: RateBudget
// from the answers so far, CheckRateBudget with one HEAD of ref.
type BudgetReader interface {
	RateBudget(host string) (domain.RateBudget, bool)
	CheckRateBudget(ctx context.Context, ref string) (domain.RateBudget, bool, error)
}

// budgetMsg carries a registry's request budget.
type budgetMsg struct {
	host   string
	budget domain.RateBudget
}

// readBudget reads what host last said of its budget; with check, it asks
// with one HEAD of ref first.
func readBudget(b BudgetReader, host, ref string) tea.Cmd {
	return func() tea.Msg {
		if ref != "" {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if budget, ok, err := b.CheckRateBudget(ctx, ref); err == nil && ok {
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
// to it); for Docker Hub not heard from yet, it asks.
func (m *Model) budgetCmd() tea.Cmd {
	if m.budgets == nil {
		return nil
	}
	ref := ""
	if m.opts.Registry == domain.DockerHub && m.budget == nil {
		ref = domain.HubBudgetReference
	}
	return readBudget(m.budgets, m.opts.Registry, ref)
}
