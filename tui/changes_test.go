package tui_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/theme"
)

// fakeChanger records changes; its Copy reports half the bytes, then waits
// for cancellation.
type fakeChanger struct {
	deleted []string
	retags  []string
	undone  []int
}

func (f *fakeChanger) DeleteTag(_ context.Context, ref, _ string) (domain.DeleteResult, error) {
	f.deleted = append(f.deleted, ref)
	return domain.DeleteResult{Reference: ref, Digest: digestApp, Path: domain.DeletedByPlaceholder, Siblings: []string{"1.0.0", "latest", "stable"}, Deleted: []string{"1.0"}, JournalID: 1}, nil
}

func (f *fakeChanger) Retag(_ context.Context, src, tag string, ow domain.Overwrite) (domain.WriteResult, error) {
	ref := "registry.example:5000/team/app:" + tag
	if tag == "0.9.0" && !ow.Allows(digestOld) {
		return domain.WriteResult{}, &domain.OverwriteError{Reference: ref, Existing: digestOld, Incoming: digestApp}
	}
	f.retags = append(f.retags, src+" → "+tag)
	return domain.WriteResult{Reference: ref, Digest: digestApp}, nil
}

func (f *fakeChanger) Copy(ctx context.Context, _, _ string, _ domain.Overwrite, progress func(domain.CopyProgress)) (domain.WriteResult, error) {
	progress(domain.CopyProgress{BlobsDone: 2, BlobsTotal: 4, BytesDone: 5_000, BytesTotal: 10_000})
	<-ctx.Done()
	return domain.WriteResult{}, ctx.Err()
}

func (f *fakeChanger) NextUndo(_ context.Context, repo string) (domain.JournalEntry, error) {
	if len(f.deleted) == 0 {
		return domain.JournalEntry{}, errors.New("nothing left to undo in " + repo)
	}
	return domain.JournalEntry{ID: 1, Op: domain.OpDeleteTag, Repository: repo, Tags: []string{"1.0"}, Digest: digestApp, Manifest: []byte("{}")}, nil
}

func (f *fakeChanger) Undo(_ context.Context, e domain.JournalEntry) (domain.UndoResult, error) {
	f.undone = append(f.undone, e.ID)
	return domain.UndoResult{Entry: e, Restored: []string{e.Repository + ":1.0"}}, nil
}

func newChangeApp(t *testing.T, w, h int) (*tui.Model, *fakeChanger) {
	t.Helper()
	f, ch := fakeRegistry{}, &fakeChanger{}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: changing{f, ch}, Local: f, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	press(m, "enter", "j") // team/app's tags, on 1.0
	return m, ch
}

// step runs cmd once and feeds its message to the app, returning what the
// app wants to run next (tests that must not block on a job use it instead
// of drain).
func step(m *tui.Model, cmd tea.Cmd) tea.Cmd {
	_, next := m.Update(cmd())
	return next
}

func TestDeleteDialogListsTheTagsThatStay(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m, ch := newChangeApp(t, size[0], size[1])
		press(m, "d")
		s := screen(m)
		for _, want := range []string{"Delete tag registry.example:5000/team/app:1.0?", "These 3 tags share it and stay:", "1.0.0", "stable", "u undoes"} {
			if !strings.Contains(s, want) {
				t.Errorf("%dx%d: the dialog lacks %q:\n%s", size[0], size[1], want, s)
			}
		}
		golden.Assert(t, sizeName("delete_dialog", size), s)
		press(m, "enter") // default: no
		if len(ch.deleted) != 0 {
			t.Fatal("the default answer deleted")
		}
		press(m, "d", "y")
		if len(ch.deleted) != 1 || !strings.Contains(screen(m), "\ndeleted registry.example:5000/team/app:1.0 (placeholder)") {
			t.Errorf("yes did not delete once and say so (%v):\n%s", ch.deleted, screen(m))
		}
	}
}

func sizeName(what string, size [2]int) string {
	return fmt.Sprintf("%s_%dx%d", what, size[0], size[1])
}

