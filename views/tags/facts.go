package tags

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/listnav"
)

// FactsSource is a Source that can say what each digest is (size, created,
// platforms) for the rows' columns. Only the rows on screen are asked for:
// each answer may cost a manifest read the registry counts.
type FactsSource interface {
	Facts(ctx context.Context, repository string, digests []string, each func(digest string, f domain.ImageFacts, err error)) error
}

// FactsMsg carries one digest's facts; more follow on the stream.
type FactsMsg struct {
	Digest string
	Facts  domain.ImageFacts
	Err    error
	stream <-chan tea.Msg
}

// FactsDoneMsg ends a facts stream.
type FactsDoneMsg struct{}

func (f FactsMsg) withStream(s <-chan tea.Msg) FactsMsg {
	f.stream = s
	return f
}

// loadFacts asks for the facts of the digests on screen not asked for
// before (a digest's facts never change, so they are kept across
// repositories).
func (m *Model) loadFacts() tea.Cmd {
	fs, ok := m.src.(FactsSource)
	if !ok || m.repo == "" {
		return nil
	}
	if m.facts == nil {
		m.facts, m.factsAsked = map[string]domain.ImageFacts{}, map[string]bool{}
	}
	var want []string
	from, to := m.cur.Visible()
	for i := from; i < to && i < len(m.shown); i++ {
		r := m.rows[m.shown[i]]
		if r.digest == "" || r.err != nil || m.factsAsked[r.digest] {
			continue
		}
		if _, placeholder := m.placeholders[r.digest]; placeholder {
			continue
		}
		m.factsAsked[r.digest] = true
		want = append(want, r.digest)
	}
	if len(want) == 0 {
		return nil
	}
	if m.factsCtx == nil {
		m.factsCtx, m.cancelFacts = context.WithCancel(context.Background())
	}
	ctx, repo := m.factsCtx, m.repo
	return func() tea.Msg {
		return views.Stream(ctx, 16, FactsMsg.withStream, func(send func(tea.Msg) bool) {
			_ = fs.Facts(ctx, repo, want, func(d string, f domain.ImageFacts, err error) {
				send(FactsMsg{Digest: d, Facts: f, Err: err})
			})
			send(FactsDoneMsg{})
		})
	}
}

// stopFacts cancels the facts being read; what was asked and not answered
// may be asked again.
func (m *Model) stopFacts() {
	if m.cancelFacts == nil {
		return
	}
	m.cancelFacts()
	m.factsCtx, m.cancelFacts = nil, nil
	for d := range m.factsAsked {
		if _, ok := m.facts[d]; !ok {
			delete(m.factsAsked, d)
		}
	}
}

// gotFacts keeps a digest's facts (a failure is left blank: Details says
// why when the tag is opened).
func (m *Model) gotFacts(msg FactsMsg) tea.Cmd {
	if msg.Err == nil {
		m.facts[msg.Digest] = msg.Facts
		if msg.Facts.Artifact != "" {
			if m.artifacts == nil {
				m.artifacts = map[string]string{}
			}
			m.artifacts[msg.Digest] = domain.ArtifactName(msg.Facts.Artifact)
		}
	}
	return views.WaitNext(msg.stream, FactsMsg.withStream)
}

// Optional columns, in the order they go when the pane narrows (the last
// first): size, created, platforms.
type factColumn struct {
	listnav.Column
	cell func(m *Model, f domain.ImageFacts) string
}

var allFactColumns = []factColumn{
	{listnav.Column{Head: "SIZE", Width: 7, Right: true}, func(_ *Model, f domain.ImageFacts) string { return domain.HumanSize(f.Size) }},
	{listnav.Column{Head: "CREATED", Width: 7, Right: true}, func(m *Model, f domain.ImageFacts) string { return listnav.Age(m.clock(), f.Created) }},
	{listnav.Column{Head: "PLATFORMS", Width: 16}, func(_ *Model, f domain.ImageFacts) string { return platforms(f.Platforms) }},
}

// minTagWidth is the room the tag column keeps before a fact column is
// shown beside it.
const minTagWidth = 16

// factColumns are the fact columns that fit in room cells, by priority;
// none when the source cannot tell facts.
func (m *Model) factColumns(room int) []factColumn {
	if _, ok := m.src.(FactsSource); !ok {
		return nil
	}
	var cols []factColumn
	for _, c := range allFactColumns {
		if room < c.Width+1 {
			break
		}
		cols, room = append(cols, c), room-c.Width-1
	}
	return cols
}

// platforms is one platform whole, or how many with the first.
func platforms(ps []string) string {
	switch len(ps) {
	case 0:
		return ""
	case 1:
		return ps[0]
	}
	return fmt.Sprintf("%d: %s…", len(ps), strings.TrimPrefix(ps[0], "linux/"))
}
