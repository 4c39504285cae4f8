package teatestutil

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Run runs cmd and every command its messages lead to as a program does:
// each command on a goroutine of its own (so timers and streams run side by
// side), each message handed to update on the caller's goroutine, in the
// order they arrive. It returns once until, asked after each message and
// every 10 ms, says so; past limit it fails the test.
func Run(tb testing.TB, update Updater, cmd tea.Cmd, limit time.Duration, until func() bool) {
	tb.Helper()
	msgs := make(chan tea.Msg, 64)
	stop := make(chan struct{})
	defer close(stop)
	var start func(tea.Cmd)
	start = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, c := range batch {
					start(c)
				}
				return
			}
			if msg == nil {
				return
			}
			select {
			case msgs <- msg:
			case <-stop:
			}
		}()
	}
	start(cmd)
	deadline := time.After(limit)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !until() {
		select {
		case msg := <-msgs:
			start(update(msg))
		case <-tick.C:
		case <-deadline:
			tb.Fatalf("not done after %s", limit)
			return
		}
	}
}
