// Package teatestutil runs bubbletea commands synchronously in tests: a
// command's message is fed back into the model, batches are flattened, until
// nothing is left to do. Views and the root model use it in Update tests.
package teatestutil

import tea "charm.land/bubbletea/v2"

// Updater is anything with an Update that returns a command.
type Updater func(tea.Msg) tea.Cmd

// Drain runs cmd and every command its messages lead to, in order, feeding
// each message to update. It gives up after limit messages so a test cannot
// hang on a model that never settles; it returns the number of messages.
func Drain(update Updater, cmd tea.Cmd, limit int) int {
	queue := []tea.Cmd{cmd}
	n := 0
	for len(queue) > 0 && n < limit {
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
			n++
			queue = append(queue, update(msg))
		}
	}
	return n
}