func TestRetagPromptThenOverwriteDialog(t *testing.T) {
	m, ch := newChangeApp(t, 80, 24)
	press(m, "r")
	golden.Assert(t, "retag_prompt_80x24", screen(m))
	for range 3 {
		_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
		drain(m, cmd)
	}
	press(m, "!")
	if s := screen(m); !strings.Contains(s, `"!": invalid reference format: a tag is letters`) {
		t.Errorf("an invalid tag is not explained as it is typed:\n%s", s)
	}
	press(m, "enter") // refused: still invalid
	if !strings.Contains(screen(m), "Retag registry.example:5000/team/app:1.0") {
		t.Fatal("enter on an invalid tag closed the prompt")
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	drain(m, cmd)
	press(m, "0", ".", "9", ".", "0", "enter")
	s := screen(m)
	// Both digests whole, even at 80 columns.
	for _, want := range []string{"Overwrite registry.example:5000/team/app:0.9.0?", "now", digestOld, "retag", digestApp} {
		if !strings.Contains(s, want) {
			t.Errorf("the overwrite dialog lacks %q:\n%s", want, s)
		}
	}
	golden.Assert(t, "overwrite_dialog_80x24", s)
	press(m, "enter")
	if len(ch.retags) != 0 || !strings.Contains(screen(m), "cancelled: nothing changed") {
		t.Fatalf("the default answer overwrote: %v", ch.retags)
	}
}

func TestCopyJobShowsProgressAndCancels(t *testing.T) {
	m, _ := newChangeApp(t, 80, 24)
	press(m, "y")
	for range len("registry.example:5000/team/app") {
		_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
		drain(m, cmd)
	}
	press(m, strings.Split("r.io/ap", "")...)
	_, closeCmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	start := step(m, closeCmd) // the prompt closes and hands over the job
	wait := step(m, start)     // the job starts
	pending := step(m, wait)   // its first progress report
	s := screen(m)
	for _, want := range []string{" 50% blobs 2/4 · copy registry.example:5000/team/app:1.0 →", "1 job running (x cancels)"} {
		if !strings.Contains(s, want) {
			t.Errorf("the jobs area lacks %q:\n%s", want, s)
		}
	}
	golden.Assert(t, "copy_job_80x24", s)
	press(m, "x")
	step(m, pending) // the job ends, cancelled
	if s := screen(m); !strings.Contains(s, "cancelled copy registry.example:5000/team/app:1.0 → r.io/ap:1.0; nothing changed") || strings.Contains(s, "job running") {
		t.Errorf("after x:\n%s", s)
	}
	press(m, "x")
	if s := screen(m); strings.Contains(s, "cancelled copy") {
		t.Errorf("x did not clear the finished job:\n%s", s)
	}
}

// While a filter is typed the pane gets every key: q, 1 and x are text.
func TestFilterTakesTheKeysTheRootWouldHandle(t *testing.T) {
	m, _ := newChangeApp(t, 80, 24)
	press(m, "/", "1", "q")
	s := screen(m)
	if !strings.Contains(s, "/1q▏  0 of 5 match") {
		t.Fatalf("the filter did not get 1 and q:\n%s", s)
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	drain(m, cmd)
	press(m, ".", "0", "enter")
	if s := screen(m); !strings.Contains(s, "/1.0  2 of 5 match") || strings.Contains(s, "0.9.0") {
		t.Errorf("the filter 1.0 shows:\n%s", s)
	}
	press(m, "esc") // clears the filter before anything else
	if s := screen(m); strings.Contains(s, "match") || !strings.Contains(s, "0.9.0") || !strings.Contains(s, "› team/app") {
		t.Errorf("esc did not clear the filter:\n%s", s)
	}
}

func TestGroupedViewGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m, _ := newChangeApp(t, size[0], size[1])
		press(m, "G")
		s := screen(m)
		if !strings.Contains(s, "DIGEST       SAME  TAGS") || !strings.Contains(s, "4b1d00000000 = 4   1.0, 1.0.0, latest") {
			t.Errorf("%v: grouped view:\n%s", size, s)
		}
		golden.Assert(t, sizeName("grouped", size), s)
	}
}

// fakeLocal changes the fake engine: team/web:2 is a tag of another image.
type fakeLocal struct {
	tagged, untagged, pushed, pulled []string
	// warnings are what every push says it could not do (journal it).
	warnings []string
	// untagBlocks: an untag waits for its context to end (an engine that
	// does not answer).
	untagBlocks bool
}

