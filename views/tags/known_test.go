package tags_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// knownSource remembers an earlier visit, and counts what it asks the
// registry.
type knownSource struct {
	*fakeSource
	snap  domain.RepoSnapshot
	lists int
	fail  error
}

func (k *knownSource) Known(repo string) (domain.RepoSnapshot, bool) {
	return k.snap, repo == k.snap.Repository
}

func (k *knownSource) Tags(ctx context.Context, repo string) ([]string, error) {
	k.lists++
	if k.fail != nil {
		return nil, k.fail
	}
	return k.fakeSource.Tags(ctx, repo)
}

func rowOf(view, tag string) string {
	for _, line := range strings.Split(view, "\n") {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == tag || len(f) > 1 && f[0] == "*" && f[1] == tag) {
			return line
		}
	}
	return ""
}

// A repository seen before shows its tags and digests from the first
// frame, with their age, before anything is asked; the registry's answer
// then replaces only what changed, and the cursor keeps its tag.
func TestRememberedTagsShowAtOnceThenRevalidate(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	src := &knownSource{
		fakeSource: &fakeSource{
			tags:    map[string][]string{"r/app": {"1.0", "1.0.0", "latest", "0.9", "new"}},
			digests: map[string]string{"1.0": dA, "1.0.0": dA, "latest": dB, "0.9": dB, "new": dA},
		},
		snap: domain.RepoSnapshot{
			Repository: "r/app",
			Tags:       []string{"1.0", "1.0.0", "latest", "0.9", "old"},
			TagsAt:     now.Add(-3 * time.Minute),
			Digests:    map[string]string{"1.0": dA, "1.0.0": dA, "latest": dA, "0.9": dB, "old": dB},
		},
	}
	m := newPane(t, src)
	m.SetClock(func() time.Time { return now })

	known := m.Load("r/app")()
	if _, ok := known.(tags.KnownMsg); !ok {
		t.Fatalf("the first message is %T, want what the cache knows", known)
	}
	list := m.Update(known)
	first := ansi.Strip(m.View())
	if src.lists != 0 || src.calls != 0 {
		t.Errorf("the first frame waited on the registry: %d lists, %d digest calls", src.lists, src.calls)
	}
	if !strings.Contains(first, "5 tags · cached 3m ago · listing…") {
		t.Errorf("the first frame does not say what it shows is cached, and how old:\n%s", first)
	}
	if r := rowOf(first, "latest"); !strings.Contains(r, "aaaaaaaaaaaa = 3") {
		t.Errorf("the first frame lacks the remembered digest of latest: %q\n%s", r, first)
	}
	// The user moves while the registry is asked: the cursor stays on 0.9.
	for range 3 {
		m.Update(key("j"))
	}
	var before string
	if sel, ok := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})().(tags.SelectedMsg); ok {
		before = sel.Reference
	}

	// The tag list is in; until each digest is asked again, the row keeps
	// the one remembered.
	resolve := m.Update(list())
	listed := ansi.Strip(m.View())
	if !strings.Contains(listed, "digests 0/5 · cached 3m ago") {
		t.Errorf("while revalidating, the title does not say so:\n%s", listed)
	}
	if r := rowOf(listed, "latest"); !strings.Contains(r, "aaaaaaaaaaaa = 3") {
		t.Errorf("the remembered digest went before the registry answered: %q\n%s", r, listed)
	}
	if r := rowOf(listed, "new"); !strings.Contains(r, "…") {
		t.Errorf("a tag the cache never saw has no digest yet: %q\n%s", r, listed)
	}

	teatestutil.Drain(t, m.Update, resolve, 100)
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "5 tags · 2 images") || strings.Contains(view, "cached") {
		t.Errorf("after revalidating, the title still says cached or miscounts:\n%s", view)
	}
	if r := rowOf(view, "latest"); !strings.Contains(r, "bbbbbbbbbbbb = 2") {
		t.Errorf("latest moved to B in the registry; the row says %q\n%s", r, view)
	}
	if r := rowOf(view, "1.0"); !strings.Contains(r, "aaaaaaaaaaaa = 3") {
		t.Errorf("A's count is 1.0, 1.0.0 and new: %q\n%s", r, view)
	}
	if rowOf(view, "old") != "" || rowOf(view, "new") == "" {
		t.Errorf("old is gone and new is there in the registry:\n%s", view)
	}
	var after string
	if sel, ok := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})().(tags.SelectedMsg); ok {
		after = sel.Reference
	}
	if before == "" || after != before {
		t.Errorf("the cursor was on %q before the registry answered and on %q after", before, after)
	}
}

