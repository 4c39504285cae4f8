package views

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/deadline"
)

// Jobs are the long operations (copy, push, pull, cleanup) that run off the
// UI thread with a progress bar in the jobs area, several at once, each
// cancellable. A view starts one with StartJob; the root shows it and
// routes its messages.

// JobProgress is how far a job is. Total 0 means not known yet.
type JobProgress struct {
	Done, Total int64
	// Text is the detail next to the bar ("blobs 3/6"); Detail a line per
	// layer, for the jobs page.
	Text   string
	Detail []string
}

// JobFunc does a job's work. It reports progress as it goes, stops when ctx
// is cancelled, and returns a one-line summary of what it did and the
// message the view that started it wants when it ends (nil for none).
type JobFunc func(ctx context.Context, report func(JobProgress)) (summary string, then tea.Msg, err error)

// JobStartedMsg tells the root a job is running.
type JobStartedMsg struct {
	ID     int64
	Title  string
	Cancel context.CancelFunc
	// Left is how long the job may still go without progress before it
	// ends, and its budget (internal/deadline), for the countdown.
	Left   func() (left, budget time.Duration, ok bool)
	stream <-chan tea.Msg
}

// JobProgressMsg is a job's progress; more follow.
type JobProgressMsg struct {
	ID       int64
	Progress JobProgress
	stream   <-chan tea.Msg
}

// JobFinishedMsg ends a job: Err is set when it failed or was cancelled;
// Then, when set, is routed to the panes.
type JobFinishedMsg struct {
	ID      int64
	Summary string
	Err     error
	Then    tea.Msg
	// Progress is the last progress reported (updates are lossy; this one
	// is not), for the jobs page.
	Progress JobProgress
}

var jobIDs atomic.Int64

// heartbeat is how often a running job's line is drawn again.
const heartbeat = time.Second

// ReadContext is the context a pane's read, or a job, runs with: cancelled
// by the pane when it moves on, and ended once the operation has made no
// progress for the default budget (internal/deadline) — a registry that
// drips its answers never holds a pane "loading" for ever.
func ReadContext() (context.Context, context.CancelFunc) {
	return deadline.WithBudget(context.Background(), deadline.Budget(0))
}

// StartJob runs f as a job titled title. The job ends when it has made no
// progress for its budget (the default; what it runs through ops sets the
// configured one), with an error that says so.
func StartJob(title string, f JobFunc) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := ReadContext()
		id := jobIDs.Add(1)
		stream := make(chan tea.Msg, 1)
		var mu sync.Mutex
		var last JobProgress
		ended := false
		// send puts p in the stream's one slot: progress is lossy, and
		// when the UI has not taken the last update yet, p replaces it.
		send := func(p JobProgress) {
			mu.Lock()
			defer mu.Unlock()
			if ended {
				return
			}
			select {
			case <-stream:
			default:
			}
			select {
			case stream <- JobProgressMsg{ID: id, Progress: p}:
			default:
			}
		}
		finished := make(chan struct{})
		go func() {
			// A heartbeat: the jobs area counts a stalled job down to its
			// end even when the job itself says nothing.
			t := time.NewTicker(heartbeat)
			defer t.Stop()
			for {
				select {
				case <-finished:
					return
				case <-t.C:
					mu.Lock()
					p := last
					mu.Unlock()
					send(p)
				}
			}
		}()
		go func() {
			defer close(stream)
			defer cancel()
			summary, then, err := f(ctx, func(p JobProgress) {
				mu.Lock()
				last = p
				mu.Unlock()
				send(p)
			})
			close(finished)
			mu.Lock()
			defer mu.Unlock()
			ended = true
			// Drop an unread progress update: the end supersedes it.
			select {
			case <-stream:
			default:
			}
			stream <- JobFinishedMsg{ID: id, Summary: summary, Err: deadline.Explain(ctx, err), Then: then, Progress: last}
		}()
		left := func() (time.Duration, time.Duration, bool) { return deadline.Left(ctx) }
		return JobStartedMsg{ID: id, Title: title, Cancel: cancel, Left: left, stream: stream}
	}
}

// WaitJob waits for a job's next message; the root re-issues it after each
// progress message.
func WaitJob(msg tea.Msg) tea.Cmd {
	var stream <-chan tea.Msg
	switch msg := msg.(type) {
	case JobStartedMsg:
		stream = msg.stream
	case JobProgressMsg:
		stream = msg.stream
	default:
		return nil
	}
	return WaitNext(stream, JobProgressMsg.withStream)
}

func (p JobProgressMsg) withStream(s <-chan tea.Msg) JobProgressMsg {
	p.stream = s
	return p
}