func (f *fakeLocal) Tag(_ context.Context, src, target string, ow domain.Overwrite) error {
	if target == "team/web:2" && !ow.Allows("sha256:bb22") {
		return &domain.OverwriteError{Reference: target, Existing: "sha256:bb22", Incoming: src, Note: "That image has no other tag: it would be left dangling."}
	}
	f.tagged = append(f.tagged, target)
	return nil
}

func (f *fakeLocal) Untag(ctx context.Context, ref, _ string) (bool, error) {
	if f.untagBlocks {
		<-ctx.Done()
		return false, ctx.Err()
	}
	f.untagged = append(f.untagged, ref)
	return false, nil
}

func (f *fakeLocal) Push(_ context.Context, ref string, _ domain.Overwrite, _ func(domain.CopyProgress)) (domain.PushResult, error) {
	f.pushed = append(f.pushed, ref)
	return domain.PushResult{Reference: ref, Digest: digestApp, Warnings: f.warnings}, nil
}

func (f *fakeLocal) TagAndPush(_ context.Context, _, target string, _ domain.Overwrite, progress func(domain.CopyProgress)) (domain.PushResult, error) {
	progress(domain.CopyProgress{BlobsDone: 3, BlobsTotal: 3, BytesDone: 10, BytesTotal: 10, Detail: []string{"1a2b3c4d5e6f  pushed  4/4 bytes", "7a8b9c0d1e2f  layer already exists"}})
	f.pushed = append(f.pushed, target)
	return domain.PushResult{Reference: target, Digest: digestApp, Warnings: f.warnings}, nil
}

func (f *fakeLocal) Pull(_ context.Context, ref, _ string, _ func(domain.CopyProgress)) (string, error) {
	f.pulled = append(f.pulled, ref)
	return digestApp, nil
}

func newLocalApp(t *testing.T) (*tui.Model, *fakeLocal) {
	t.Helper()
	f, lc := fakeRegistry{}, &fakeLocal{}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: f, Local: localChanging{f, lc}, PushTargets: []string{"registry.example:5000", "ghcr.io"},
		Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(m, "1")
	return m, lc
}

func TestLocalRetagAndPushIsOneKeyAndEnter(t *testing.T) {
	m, lc := newLocalApp(t)
	press(m, "P")
	s := screen(m)
	if !strings.Contains(s, "> registry.example:5000/team/app:1.0") || !strings.Contains(s, "configured registries: registry.example:5000, ghcr.io") {
		t.Fatalf("P prompt:\n%s", s)
	}
	golden.Assert(t, "push_prompt_80x24", s)
	press(m, "enter")
	if len(lc.pushed) != 1 || lc.pushed[0] != "registry.example:5000/team/app:1.0" || !strings.Contains(screen(m), "done pushed registry.example:5000/team/app:1.0") {
		t.Errorf("pushed %v:\n%s", lc.pushed, screen(m))
	}
	press(m, "J")
	s = screen(m)
	for _, want := range []string{"push registry.example:5000/team/app:1.0", "done: pushed", "1a2b3c4d5e6f  pushed  4/4 bytes", "7a8b9c0d1e2f  layer already exists"} {
		if !strings.Contains(s, want) {
			t.Errorf("the jobs page lacks %q:\n%s", want, s)
		}
	}
	golden.Assert(t, "jobs_page_80x24", s)
	press(m, "esc")
	if strings.Contains(screen(m), "layer already exists") {
		t.Error("esc did not close the jobs page")
	}
}

func TestLocalTagOntoAnotherImageAsksFirst(t *testing.T) {
	m, lc := newLocalApp(t)
	press(m, "m")
	press(m, strings.Split("team/web:2", "")...)
	press(m, "enter")
	s := screen(m)
	for _, want := range []string{"Move team/web:2?", "would be left dangling", "Move tag"} {
		if !strings.Contains(s, want) {
			t.Errorf("move dialog lacks %q:\n%s", want, s)
		}
	}
	press(m, "enter") // no
	if len(lc.tagged) != 0 {
		t.Fatal("the default answer moved the tag")
	}
}

