// Package deadline bounds an operation by its progress: an operation whose
// context carries a deadline ends when it has made no progress for its
// budget — a registry that hangs, throttles without end or sends its answer
// a byte at a time — while one that keeps moving (a large push, a retention
// run over a thousand tags) runs as long as it moves. The registry client's
// transport and the engine's transfers say what counts as progress (an
// answer that arrived, bytes that moved); retries and 429 waits do not.
//
// It is stdlib only and knows nothing of registries or the terminal.
package deadline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultStall is the config's stall_timeout when it says nothing (the
// engine's own default).
const DefaultStall = 2 * time.Minute

// slack is what a budget adds to stall_timeout: the engine's stall watch
// ends a transfer first, and what ended is read back within the rest of
// the minute an operation is promised.
const slack = 30 * time.Second

// Budget is how long an operation may go without progress for the
// config's stall_timeout: stall + 30s, so that with reading back what a
// cut-off change did, any operation ends within stall + 60s of its last
// progress.
func Budget(stall time.Duration) time.Duration {
	if stall <= 0 {
		stall = DefaultStall
	}
	return stall + slack
}

// ErrNoProgress is the kind of Error; match it with errors.Is.
var ErrNoProgress = errors.New("no progress")

// Error ends an operation that made no progress for its budget.
type Error struct {
	// Budget is how long it went without progress.
	Budget time.Duration
	// Waiting is what it was waiting for last ("HEAD 127.0.0.1:5000/…"),
	// when known.
	Waiting string
}

func (e *Error) Error() string { return e.What() + "; " + e.Advice() }

// What is how long the operation went without progress, and on what it
// waited.
func (e *Error) What() string {
	msg := fmt.Sprintf("no progress for %s", e.Budget)
	if e.Waiting != "" {
		msg += ", waiting for " + e.Waiting
	}
	return msg
}

// Advice is what the user can make of it.
func (e *Error) Advice() string {
	return "wharf stopped waiting: the registry or the engine stopped answering, or keeps refusing (stall_timeout in config.yaml sets how long wharf waits)"
}

// Is matches ErrNoProgress and context.DeadlineExceeded.
func (e *Error) Is(target error) bool {
	return target == ErrNoProgress || target == context.DeadlineExceeded
}

// watch is one operation's deadline.
type watch struct {
	budget time.Duration
	cancel context.CancelCauseFunc
	mu     sync.Mutex
	timer  *time.Timer
	last   time.Time
	what   string
	// expired: the operation ended; progress reported after does not
	// revive it.
	expired bool
}

type key struct{}

// WithBudget returns a context that is cancelled, with an *Error as its
// cause, once budget passes without Progress being reported on it (or on a
// context made from it). A context that already carries a deadline keeps
// that one, with budget as its budget from now on: an operation inside
// another (the app's job, the push it runs) is one operation, and the
// inner knows the configured budget.
func WithBudget(ctx context.Context, budget time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Value(key{}).(*watch); ok || budget <= 0 {
		SetBudget(ctx, budget)
		return context.WithCancel(ctx)
	}
	wctx, cancel := context.WithCancelCause(ctx)
	w := &watch{budget: budget, cancel: cancel, last: time.Now()}
	w.timer = time.AfterFunc(budget, w.expire)
	wctx = context.WithValue(wctx, key{}, w)
	return wctx, func() { w.timer.Stop(); cancel(context.Canceled) }
}

// SetBudget makes budget the budget of ctx's deadline from now on (what
// it already went without progress counts); nothing for a context without
// one, or a budget of 0.
func SetBudget(ctx context.Context, budget time.Duration) {
	if w, ok := ctx.Value(key{}).(*watch); ok && budget > 0 {
		w.setBudget(budget)
	}
}

func (w *watch) setBudget(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.expired {
		return
	}
	w.budget = d
	w.timer.Reset(max(0, d-time.Since(w.last)))
}

func (w *watch) expire() {
	w.mu.Lock()
	if w.expired || time.Since(w.last) < w.budget {
		// Progress came in while the timer fired.
		w.mu.Unlock()
		return
	}
	what, budget := w.what, w.budget
	w.expired = true
	w.mu.Unlock()
	w.cancel(&Error{Budget: budget, Waiting: what})
}

// Progress says the operation of ctx moved: its deadline starts again.
func Progress(ctx context.Context) {
	w, ok := ctx.Value(key{}).(*watch)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.expired {
		return
	}
	w.last = time.Now()
	w.timer.Reset(w.budget)
}

// Waiting notes what the operation of ctx waits for now, for the error
// that ends it.
func Waiting(ctx context.Context, what string) {
	w, ok := ctx.Value(key{}).(*watch)
	if !ok {
		return
	}
	w.mu.Lock()
	w.what = what
	w.mu.Unlock()
}

// Left is how long the operation of ctx may still go without progress,
// and its budget; ok is false for a context without a deadline.
func Left(ctx context.Context) (left, budget time.Duration, ok bool) {
	w, ok := ctx.Value(key{}).(*watch)
	if !ok {
		return 0, 0, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return max(0, w.budget-time.Since(w.last)), w.budget, true
}

// Cause is the *Error that ended ctx's operation, or nil when it did not
// end for want of progress.
func Cause(ctx context.Context) error {
	var e *Error
	if errors.As(context.Cause(ctx), &e) {
		return e
	}
	return nil
}

// Explain returns err with the cause of ctx's end when the operation ran
// out of budget (an error that says only "context canceled" says nothing
// to the user), else err.
func Explain(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	cause := Cause(ctx)
	if cause == nil || errors.Is(err, ErrNoProgress) {
		return err
	}
	// err's own words, not err: an operation its deadline ended was not
	// cancelled by the user (errors.Is(…, context.Canceled) stays false).
	return fmt.Errorf("%w (%s)", cause, err.Error())
}
