package tags

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/views"
)

// loadCreated asks for the creation times of the resolved digests not known
// yet, streamed like the digests.
func (m *Model) loadCreated() tea.Cmd {
	cs, ok := m.src.(CreatedSource)
	// While digests still resolve, wait: their end asks again.
	if !ok || m.creating > 0 || m.resolved < len(m.rows) {
		return nil
	}
	if m.created == nil {
		m.created = map[string]time.Time{}
	}
	var want []string
	for d := range m.shared {
		if _, known := m.created[d]; !known {
			want = append(want, d)
		}
	}
	if len(want) == 0 {
		return nil
	}
	m.creating = len(want)
	ctx, cancel := context.WithCancel(context.Background())
	m.cancelCreated = cancel
	repo, seq := m.repo, m.seq
	return func() tea.Msg {
		return views.Stream(ctx, 64, CreatedMsg.withStream, func(send func(tea.Msg) bool) {
			_ = cs.Created(ctx, repo, want, func(d string, t time.Time, _ error) {
				send(CreatedMsg{Repository: repo, Seq: seq, Digest: d, Created: t})
			})
			send(CreatedDoneMsg{Repository: repo, Seq: seq})
		})
	}
}

func (c CreatedMsg) withStream(s <-chan tea.Msg) CreatedMsg {
	c.stream = s
	return c
}
