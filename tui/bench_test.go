package tui_test

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
)

// BenchmarkFirstFrame is the time from building the app to its first full
// frame at 120×40 with every pane loaded from fakes (target ≤ 150 ms);
// "ratio" is that against redrawing a frame of the running app, measured in
// the same run.
func BenchmarkFirstFrame(b *testing.B) {
	f := fakeRegistry{}
	var first, steady time.Duration
	for b.Loop() {
		began := time.Now()
		m := tui.New(tui.Options{
			Registry: "registry.example:5000", Label: "bench", Remote: f, Local: f, Styles: theme.New(theme.Default(), false),
		})
		start(b, m)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		_ = m.View()
		first += time.Since(began)
		began = time.Now()
		_ = m.View()
		steady += time.Since(began)
	}
	b.ReportMetric(float64(first.Microseconds())/float64(b.N)/1000, "ms/first-frame")
	b.ReportMetric(float64(first)/float64(max(steady, 1)), "ratio")
}
