package tui_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/details"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// fakeRegistry answers the panes' interfaces from memory: a registry and
// an engine with two dangling images and one kept by a container.
type fakeRegistry struct {
	catalogErr error
	pruned     *int
}

func (fakeRegistry) Images(context.Context) (domain.LocalListing, error) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return domain.LocalListing{
		Images: []domain.LocalImage{
			{ID: "sha256:aa11000000000000000000000000000000000000000000000000000000000000", RepoTags: []string{"team/app:1.0", "team/app:latest"}, Size: 12_300_000, Created: t0},
			{ID: "sha256:bb22000000000000000000000000000000000000000000000000000000000000", RepoTags: []string{"team/web:2"}, Size: 45_600_000, Created: t0, Containers: []string{"web-1"}},
			{ID: "sha256:cc33000000000000000000000000000000000000000000000000000000000000", Dangling: true, Size: 7_000_000, Created: t0},
			{ID: "sha256:dd44000000000000000000000000000000000000000000000000000000000000", Dangling: true, Size: 3_000_000, Created: t0},
		},
		Dangling: 2, Reclaimable: 10_000_000,
	}, nil
}

func (fakeRegistry) ImageChanges(context.Context) <-chan domain.EngineEvent { return nil }

func (fakeRegistry) PrunePreview(context.Context) (domain.PrunePlan, error) {
	return domain.PrunePlan{
		Remove: []domain.DanglingImage{
			{ID: "sha256:cc33000000000000000000000000000000000000000000000000000000000000", Size: 7_000_000},
			{ID: "sha256:dd44000000000000000000000000000000000000000000000000000000000000", Size: 3_000_000},
		},
		Blocked: []domain.DanglingImage{{ID: "sha256:ee55000000000000000000000000000000000000000000000000000000000000", Size: 1_000_000, BlockedBy: []string{"old-job"}}},
		Total:   10_000_000,
	}, nil
}

func (f fakeRegistry) Prune(context.Context) (domain.PruneResult, error) {
	if f.pruned != nil {
		*f.pruned++
	}
	return domain.PruneResult{Removed: []string{"sha256:cc33", "sha256:dd44"}, SpaceReclaimed: 9_500_000}, nil
}

const (
	digestApp = "sha256:4b1d0000000000000000000000000000000000000000000000000000000000aa"
	digestOld = "sha256:0ld00000000000000000000000000000000000000000000000000000000000bb"
)

func (f fakeRegistry) CatalogPages(context.Context, string) iter.Seq2[domain.CatalogPage, error] {
	return func(yield func(domain.CatalogPage, error) bool) {
		if f.catalogErr != nil {
			yield(domain.CatalogPage{}, f.catalogErr)
			return
		}
		yield(domain.CatalogPage{Items: []string{"team/app", "team/web", "tools/builder"}}, nil)
	}
}

func (fakeRegistry) Tags(context.Context, string) ([]string, error) {
	return []string{"0.9.0", "1.0", "1.0.0", "latest", "stable"}, nil
}

func (fakeRegistry) Digests(_ context.Context, _ string, tags []string, each func(domain.TagDigest)) error {
	for _, t := range tags {
		d := digestApp
		if t == "0.9.0" {
			d = digestOld
		}
		each(domain.TagDigest{Tag: t, Digest: d})
	}
	return nil
}

func (fakeRegistry) Describe(_ context.Context, ref string) (domain.Details, error) {
	return domain.Details{
		Reference: ref, Digest: digestApp, MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 7_500,
		Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), OS: "linux", Arch: "amd64",
		Labels: map[string]string{"org.opencontainers.image.version": "1.0.0"}, Env: []string{"PATH=/usr/bin"},
		Entrypoint: []string{"/app"}, Cmd: []string{"--serve"},
		Layers:  []domain.Layer{{Digest: "sha256:1a1a00000000000000000000000000000000000000000000000000000000000a", Size: 1500}, {Digest: "sha256:2b2b00000000000000000000000000000000000000000000000000000000000b", Size: 2600}},
		History: []domain.HistoryEntry{{CreatedBy: "ENV PATH=/usr/bin", EmptyLayer: true}, {CreatedBy: "COPY app /app"}, {CreatedBy: "COPY assets /srv"}},
	}, nil
}

