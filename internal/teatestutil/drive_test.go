package teatestutil_test

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/teatestutil"
)

type tick int

// recorder is a testing.TB whose Fatalf records and stops the drain.
type recorder struct {
	testing.TB
	fatal string
}

type stopped struct{}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	panic(stopped{})
}

func TestDrainRunsEveryCommand(t *testing.T) {
	var seen []int
	update := func(msg tea.Msg) tea.Cmd {
		n := int(msg.(tick))
		seen = append(seen, n)
		if n >= 3 {
			return nil
		}
		return tea.Batch(func() tea.Msg { return tick(n + 1) }, nil)
	}
	if n := teatestutil.Drain(t, update, func() tea.Msg { return tick(1) }, 10); n != 3 || fmt.Sprint(seen) != "[1 2 3]" {
		t.Errorf("drained %d: %v", n, seen)
	}
}

// A model that never settles fails the test at the limit instead of
// letting it go on from a state it did not mean to reach.
func TestDrainFailsAtItsLimit(t *testing.T) {
	forever := func(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }
	r := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stopped); !ok {
					panic(p)
				}
			}
		}()
		teatestutil.Drain(r, forever, func() tea.Msg { return tick(1) }, 5)
	}()
	if !strings.Contains(r.fatal, "has not settled after 5 messages") {
		t.Errorf("fatal %q", r.fatal)
	}
}