func TestLocalUntagSaysWhatStays(t *testing.T) {
	m, lc := newLocalApp(t)
	press(m, "d")
	if s := screen(m); !strings.Contains(s, "Untag team/app:1.0?") || !strings.Contains(s, "keeps its other tags: team/app:latest") {
		t.Fatalf("untag dialog:\n%s", s)
	}
	press(m, "y")
	if len(lc.untagged) != 1 || !strings.Contains(screen(m), "untagged team/app:1.0") {
		t.Errorf("untagged %v:\n%s", lc.untagged, screen(m))
	}
}

// An untag is a job like every change: an engine that does not answer
// shows it running, and x cancels it at once.
func TestUntagIsAJobThatXCancels(t *testing.T) {
	m, lc := newLocalApp(t)
	lc.untagBlocks = true
	press(m, "d")
	_, confirm := m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	// Run what the answer asks for until the job has started; what the
	// root answers its start with waits for the job's end.
	var wait tea.Cmd
	for pending := []tea.Cmd{confirm}; len(pending) > 0 && wait == nil; pending = pending[1:] {
		if pending[0] == nil {
			continue
		}
		switch msg := pending[0]().(type) {
		case tea.BatchMsg:
			pending = append(pending, msg...)
		case views.JobStartedMsg:
			_, wait = m.Update(msg)
		default:
			_, next := m.Update(msg)
			pending = append(pending, next)
		}
	}
	if s := screen(m); !strings.Contains(s, "untag team/app:1.0") || !strings.Contains(s, "1 job running (x cancels)") {
		t.Fatalf("the untag does not show as a running job:\n%s", s)
	}
	press(m, "x")
	done := make(chan tea.Cmd, 1)
	go func() { done <- step(m, wait) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("x did not end the untag")
	}
	if s := screen(m); !strings.Contains(s, "cancelled untag team/app:1.0; nothing changed") || strings.Contains(s, "job running") {
		t.Errorf("after x:\n%s", s)
	}
}

func (fakeRegistry) Diff(_ context.Context, a, b string) (domain.Diff, error) {
	return domain.Diff{
		A: domain.Details{Reference: a, Digest: digestOld}, B: domain.Details{Reference: b, Digest: digestApp},
		LayersShared:  []domain.LayerChange{{Digest: "sha256:1a1a00000000000000000000000000000000000000000000000000000000000a", Size: 1500}},
		LayersRemoved: []domain.LayerChange{{Digest: "sha256:0c0c00000000000000000000000000000000000000000000000000000000000c", Size: 900}},
		LayersAdded:   []domain.LayerChange{{Digest: "sha256:2b2b00000000000000000000000000000000000000000000000000000000000b", Size: 2600}},
		Config:        []domain.ValueChange{{Key: "label:org.opencontainers.image.version", Old: "0.9.0", New: "1.0.0"}},
		HistoryAdded:  []string{"COPY assets /srv"},
	}, nil
}

func TestCompareTwoTags(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		f := fakeRegistry{}
		m := tui.New(tui.Options{
			Registry: "registry.example:5000", Label: "test", Remote: f, Local: f, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
		})
		start(t, m)
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		press(m, "enter", "c")
		if !strings.Contains(screen(m), "* 0.9.0") {
			t.Fatalf("c did not mark 0.9.0:\n%s", screen(m))
		}
		press(m, "j", "c")
		if size[0] < 100 {
			press(m, "z") // half of 80 columns cuts the references: zoom
		}
		s := screen(m)
		for _, want := range []string{"- registry.example:5000/team/app:0.9.0", "+ registry.example:5000/team/app:1.0", "layers = 1 (1.5kB) - 1 (900B) + 1 (2.6kB)"} {
			if !strings.Contains(s, want) {
				t.Errorf("%v: the compare view lacks %q:\n%s", size, want, s)
			}
		}
		golden.Assert(t, sizeName("compare", size), s)
	}
}

