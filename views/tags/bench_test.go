package tags_test

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views/tags"
)

// BenchmarkKeyPressRender is one key press and the frame it causes in a
// repository of 10,000 tags over 500 digests.
func BenchmarkKeyPressRender(b *testing.B) {
	src := &fakeSource{tags: map[string][]string{}, digests: map[string]string{}}
	var all []string
	for i := range 10_000 {
		tag := fmt.Sprintf("1.%d.%d", i/100, i%100)
		all = append(all, tag)
		src.digests[tag] = fmt.Sprintf("sha256:%064x", i%500)
	}
	src.tags["r/big"] = all
	m := newPane(b, src)
	m.SetSize(100, 40)
	teatestutil.Drain(b, m.Update, m.Load("r/big"), 20_000)
	down := tea.KeyPressMsg{Code: 'j', Text: "j"}
	b.ResetTimer()
	for b.Loop() {
		m.Update(down)
		_ = m.View()
	}
}

// bigPane is a pane over n tags and n/20 digests, loaded and resolved.
func bigPane(b *testing.B, n int) *tags.Model {
	b.Helper()
	src := &fakeSource{tags: map[string][]string{}, digests: map[string]string{}}
	var all []string
	for i := range n {
		tag := fmt.Sprintf("1.%d.%d", i/100, i%100)
		all = append(all, tag)
		src.digests[tag] = fmt.Sprintf("sha256:%064x", i%max(n/20, 1))
	}
	src.tags["r/big"] = all
	m := newPane(b, src)
	m.SetSize(100, 40)
	teatestutil.Drain(b, m.Update, m.Load("r/big"), 3*n)
	return m
}

// frame is one key press and the frame it causes, timed over rounds.
func frame(m *tags.Model, msg tea.KeyPressMsg, rounds int) time.Duration {
	start := time.Now()
	for range rounds {
		m.Update(msg)
		_ = m.View()
	}
	return time.Since(start) / time.Duration(rounds)
}

// BenchmarkKeyPressRenderFiltered is a key press and its frame with 10,000
// tags and a filter active, the filter retyped each time (the expensive
// case: every keystroke re-filters 10,000 tags). Target ≤ 5 ms per frame;
// "ratio" is against the same on a 100-tag repository in the same run.
func BenchmarkKeyPressRenderFiltered(b *testing.B) {
	small, big := bigPane(b, 100), bigPane(b, 10_000)
	for _, m := range []*tags.Model{small, big} {
		m.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
		m.Update(tea.KeyPressMsg{Code: '1', Text: "1"})
		m.Update(tea.KeyPressMsg{Code: '.', Text: "."})
	}
	// Typing 5 then erasing it: each press re-filters.
	five, erase := tea.KeyPressMsg{Code: '5', Text: "5"}, tea.KeyPressMsg{Code: tea.KeyBackspace}
	var smallT, bigT time.Duration
	for b.Loop() {
		smallT += frame(small, five, 1) + frame(small, erase, 1)
		bigT += frame(big, five, 1) + frame(big, erase, 1)
	}
	b.ReportMetric(float64(bigT.Microseconds())/float64(2*b.N)/1000, "ms/frame")
	b.ReportMetric(float64(bigT)/float64(max(smallT, 1)), "ratio")
}
