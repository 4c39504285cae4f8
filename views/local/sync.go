package local

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views"
)

// Syncer compares the engine's tags with the same tags in their
// registries.
type Syncer interface {
	SyncStatus(ctx context.Context) ([]domain.SyncStatus, error)
}

// SyncCheckedMsg carries the comparison of the local tags with their
// registries.
type SyncCheckedMsg struct {
	Seq      int
	Statuses []domain.SyncStatus
	Err      error
}

// SetSyncer lets the pane mark each image against its registry (nil: no
// marks, and S says why not).
func (m *Model) SetSyncer(s Syncer) { m.syncer = s }

// listingKey names what the comparison depends on: each image and its
// tags and repo digests. An engine event that changes none of it (a
// container started) does not ask the registries again.
func listingKey(l domain.LocalListing) string {
	var b strings.Builder
	for _, img := range l.Images {
		fmt.Fprintf(&b, "%s %v %v\n", img.ID, img.RepoTags, img.RepoDigests)
	}
	return b.String()
}

// checkSync compares the images with their registries when what the
// comparison depends on changed (ctrl+r clears syncKey to ask again).
func (m *Model) checkSync() tea.Cmd {
	if m.syncer == nil {
		return nil
	}
	k := listingKey(m.listing)
	if k == m.syncKey {
		return nil
	}
	m.syncKey = k
	m.syncSeq++
	m.syncing = true
	s, seq := m.syncer, m.syncSeq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res, err := s.SyncStatus(ctx)
		return SyncCheckedMsg{Seq: seq, Statuses: res, Err: err}
	}
}

// synced keeps a comparison's result, by image.
func (m *Model) synced(msg SyncCheckedMsg) tea.Cmd {
	if msg.Seq != m.syncSeq {
		return nil
	}
	m.syncing = false
	if msg.Err != nil {
		return status("", fmt.Errorf("comparing with the registries: %w", msg.Err))
	}
	before := ""
	cur, ok := m.current()
	if ok {
		before = syncLine(m.sync[cur.ID])
	}
	m.sync = map[string][]domain.SyncStatus{}
	for _, s := range msg.Statuses {
		if s.LocalID != "" {
			m.sync[s.LocalID] = append(m.sync[s.LocalID], s)
		}
	}
	// The status bar's word on the image under the cursor follows.
	if after := syncLine(m.sync[cur.ID]); ok && after != before && after != "" {
		return status(after, nil)
	}
	return nil
}

// rowState is the state that matters most among an image's tags: stale,
// then local only, then unknown, then up to date.
func rowState(ss []domain.SyncStatus) (domain.SyncState, bool) {
	for _, want := range []domain.SyncState{domain.SyncStale, domain.SyncLocalOnly, domain.SyncUnknown, domain.SyncUpToDate} {
		if slices.ContainsFunc(ss, func(s domain.SyncStatus) bool { return s.State == want }) {
			return want, true
		}
	}
	return "", false
}

// staleCount is how many images have a stale tag.
func (m *Model) staleCount() int {
	n := 0
	for _, ss := range m.sync {
		if st, _ := rowState(ss); st == domain.SyncStale {
			n++
		}
	}
	return n
}

// syncImage brings the image under the cursor in line with its registry:
// for each of its tags out of line, pull the newer remote image or push
// the local one, each as a job, after a confirm that lists them.
func (m *Model) syncImage() tea.Cmd {
	switch {
	case m.syncer == nil:
		return status("no registries to compare with", nil)
	case m.changer == nil:
		return status("", errNoEngineChanges)
	}
	img, ok := m.current()
	if !ok {
		return status("no image selected", nil)
	}
	ss, known := m.sync[img.ID]
	if !known {
		if m.syncing {
			return status("still comparing with the registries…", nil)
		}
		return status(rowName(img)+": no tag in a registry wharf knows", nil)
	}
	var cmds []tea.Cmd
	var body []string
	for _, s := range ss {
		switch s.Action() {
		case domain.SyncPull:
			cmds = append(cmds, pull(m.changer, s.Reference, ""))
			body = append(body, "pull  "+s.Reference+"  "+domain.ShortDigest(s.RemoteDigest)+" (the local tag moves to it)")
		case domain.SyncPush:
			// The push replaces what the dialog names, and nothing else.
			cmds = append(cmds, push(m.changer, s.Local, domain.OverwriteOnly(s.RemoteDigest)))
			line := "push  " + s.Local
			if s.State == domain.SyncStale {
				line += "  replaces " + domain.ShortDigest(s.RemoteDigest) + " in the registry"
			}
			body = append(body, line)
		}
	}
	if len(cmds) == 0 {
		st, _ := rowState(ss)
		if st == domain.SyncUnknown {
			return status("", fmt.Errorf("%s: %s", ss[0].Reference, ss[0].Err))
		}
		return status(rowName(img)+": up to date with its registry", nil)
	}
	return request(views.ConfirmRequestMsg{
		Title:     "Sync " + rowName(img) + " with its registry?",
		Body:      strings.Join(body, "\n"),
		Action:    fmt.Sprintf("Run %d", len(cmds)),
		OnConfirm: tea.Batch(cmds...),
	})
}

// syncLine explains the image's state, for the status bar when it is
// selected: both digests and when each image was made.
func syncLine(ss []domain.SyncStatus) string {
	var parts []string
	for _, s := range ss {
		p := s.Reference + " " + string(s.State)
		switch s.State {
		case domain.SyncStale:
			p += fmt.Sprintf(": here %s, there %s", sideOf(s.LocalDigest, s.LocalCreated), sideOf(s.RemoteDigest, s.RemoteCreated))
			p += " (S " + s.Action() + "s)"
		case domain.SyncLocalOnly:
			p += " (S pushes)"
		case domain.SyncUnknown:
			p += ": " + s.Err
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

func sideOf(digest string, created time.Time) string {
	s := domain.ShortDigest(digest)
	if digest == "" {
		s = "not pushed"
	}
	if !created.IsZero() {
		s += " (made " + created.UTC().Format("2006-01-02 15:04") + ")"
	}
	return s
}