// What a test hands the app: a registry or an engine that can do more than
// read, by what it embeds (the app finds out by type).
type (
	changing struct {
		tui.Remote
		tags.Changer
	}
	localChanging struct {
		tui.Local
		local.Changer
	}
	syncing struct {
		localChanging
		local.Syncer
	}
	probing struct {
		tui.Remote
		repos.Prober
		tui.BudgetReader
		tui.UserNamer
	}
	named struct {
		tui.Remote
		tui.UserNamer
	}
	// readOnly is a registry that could change tags but says it may not.
	readOnly struct{ changing }
)

func (readOnly) Writable() bool { return false }

// users names who each registry is reached as.
type users map[string]string

func (u users) User(host string) string { return u[host] }

// fixedClock is the time every test app lives at: the fixtures' images were
// made then, so the goldens' ages are fixed too.
func fixedClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func newApp(t *testing.T, f fakeRegistry, w, h int) *tui.Model {
	t.Helper()
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: f, Local: f, Styles: theme.New(theme.Default(), true),
		Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// tbOf is the test that started each model: drain fails that test when
// the model does not settle.
var tbOf sync.Map // *tui.Model → testing.TB

// start runs the app's Init for the test t.
func start(t testing.TB, m *tui.Model) {
	t.Helper()
	tbOf.Store(m, t)
	drain(m, m.Init())
}

func drain(m *tui.Model, cmd tea.Cmd) {
	t, ok := tbOf.Load(m)
	if !ok {
		panic("drain of a model not started with start(t, m)")
	}
	t.(testing.TB).Helper()
	teatestutil.Drain(t.(testing.TB), func(msg tea.Msg) tea.Cmd { _, c := m.Update(msg); return c }, cmd, 1000)
}

func press(m *tui.Model, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "ctrl+r", "ctrl+u":
			msg = tea.KeyPressMsg{Code: rune(k[len(k)-1]), Mod: tea.ModCtrl}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		_, cmd := m.Update(msg)
		drain(m, cmd)
	}
}

func screen(m *tui.Model) string { return ansi.Strip(m.View().Content) }

func TestGoldenBrowse(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		name := func(s string) string { return fmt.Sprintf("%s_%dx%d", s, size.w, size.h) }
		t.Run(name("browse"), func(t *testing.T) {
			m := newApp(t, fakeRegistry{}, size.w, size.h)
			golden.Assert(t, name("repositories"), screen(m))
			press(m, "enter") // open team/app: tags stream in
			press(m, "j")     // move to 1.0: details load
			golden.Assert(t, name("tags_details"), screen(m))
			press(m, "?")
			golden.Assert(t, name("help"), screen(m))
		})
	}
}

func TestSharedDigestVisibleAcrossTags(t *testing.T) {
	m := newApp(t, fakeRegistry{}, 120, 40)
	press(m, "enter")
	s := screen(m)
	if strings.Count(s, "4b1d00000000 = 4") != 4 {
		t.Errorf("the four tags sharing a digest are not all marked = 4:\n%s", s)
	}
	if !strings.Contains(s, "5 tags · 2 images") {
		t.Errorf("tags title does not say 5 tags · 2 images:\n%s", s)
	}
}

func TestErrorsGoToTheStatusBarAndEscDismisses(t *testing.T) {
	m := newApp(t, fakeRegistry{catalogErr: errors.New("list repositories: registry.example:5000: unauthorized: run `docker login registry.example:5000`")}, 100, 30)
	s := screen(m)
	if !strings.Contains(s, "error: list repositories") {
		t.Fatalf("status bar does not show the error:\n%s", s)
	}
	press(m, "esc")
	if strings.Contains(screen(m), "error: list repositories") {
		t.Errorf("esc did not dismiss the error")
	}
}

