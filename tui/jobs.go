package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/listnav"
)

// maxJobLines is how many jobs the jobs area shows (the newest).
const maxJobLines = 3

// job is a running or finished job in the jobs area.
type job struct {
	id       int64
	title    string
	cancel   context.CancelFunc
	left     func() (left, budget time.Duration, ok bool)
	progress views.JobProgress
	done     bool
	summary  string
	err      error
	// errText is err's words, credentials taken out once, when it ended.
	errText string
}

// jobs is the jobs area: the root's list of jobs, oldest first.
type jobs struct {
	list []*job
	bar  progress.Model
}

func newJobs() jobs {
	return jobs{bar: progress.New(progress.WithWidth(20), progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'))}
}

func (j *jobs) find(id int64) *job {
	for _, x := range j.list {
		if x.id == id {
			return x
		}
	}
	return nil
}

// update takes a job message and returns what to wait for next, and the
// message the job left for the panes (nil for none). A finished job's
// summary and error are redacted (redact) once, as they come.
func (j *jobs) update(msg tea.Msg, redact func(string) string) (next tea.Cmd, then tea.Msg) {
	switch msg := msg.(type) {
	case views.JobStartedMsg:
		j.list = append(j.list, &job{id: msg.ID, title: msg.Title, cancel: msg.Cancel, left: msg.Left})
		return views.WaitJob(msg), nil
	case views.JobProgressMsg:
		if x := j.find(msg.ID); x != nil {
			x.progress = msg.Progress
		}
		return views.WaitJob(msg), nil
	case views.JobFinishedMsg:
		if x := j.find(msg.ID); x != nil {
			x.done, x.summary, x.err = true, redact(msg.Summary), msg.Err
			if msg.Err != nil {
				x.errText = redact(msg.Err.Error())
			}
			if msg.Progress.Total > 0 || len(msg.Progress.Detail) > 0 {
				x.progress = msg.Progress
			}
		}
		return nil, msg.Then
	}
	return nil, nil
}

// stalledAfter is how long a job goes without progress before its line
// counts down to its end.
const stalledAfter = 5 * time.Second

// countdown is a running job's word on its deadline: nothing while it
// moves; once it has gone stalledAfter without progress, how long and
// when it stops.
func (x *job) countdown() string {
	if x.left == nil {
		return ""
	}
	left, budget, ok := x.left()
	if !ok || budget-left < stalledAfter {
		return ""
	}
	return fmt.Sprintf(" · no progress for %s, stops in %s (x cancels)", (budget - left).Round(time.Second), left.Round(time.Second))
}

// cancelOrDismiss cancels the newest running job; with none running it
// clears the finished ones. It says what it did.
func (j *jobs) cancelOrDismiss() string {
	for i := len(j.list) - 1; i >= 0; i-- {
		if x := j.list[i]; !x.done {
			x.cancel()
			return "cancelling " + x.title
		}
	}
	if len(j.list) == 0 {
		return "no jobs"
	}
	j.list = nil
	return "finished jobs dismissed"
}

// running counts the jobs still running.
func (j *jobs) running() int {
	n := 0
	for _, x := range j.list {
		if !x.done {
			n++
		}
	}
	return n
}

// lines is the jobs area's height.
func (j *jobs) lines() int { return min(len(j.list), maxJobLines) }

// view draws the newest jobs, one line each.
func (m *Model) jobsView() []string {
	var out []string
	list := m.jobs.list[max(0, len(m.jobs.list)-maxJobLines):]
	for _, x := range list {
		var line string
		switch {
		case !x.done:
			pct := 0.0
			if x.progress.Total > 0 {
				pct = float64(x.progress.Done) / float64(x.progress.Total)
			}
			// The bar first, so a long title never pushes it off screen.
			line = fmt.Sprintf("%s %3.0f%% %s · %s%s", m.jobs.bar.ViewAs(pct), pct*100, x.progress.Text, x.title, x.countdown())
		case errors.Is(x.err, context.Canceled):
			line = m.styles.Muted.Render("cancelled " + x.title + "; nothing changed")
		case x.err != nil:
			line = m.styles.StatusError.Render("failed " + x.title + ": " + x.errText)
		default:
			line = "done " + x.summary
		}
		out = append(out, listnav.Truncate(line, m.width))
	}
	return out
}

// jobsSummary is the status bar's word on jobs.
func (m *Model) jobsSummary() string {
	n := m.jobs.running()
	if n == 0 {
		return ""
	}
	if n == 1 {
		return "1 job running (x cancels)"
	}
	return fmt.Sprintf("%d jobs running (x cancels)", n)
}

// jobsPage lists every job, newest first, each with its layers.
func (m *Model) jobsPage() string {
	if len(m.jobs.list) == 0 {
		return m.styles.Muted.Render("no jobs yet: pushes, pulls, copies and cleanups show here (J or esc closes)")
	}
	var lines []string
	for i := len(m.jobs.list) - 1; i >= 0; i-- {
		x := m.jobs.list[i]
		state := "running"
		switch {
		case x.done && x.err != nil:
			state = "failed: " + x.errText
		case x.done:
			state = "done: " + x.summary
		}
		lines = append(lines, m.styles.Label.Render(x.title), "  "+state)
		if !x.done && x.progress.Text != "" {
			lines = append(lines, "  "+x.progress.Text)
		}
		if c := x.countdown(); !x.done && c != "" {
			lines = append(lines, "  "+strings.TrimPrefix(c, " · "))
		}
		for _, d := range x.progress.Detail {
			lines = append(lines, "    "+d)
		}
	}
	// Results and errors are read whole here: wrapped, never cut.
	inner := m.width - m.styles.FocusedPane.GetHorizontalFrameSize()
	for i, l := range lines {
		lines[i] = listnav.Wrap(l, inner)
	}
	return strings.Join(lines, "\n")
}