func TestMouseClickFocusesAndSelectsAndTheWheelScrolls(t *testing.T) {
	// Wide: Details has its column (Local 0–41, Remote 42–97, Details).
	m := newApp(t, fakeRegistry{}, 140, 40)
	press(m, "enter") // team/app's tags
	click := func(x, y int) {
		_, cmd := m.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
		drain(m, cmd)
	}
	click(5, 4) // the Local pane's second image (under the title and the heads)
	if s := screen(m); !strings.Contains(s, "Details · sha256:bb22") || !strings.Contains(s, "D clean up") {
		t.Errorf("a click on team/web:2 did not focus Local and describe it:\n%s", s)
	}
	click(60, 4) // the Tags pane's second row: 1.0
	if s := screen(m); !strings.Contains(s, "Details › 1.0 ") {
		t.Errorf("a click on 1.0 did not select it:\n%s", s)
	}
	_, cmd := m.Update(tea.MouseWheelMsg{X: 60, Y: 6, Button: tea.MouseWheelDown})
	drain(m, cmd)
	if s := screen(m); !strings.Contains(s, "Details › 1.0.0 ") {
		t.Errorf("the wheel did not move down to 1.0.0:\n%s", s)
	}
	click(60, 39) // the key hint: nothing
	if s := screen(m); !strings.Contains(s, "Details › 1.0.0 ") {
		t.Errorf("a click outside the panes changed the selection:\n%s", s)
	}
}

func TestEscInRepositoriesListsRegistriesToSwitchTo(t *testing.T) {
	f := fakeRegistry{}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: named{f, users{"ghcr.io": "octo"}},
		Registries: []string{"registry.example:5000", "ghcr.io"},
		Local:      f, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	press(m, "esc") // focus is on the repositories: up to the registries
	if s := screen(m); !strings.Contains(s, "Registries · 2") || !strings.Contains(s, "ghcr.io") {
		t.Fatalf("esc did not list the registries:\n%s", s)
	}
	press(m, "j", "enter")
	if s := screen(m); !strings.Contains(s, "ghcr.io (as octo)") || !strings.Contains(s, "Repositories · 3") {
		t.Errorf("choosing ghcr.io did not switch:\n%s", s)
	}
}

func TestPullFromTheTagsPaneRunsInTheLocalPane(t *testing.T) {
	m, lc := newLocalApp(t)
	press(m, "2", "enter", "j", "L")
	if got := lc.pulled; len(got) != 1 || got[0] != "registry.example:5000/team/app:1.0" {
		t.Fatalf("L pulled %v", got)
	}
	if s := screen(m); !strings.Contains(s, "done pulled registry.example:5000/team/app:1.0") {
		t.Errorf("the pull job did not report:\n%s", s)
	}
}

// An unreachable registry: the Repositories pane says why, the status bar
// carries the error and what to do; the app keeps running.
func TestErrorStateGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := newApp(t, fakeRegistry{catalogErr: errors.New("list repositories: registry.example:5000: unreachable (connection refused): check the address and that the registry is running")}, size[0], size[1])
		s := screen(m)
		if !strings.Contains(s, "error: list repositories") || !strings.Contains(s, "unreachable") {
			t.Errorf("%v: the error is not shown:\n%s", size, s)
		}
		golden.Assert(t, sizeName("error", size), s)
	}
}

func TestOverwriteDialogGolden120(t *testing.T) {
	m, _ := newChangeApp(t, 120, 40)
	press(m, "r")
	for range 3 {
		_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
		drain(m, cmd)
	}
	press(m, "0", ".", "9", ".", "0", "enter")
	s := screen(m)
	if !strings.Contains(s, "now    "+digestOld) || !strings.Contains(s, "retag  "+digestApp) {
		t.Errorf("the overwrite dialog does not show both digests whole:\n%s", s)
	}
	golden.Assert(t, "overwrite_dialog_120x40", s)
}

func TestFilterTheLocalImages(t *testing.T) {
	m := newApp(t, fakeRegistry{}, 80, 24)
	press(m, "1", "/", "w", "e", "b", "enter")
	s := screen(m)
	// The rows leave out the prefix all names share (the breadcrumb has it).
	if !strings.Contains(s, "/web  1 of 4 match") || strings.Contains(s, "app:1.0") || !strings.Contains(s, "│web:2 ") || !strings.Contains(s, "Local › team/") {
		t.Errorf("local filter web:\n%s", s)
	}
	press(m, "enter")
	if !strings.Contains(screen(m), "Details · sha256:bb22") {
		t.Errorf("enter on the filtered list does not describe team/web:2:\n%s", screen(m))
	}
	press(m, "esc") // Details back to the list, the filter still on
	if s := screen(m); !strings.Contains(s, "1 of 4 match") || strings.Contains(s, "Details") {
		t.Errorf("esc did not go back from Details to the filtered list:\n%s", s)
	}
	press(m, "esc")
	if s := screen(m); strings.Contains(s, "match") || !strings.Contains(s, "app:1.0 +1") {
		t.Errorf("esc did not clear the filter:\n%s", s)
	}
}