func TestTooSmall(t *testing.T) {
	m := newApp(t, fakeRegistry{}, 60, 20)
	if s := screen(m); !strings.Contains(s, "wharf needs at least 80×24; this terminal is 60×20") {
		t.Errorf("small terminal shows:\n%s", s)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if s := screen(m); !strings.Contains(s, "Repositories") {
		t.Errorf("after growing to 80×24 the panes are not drawn:\n%s", s)
	}
}

func TestFocusKeys(t *testing.T) {
	m := newApp(t, fakeRegistry{}, 100, 30)
	press(m, "enter") // opens tags, focus moves there
	if !strings.Contains(screen(m), "enter details") {
		t.Errorf("after enter the key hint is not the tags pane's:\n%s", screen(m))
	}
	press(m, "2")
	if !strings.Contains(screen(m), "enter show tags") {
		t.Errorf("2 did not focus repositories")
	}
	press(m, "1")
	if !strings.Contains(screen(m), "D clean up") {
		t.Errorf("1 did not focus local")
	}
	press(m, "4")
	if !strings.Contains(screen(m), "scroll down") {
		t.Errorf("tab tab did not reach details")
	}
}

// D previews the cleanup in the confirm dialog, whose default is no;
// only yes removes, and the result lands in the status bar.
func TestDanglingCleanupNeedsAYes(t *testing.T) {
	pruned := 0
	m := newApp(t, fakeRegistry{pruned: &pruned}, 120, 40)
	if s := screen(m); !strings.Contains(s, "Local · 4 images · 2 dangling (10MB)") {
		t.Fatalf("local title does not count dangling images:\n%s", s)
	}
	press(m, "1", "D")
	s := screen(m)
	for _, want := range []string{"Clean up 2 dangling images?", "remove  cc3300000000", "keep    ee5500000000", "used by old-job", "Remove 2 images"} {
		if !strings.Contains(s, want) {
			t.Errorf("dialog lacks %q:\n%s", want, s)
		}
	}
	golden.Assert(t, "cleanup_dialog_120x40", s)
	press(m, "enter") // the default answer: no
	if pruned != 0 || !strings.Contains(screen(m), "cancelled: nothing changed") {
		t.Fatalf("enter on the default button pruned (%d) or said nothing", pruned)
	}
	press(m, "D", "y")
	if pruned != 1 || !strings.Contains(screen(m), "removed 2 images, reclaimed 9.5MB") {
		t.Errorf("yes did not prune once and report it (%d):\n%s", pruned, screen(m))
	}
}

func TestLocalSelectionShowsDetails(t *testing.T) {
	m := newApp(t, fakeRegistry{}, 120, 40)
	press(m, "1", "enter")
	if s := screen(m); !strings.Contains(s, "Details · sha256:aa11") {
		t.Errorf("enter on a local image does not describe it:\n%s", s)
	}
}

// Panes own their errors: a failure that arrives for something the user
// has since moved away from (an older load) is dropped, not shown.
func TestStaleErrorsAreNotShown(t *testing.T) {
	m := newApp(t, fakeRegistry{}, 120, 40)
	press(m, "enter") // team/app's tags
	stale := errors.New("stale failure of an older load")
	for _, msg := range []tea.Msg{
		tags.LoadedMsg{Repository: "registry.example:5000/team/web", Seq: 1, Err: stale},
		details.LoadedMsg{Reference: "registry.example:5000/team/web:1", Seq: 1, Err: stale},
		repos.LoadedMsg{Host: "old.example", Seq: 1, Err: stale},
		local.ListedMsg{Seq: -1, Err: stale},
	} {
		_, cmd := m.Update(msg)
		drain(m, cmd)
		if s := screen(m); strings.Contains(s, "stale failure") {
			t.Errorf("%T of an older load shows:\n%s", msg, s)
		}
	}
	// The current load's failure shows.
	now := errors.New("current failure")
	_, cmd := m.Update(local.ListedMsg{Seq: 1, Err: now})
	drain(m, cmd)
	if s := screen(m); !strings.Contains(s, "│current failure") || !strings.Contains(s, "engine down") {
		t.Errorf("the current listing's failure does not show in the Local pane:\n%s", s)
	}
}
