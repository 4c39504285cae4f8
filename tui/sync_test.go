package tui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/theme"
)

// fakeSyncer says team/app:1.0 moved in its registry and team/web:2 was
// never pushed; calls counts the comparisons.
type fakeSyncer struct{ calls *int }

func (f fakeSyncer) SyncStatus(context.Context) ([]domain.SyncStatus, error) {
	*f.calls++
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	app := "sha256:aa11000000000000000000000000000000000000000000000000000000000000"
	return []domain.SyncStatus{
		{
			Reference: "docker.io/team/app:1.0", Local: "team/app:1.0", Repository: "docker.io/team/app", Tag: "1.0", State: domain.SyncStale, Moved: true,
			LocalID: app, LocalDigest: digestOld, RemoteDigest: digestApp, LocalCreated: t0, RemoteCreated: t0.Add(time.Hour),
		},
		{
			Reference: "docker.io/team/app:latest", Local: "team/app:latest", Repository: "docker.io/team/app", Tag: "latest", State: domain.SyncUpToDate,
			LocalID: app, LocalDigest: digestOld, RemoteDigest: digestOld,
		},
		{
			Reference: "docker.io/team/web:2", Local: "team/web:2", Repository: "docker.io/team/web", Tag: "2", State: domain.SyncLocalOnly,
			LocalID: "sha256:bb22000000000000000000000000000000000000000000000000000000000000",
		},
	}, nil
}

// The Local pane marks each image against its registry, says what is
// stale in its title, explains the selected image in the status bar, and S
// asks before pulling the newer image or pushing the local one.
func TestLocalImagesAgainstTheirRegistryGolden(t *testing.T) {
	f, lc, calls := fakeRegistry{}, &fakeLocal{}, 0
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: f,
		Local:  syncing{localChanging{f, lc}, fakeSyncer{&calls}},
		Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "1", "j", "k")
	s := screen(m)
	for _, want := range []string{
		"Local · 4 images · 2 dangling (10MB) · 1 stale", "≠ app:1.0 +1", "+ web:2",
		"docker.io/team/app:1.0 stale: here 0ld000000000 (made 2026-01-02 03:04), there 4b1d00000000",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("%q not on screen:\n%s", want, s)
		}
	}
	golden.Assert(t, "local_sync_120x40", s)

	press(m, "S")
	s = screen(m)
	if !strings.Contains(s, "Sync team/app:1.0, team/app:latest with its registry?") || !strings.Contains(s, "pull  docker.io/team/app:1.0") {
		t.Fatalf("S did not ask first:\n%s", s)
	}
	if len(lc.pulled) != 0 {
		t.Fatalf("pulled before the answer: %v", lc.pulled)
	}
	press(m, "y")
	if len(lc.pulled) != 1 || lc.pulled[0] != "docker.io/team/app:1.0" {
		t.Errorf("S then y pulled %v", lc.pulled)
	}
	press(m, "j", "S", "y")
	if len(lc.pushed) != 1 || lc.pushed[0] != "team/web:2" {
		t.Errorf("S on a local-only image pushed %v", lc.pushed)
	}
	// Reloading asks the registries again; a listing that did not change
	// (an engine event for a container) does not.
	before := calls
	press(m, "ctrl+r")
	if calls != before+1 {
		t.Errorf("ctrl+r made %d comparisons, want 1", calls-before)
	}
}

// pushingSyncer says team/web:2 is local only until it is pushed.
type pushingSyncer struct{ pushed *bool }

func (p pushingSyncer) SyncStatus(context.Context) ([]domain.SyncStatus, error) {
	state, remote := domain.SyncLocalOnly, ""
	if *p.pushed {
		state, remote = domain.SyncUpToDate, digestApp
	}
	return []domain.SyncStatus{{
		Reference: "docker.io/team/web:2", Local: "team/web:2", Repository: "docker.io/team/web", Tag: "2", State: state,
		LocalID: "sha256:bb22000000000000000000000000000000000000000000000000000000000000", LocalDigest: remote, RemoteDigest: remote,
	}}, nil
}