// The dialogs, prompts and pages the flows above check at one size, at the
// other.
func TestGoldensAtTheOtherSize(t *testing.T) {
	t.Run("retag_prompt_120x40", func(t *testing.T) {
		m, _ := newChangeApp(t, 120, 40)
		press(m, "r")
		golden.Assert(t, "retag_prompt_120x40", screen(m))
	})
	t.Run("push_prompt_and_jobs_page_120x40", func(t *testing.T) {
		m, _ := newLocalApp(t)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		press(m, "P")
		golden.Assert(t, "push_prompt_120x40", screen(m))
		press(m, "enter", "J")
		golden.Assert(t, "jobs_page_120x40", screen(m))
	})
	t.Run("copy_job_120x40", func(t *testing.T) {
		m, _ := newChangeApp(t, 120, 40)
		press(m, "y")
		_, closeCmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
		pending := step(m, step(m, step(m, closeCmd)))
		golden.Assert(t, "copy_job_120x40", screen(m))
		press(m, "x")
		step(m, pending)
	})
	t.Run("cleanup_dialog_80x24", func(t *testing.T) {
		m := newApp(t, fakeRegistry{}, 80, 24)
		press(m, "1", "D")
		s := screen(m)
		if !strings.Contains(s, "Clean up 2 dangling images?") {
			t.Errorf("no cleanup dialog:\n%s", s)
		}
		golden.Assert(t, "cleanup_dialog_80x24", s)
	})
}

// A page over the panes (help, jobs) takes the clicks: the panes under it
// are not there to click.
func TestClicksDoNothingUnderAPage(t *testing.T) {
	for _, k := range []string{"?", "J"} {
		m := newApp(t, fakeRegistry{}, 120, 40)
		press(m, "enter", k)
		_, cmd := m.Update(tea.MouseClickMsg{X: 5, Y: 3, Button: tea.MouseLeft})
		drain(m, cmd)
		press(m, k)
		if s := screen(m); strings.Contains(s, "Details · sha256:bb22") {
			t.Errorf("%s page: a click went through to the Local pane:\n%s", k, s)
		}
	}
}

// A push wharf could not journal says so in the app as the CLI does: in
// the job's line, the jobs page and the status bar.
func TestPushThatCouldNotBeJournaledSaysSo(t *testing.T) {
	m, lc := newLocalApp(t)
	lc.warnings = []string{"not journaled (read registry.example:5000/team/app:1.0 before the push: unauthorized): wharf undo cannot put back what this push replaces"}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "p", "enter") // the first of its tags
	if len(lc.pushed) != 1 {
		t.Fatalf("pushed %v", lc.pushed)
	}
	s := screen(m)
	if !strings.Contains(s, "not journaled") {
		t.Errorf("the screen does not say the push was not journaled:\n%s", s)
	}
	press(m, "J")
	if s := screen(m); !strings.Contains(s, "wharf undo cannot put back") {
		t.Errorf("the jobs page does not say it:\n%s", s)
	}
}

// A registry that can change tags but says it may not (no journal) is
// read-only in the app: d says why and nothing is asked of it.
func TestReadOnlyRegistry(t *testing.T) {
	f, ch := fakeRegistry{}, &fakeChanger{}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: readOnly{changing{f, ch}}, Local: f, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "enter", "j", "d")
	if s := screen(m); !strings.Contains(s, "read-only") || strings.Contains(s, "Delete") {
		t.Errorf("d on a read-only registry:\n%s", s)
	}
	if len(ch.deleted) != 0 {
		t.Errorf("deleted %v", ch.deleted)
	}
}

// retainingChanger plans retention over the fake tags and applies it.
type retainingChanger struct {
	fakeChanger
	pol     domain.RetentionPolicy
	applied []string
}

