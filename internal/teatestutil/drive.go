// Package teatestutil runs bubbletea commands synchronously in tests: a
// command's message is fed back into the model, batches are flattened, until
// nothing is left to do. Views and the root model use it in Update tests.
package teatestutil

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Updater is anything with an Update that returns a command.
type Updater func(tea.Msg) tea.Cmd

// Drain runs cmd and every command its messages lead to, in order, feeding
// each message to update, and returns the number of messages. A model that
// has not settled after limit messages fails the test: a test never goes
// on from a state it did not mean to reach.
func Drain(tb testing.TB, update Updater, cmd tea.Cmd, limit int) int {
	tb.Helper()
	n := 0
	Walk(func(msg tea.Msg) tea.Cmd {
		if n == limit {
			tb.Fatalf("the model has not settled after %d messages (the next is %T)", limit, msg)
		}
		n++
		return update(msg)
	}, cmd, nil)
	return n
}

// Walk runs cmd and every command its messages lead to, in order, feeding
// each message to update and then, when after is not nil, to after, which
// stops the walk by returning false. It has no limit: benchmarks use it.
func Walk(update Updater, cmd tea.Cmd, after func(tea.Msg) bool) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			queue = append(queue, update(msg))
			if after != nil && !after(msg) {
				return
			}
		}
	}
}
