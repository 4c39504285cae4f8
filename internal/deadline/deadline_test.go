package deadline_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/deadline"
)

func TestAnOperationWithoutProgressEndsWithItsCause(t *testing.T) {
	ctx, cancel := deadline.WithBudget(context.Background(), 50*time.Millisecond)
	defer cancel()
	deadline.Waiting(ctx, "HEAD reg.example/app/manifests/d")
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the deadline never came")
	}
	err := deadline.Explain(ctx, ctx.Err())
	if !errors.Is(err, deadline.ErrNoProgress) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v is not a deadline", err)
	}
	for _, want := range []string{"no progress for 50ms", "waiting for HEAD reg.example/app/manifests/d", "stall_timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestProgressMovesTheDeadlineOn(t *testing.T) {
	ctx, cancel := deadline.WithBudget(context.Background(), 100*time.Millisecond)
	defer cancel()
	end := time.Now().Add(400 * time.Millisecond)
	for time.Now().Before(end) {
		deadline.Progress(ctx)
		time.Sleep(10 * time.Millisecond)
		if ctx.Err() != nil {
			t.Fatalf("ended while it moved: %v", context.Cause(ctx))
		}
	}
	left, budget, ok := deadline.Left(ctx)
	if !ok || budget != 100*time.Millisecond || left <= 0 || left > budget {
		t.Errorf("left %s of %s (%v)", left, budget, ok)
	}
	<-ctx.Done()
	if deadline.Cause(ctx) == nil {
		t.Errorf("ended by %v, not its deadline", context.Cause(ctx))
	}
}

// An operation inside another is one operation: the inner sets the
// budget, the outer's context ends.
func TestAnInnerBudgetSetsTheOuterOne(t *testing.T) {
	outer, cancel := deadline.WithBudget(context.Background(), time.Hour)
	defer cancel()
	inner, stop := deadline.WithBudget(outer, 30*time.Millisecond)
	defer stop()
	select {
	case <-inner.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the inner budget did not count")
	}
	if outer.Err() == nil || deadline.Cause(inner) == nil || deadline.Cause(outer) == nil {
		t.Errorf("the contexts did not end with the cause: inner %v, outer %v", context.Cause(inner), context.Cause(outer))
	}
}

func TestCancelIsNotADeadline(t *testing.T) {
	ctx, cancel := deadline.WithBudget(context.Background(), time.Hour)
	cancel()
	if deadline.Cause(ctx) != nil || !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("cancelled: %v", context.Cause(ctx))
	}
	if err := deadline.Explain(ctx, context.Canceled); !errors.Is(err, context.Canceled) || errors.Is(err, deadline.ErrNoProgress) {
		t.Errorf("explained as %v", err)
	}
	// Without a deadline nothing happens.
	deadline.Progress(context.Background())
	if _, _, ok := deadline.Left(context.Background()); ok {
		t.Error("a plain context has a deadline")
	}
	if got := deadline.Budget(5 * time.Second); got != 35*time.Second {
		t.Errorf("budget for 5s: %s", got)
	}
}