func (r *retainingChanger) PlanRetention(_ context.Context, repo string, pol domain.RetentionPolicy) (domain.RetentionPlan, error) {
	r.pol = pol
	return domain.RetentionPlan{
		Repository: repo,
		Keep: []domain.RetainedTag{
			{Tag: "1.0.0", Digest: digestApp, Size: 7500, Reason: "among the newest 1 (number 1 by version)"},
			{Tag: "latest", Digest: digestApp, Size: 7500, Reason: "latest is never deleted"},
		},
		Delete: []domain.RetainedTag{{Tag: "0.9.0", Digest: digestOld, Size: 6000, Reason: "not among the newest 1"}},
	}, nil
}

func (r *retainingChanger) ApplyRetention(_ context.Context, p domain.RetentionPlan, each func(domain.RetainedTag, domain.DeleteResult, error)) error {
	for _, t := range p.Delete {
		r.applied = append(r.applied, t.Tag)
		each(t, domain.DeleteResult{Reference: p.Repository + ":" + t.Tag}, nil)
	}
	return nil
}

// R previews a retention policy in the Tags pane — every tag with why it
// goes or stays — and applies it as a job only after yes.
func TestRetentionPreviewAndApply(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		f, ch := fakeRegistry{}, &retainingChanger{}
		remote := struct {
			fakeRegistry
			*retainingChanger
		}{f, ch}
		m := tui.New(tui.Options{Registry: "registry.example:5000", Label: "test", Remote: remote, Local: f, Styles: theme.New(theme.Default(), true), Clock: fixedClock})
		start(t, m)
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		press(m, "enter", "R")
		if s := screen(m); !strings.Contains(s, "> keep 10") {
			t.Fatalf("R prompt:\n%s", s)
		}
		press(m, "ctrl+u")
		press(m, strings.Split("keep 1 protect ^stable$", "")...)
		press(m, "enter")
		s := screen(m)
		for _, want := range []string{"delete  0.9.0", "not among the newest 1", "keep    latest", "latest is never deleted", "1 to delete, 2 to keep"} {
			if !strings.Contains(s, want) && (size[0] == 120 || !strings.Contains(want, "to keep")) {
				t.Errorf("%v: the preview lacks %q:\n%s", size, want, s)
			}
		}
		if ch.pol.KeepNewest != 1 || len(ch.pol.Protect) != 1 || len(ch.applied) != 0 {
			t.Fatalf("policy %+v, applied %v before yes", ch.pol, ch.applied)
		}
		golden.Assert(t, sizeName("retention_dialog", size), s)
		press(m, "y")
		if !slices.Equal(ch.applied, []string{"0.9.0"}) || !strings.Contains(screen(m), "retention deleted 1 tags") {
			t.Errorf("applied %v:\n%s", ch.applied, screen(m))
		}
	}
}

// A failure too long for the status bar is read whole on the errors page
// (E), newest first, with the ones before it (finding 7).
func TestErrorsPageShowsFailuresWhole(t *testing.T) {
	long := "untag example.com/team/app005:v2.0.0-rc.1: conflict: unable to remove repository reference (must force) - container 0123456789ab is using its referenced image: remove the container first (docker rm), or force the removal"
	m := newApp(t, fakeRegistry{catalogErr: errors.New("list repositories: registry.example:5000: unreachable (connection refused)")}, 80, 24)
	_, cmd := m.Update(views.StatusMsg{Err: errors.New(long)})
	drain(m, cmd)
	if s := screen(m); !strings.Contains(s, "error: untag example.com") {
		t.Fatalf("the status bar does not point at E:\n%s", s)
	}
	press(m, "E")
	s := screen(m)
	flat := strings.Join(strings.Fields(strings.NewReplacer("│", " ").Replace(s)), " ")
	if !strings.Contains(flat, "remove the container first (docker rm), or force the removal") {
		t.Errorf("the errors page does not show the failure whole:\n%s", s)
	}
	if strings.Index(flat, "untag example.com") > strings.Index(flat, "list repositories") {
		t.Errorf("the newest failure is not first:\n%s", s)
	}
	golden.Assert(t, "errors_page_80x24", s)
	press(m, "esc")
	if strings.Contains(screen(m), "force the removal") {
		t.Error("esc did not close the errors page")
	}
}