// pushOnce is fakeLocal whose push makes the registry up to date.
type pushOnce struct {
	*fakeLocal
	pushed *bool
}

func (p pushOnce) Push(ctx context.Context, ref string, ow domain.Overwrite, progress func(domain.CopyProgress)) (domain.PushResult, error) {
	*p.pushed = true
	return p.fakeLocal.Push(ctx, ref, ow, progress)
}

// journaled is a registry that counts its tag listings and reports
// journal changes from a channel.
type journaled struct {
	fakeRegistry
	listings *int
	changes  chan []domain.JournalEntry
}

func (j journaled) Tags(ctx context.Context, repo string) ([]string, error) {
	*j.listings++
	return j.fakeRegistry.Tags(ctx, repo)
}

func (j journaled) JournalChanges(context.Context) <-chan []domain.JournalEntry { return j.changes }

// Marks follow changes (finding 8): after p the status bar stops saying
// "local only" without the row being selected again; a change another
// wharf or the CLI journals makes the panes look again, a change of the
// pane's own does not reload it twice.
func TestMarksFollowChanges(t *testing.T) {
	pushed, listings := false, 0
	f, lc := fakeRegistry{}, &fakeLocal{}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: journaled{fakeRegistry: f, listings: &listings},
		Local:  syncing{localChanging{f, pushOnce{fakeLocal: lc, pushed: &pushed}}, pushingSyncer{&pushed}},
		Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "1", "j") // team/web:2
	if s := screen(m); !strings.Contains(s, "docker.io/team/web:2 local only (S pushes)") {
		t.Fatalf("before the push:\n%s", s)
	}
	press(m, "p", "enter")
	if s := screen(m); strings.Contains(s, "local only") || !strings.Contains(s, "docker.io/team/web:2 up to date") {
		t.Errorf("after the push the status bar still says:\n%s", s)
	}
	// Another process undoes a change in team/app, open in the Tags pane.
	press(m, "2", "enter")
	before := listings
	_, cmd := m.Update(views.JournalChangedMsg{Entries: []domain.JournalEntry{{ID: 7, Op: domain.OpDeleteTag, Repository: "registry.example:5000/team/app", Tags: []string{"1.0"}, Undone: time.Now(), PID: 99}}})
	drain(m, cmd)
	if listings != before+1 || !strings.Contains(screen(m), "the journal says registry.example:5000/team/app changed") {
		t.Errorf("the Tags pane did not look again (%d listings):\n%s", listings-before, screen(m))
	}
	// Elsewhere: nothing to do.
	before = listings
	_, cmd = m.Update(views.JournalChangedMsg{Entries: []domain.JournalEntry{{ID: 8, Op: domain.OpDeleteTag, Repository: "registry.example:5000/other", Tags: []string{"x"}}}})
	drain(m, cmd)
	if listings != before {
		t.Errorf("a change in another repository reloaded team/app")
	}
}

// The root hands the journal's news to every pane.
func TestJournalChangesReachThePanes(t *testing.T) {
	listings := 0
	changes := make(chan []domain.JournalEntry, 1)
	changes <- []domain.JournalEntry{{ID: 3, Op: domain.OpRetag, Repository: "registry.example:5000/team/app", Tags: []string{"x"}, PID: 99}}
	close(changes)
	f := fakeRegistry{}
	remote := journaled{fakeRegistry: f, listings: &listings, changes: changes}
	m := tui.New(tui.Options{Registry: "registry.example:5000", Label: "test", Remote: remote, Local: f, Styles: theme.New(theme.Default(), true), Clock: fixedClock})
	// Open team/app before the news is read: Init's watch runs last.
	tbOf.Store(m, testing.TB(t))
	initCmd := m.Init()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	_, open := m.Update(repos.SelectedMsg{Repository: "registry.example:5000/team/app"})
	drain(m, open)
	before := listings
	drain(m, initCmd)
	if listings <= before {
		t.Errorf("the journal's news did not reload the open repository")
	}
}
