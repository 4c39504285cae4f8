package tags_test

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/teatestutil"
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
	m := newPane(src)
	m.SetSize(100, 40)
	teatestutil.Drain(m.Update, m.Load("r/big"), 20_000)
	down := tea.KeyPressMsg{Code: 'j', Text: "j"}
	b.ResetTimer()
	for b.Loop() {
		m.Update(down)
		_ = m.View()
	}
}