// The moves between the sides are keys: > pushes the local image to the
// repository open on the Remote side (the target on screen, not typed), <
// pulls the remote tag under the cursor into the engine.
func TestMoveKeysPushAcrossAndPullBack(t *testing.T) {
	m, lc := newLocalApp(t)
	press(m, ">") // nothing open yet: the registry, the image's own path
	if s := screen(m); !strings.Contains(s, "Push team/app:1.0 to registry.example:5000") || !strings.Contains(s, "> registry.example:5000/team/app:1.0") {
		t.Fatalf("> with the registry open on the Remote side:\n%s", s)
	}
	press(m, "esc")
	press(m, "2", "enter", "j") // team/app open, the cursor on 1.0
	press(m, "1", "j", ">")     // team/web:2 to team/app
	s := screen(m)
	if !strings.Contains(s, "Push team/web:2 to registry.example:5000/team/app") || !strings.Contains(s, "> registry.example:5000/team/app:2") {
		t.Fatalf("> with team/app open on the Remote side:\n%s", s)
	}
	golden.Assert(t, "push_across_prompt_80x24", s)
	press(m, "enter")
	if len(lc.pushed) != 1 || lc.pushed[0] != "registry.example:5000/team/app:2" || !strings.Contains(screen(m), "done pushed registry.example:5000/team/app:2") {
		t.Fatalf("pushed %v:\n%s", lc.pushed, screen(m))
	}
	press(m, "3", "<")
	if len(lc.pulled) != 1 || lc.pulled[0] != "registry.example:5000/team/app:1.0" {
		t.Errorf("< pulled %v, want the tag under the cursor", lc.pulled)
	}
}

// With the registries listed on the Remote side there is no target: >
// says so and changes nothing.
func TestPushAcrossNeedsSomethingOpen(t *testing.T) {
	f, lc := fakeRegistry{}, &fakeLocal{}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: f, Local: localChanging{f, lc},
		Registries: []string{"registry.example:5000", "ghcr.io"}, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(m, "esc", "1", ">")
	if s := screen(m); !strings.Contains(s, "nothing is open on the Remote side") || strings.Contains(s, "Push ") {
		t.Errorf("> with the registries listed:\n%s", s)
	}
}

// A job that has gone without progress counts down to the end of its
// deadline in the jobs area, saying x cancels it; one that moves does not.
func TestStalledJobCountsDown(t *testing.T) {
	m, _ := newChangeApp(t, 120, 40)
	left := 20 * time.Second
	m.Update(views.JobStartedMsg{ID: 991, Title: "push r.io/app:1", Cancel: func() {}, Left: func() (time.Duration, time.Duration, bool) {
		return left, 150 * time.Second, true
	}})
	if s := screen(m); !strings.Contains(s, "push r.io/app:1 · no progress for 2m10s, stops in 20s (x cancels)") {
		t.Errorf("the stalled job does not count down:\n%s", s)
	}
	left = 148 * time.Second
	if s := screen(m); strings.Contains(s, "no progress") {
		t.Errorf("a job that moves counts down:\n%s", s)
	}
}

// What a job says when it ends passes the redaction once, on the jobs
// line and on the jobs page alike.
func TestJobResultsAreRedacted(t *testing.T) {
	m, _ := newChangeApp(t, 120, 40)
	pair := "YWxpY2U6aHVudGVyMi1wdw==" // alice:hunter2-pw
	m.Update(views.JobStartedMsg{ID: 992, Title: "push r.io/app:1", Cancel: func() {}})
	m.Update(views.JobFinishedMsg{ID: 992, Err: errors.New("push r.io/app:1: denied (you sent " + pair + ")")})
	m.Update(views.JobStartedMsg{ID: 993, Title: "push r.io/app:2", Cancel: func() {}})
	m.Update(views.JobFinishedMsg{ID: 993, Summary: "pushed r.io/app:2; not journaled (echoed " + pair + ")"})
	if s := screen(m); strings.Contains(s, pair) || !strings.Contains(s, "failed push r.io/app:1") {
		t.Errorf("the jobs area:\n%s", s)
	}
	press(m, "J")
	if s := screen(m); strings.Contains(s, pair) || !strings.Contains(s, "[redacted]") {
		t.Errorf("the jobs page:\n%s", s)
	}
}