// With the registry unreachable, what was seen stays on screen, said to be
// cached and offline, with the reason.
func TestRememberedTagsStayWhenTheRegistryIsDown(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	src := &knownSource{
		fakeSource: &fakeSource{},
		snap: domain.RepoSnapshot{
			Repository: "r/app", Tags: []string{"1.0", "latest"}, TagsAt: now.Add(-2 * time.Hour),
			Digests: map[string]string{"1.0": dA, "latest": dA},
		},
		fail: errDown,
	}
	m := newPane(t, src)
	m.SetClock(func() time.Time { return now })
	var failed error
	teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
		if f, ok := msg.(views.StatusMsg); ok {
			failed = f.Err
		}
		return m.Update(msg)
	}, m.Load("r/app"), 100)
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "2 tags · offline · cached 2h ago") {
		t.Errorf("an unreachable registry's cached tags are not said to be offline:\n%s", view)
	}
	if failed == nil || !strings.Contains(failed.Error(), "connection refused") {
		t.Errorf("the status bar is not told why: %v", failed)
	}
	if r := rowOf(view, "latest"); !strings.Contains(r, "aaaaaaaaaaaa = 2") {
		t.Errorf("the cached rows are gone: %q\n%s", r, view)
	}
}

var errDown = errorString("list tags: dial tcp 127.0.0.1:5000: connection refused")

type errorString string

func (e errorString) Error() string { return string(e) }

// Offline, the change keys say why they do nothing, and ctrl+r asks the
// registry again.
func TestOfflineRowsAreNotChanged(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	src := &knownSource{
		fakeSource: &fakeSource{tags: map[string][]string{"r/app": {"1.0", "latest"}}, digests: map[string]string{"1.0": dA, "latest": dA}},
		snap:       domain.RepoSnapshot{Repository: "r/app", Tags: []string{"1.0", "latest"}, TagsAt: now.Add(-time.Hour), Digests: map[string]string{"1.0": dA, "latest": dA}},
		fail:       errDown,
	}
	ch := &fakeChanger{src: src.fakeSource, repo: "r/app"}
	m := tags.New(src, ch, theme.New(theme.Default(), true))
	m.SetClock(func() time.Time { return now })
	m.SetSize(60, 10)
	m.SetFocused(true)
	var out []tea.Msg
	run(t, m, &out, m.Load("r/app"))
	if !m.Offline() {
		t.Fatalf("not offline: %s", m.Title())
	}
	for _, k := range []string{"d", "r", "y", "u"} {
		out = nil
		run(t, m, &out, m.Update(key(k)))
		st, _ := lastOf[views.StatusMsg](out)
		if _, asked := lastOf[views.ConfirmRequestMsg](out); asked || !strings.HasPrefix(st.Text, "offline:") {
			t.Errorf("%s offline: %q", k, st.Text)
		}
	}
	if len(ch.deleted) != 0 {
		t.Fatal("deleted offline")
	}
	src.fail = nil
	run(t, m, &out, m.Update(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}))
	if m.Offline() || !strings.Contains(m.Title(), "2 tags · 1 image") {
		t.Errorf("ctrl+r did not ask again: %s", m.Title())
	}
}
