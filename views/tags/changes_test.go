package tags_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/prompt"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// fakeChanger changes the fake source's tags as a registry would.
type fakeChanger struct {
	src     *fakeSource
	repo    string
	deleted []string
	copies  []string
	// sources are what each retag was asked to take; undone the journal
	// entries undone.
	sources []string
	undone  []int
}

func (f *fakeChanger) siblings(tag string) []string {
	var out []string
	for _, t := range f.src.tags[f.repo] {
		if t != tag && f.src.digests[t] == f.src.digests[tag] {
			out = append(out, t)
		}
	}
	return out
}

func (f *fakeChanger) DeleteTag(_ context.Context, ref, digest string) (domain.DeleteResult, error) {
	tag := ref[strings.LastIndexByte(ref, ':')+1:]
	if digest != "" && f.src.digests[tag] != digest {
		return domain.DeleteResult{}, fmt.Errorf("%s names %s now, not %s: nothing was deleted", ref, f.src.digests[tag], digest)
	}
	res := domain.DeleteResult{Reference: ref, Digest: f.src.digests[tag], Path: domain.DeletedByPlaceholder, Siblings: f.siblings(tag), Deleted: []string{tag}}
	f.src.tags[f.repo] = slices.DeleteFunc(f.src.tags[f.repo], func(t string) bool { return t == tag })
	f.deleted = append(f.deleted, tag)
	return res, nil
}

// digestOf is what src (repo:tag or repo@digest) names.
func (f *fakeChanger) digestOf(src string) string {
	if _, d, ok := strings.Cut(src, "@"); ok {
		return d
	}
	return f.src.digests[src[strings.LastIndexByte(src, ':')+1:]]
}

func (f *fakeChanger) Retag(_ context.Context, src, tag string, ow domain.Overwrite) (domain.WriteResult, error) {
	f.sources = append(f.sources, src)
	incoming := f.digestOf(src)
	if d, ok := f.src.digests[tag]; ok && d != incoming && !ow.Allows(d) {
		return domain.WriteResult{}, &domain.OverwriteError{Reference: f.repo + ":" + tag, Existing: d, Incoming: incoming}
	}
	if !slices.Contains(f.src.tags[f.repo], tag) {
		f.src.tags[f.repo] = append(f.src.tags[f.repo], tag)
	}
	f.src.digests[tag] = incoming
	return domain.WriteResult{Reference: f.repo + ":" + tag, Digest: incoming}, nil
}

func (f *fakeChanger) Copy(_ context.Context, src, dest string, _ domain.Overwrite, progress func(domain.CopyProgress)) (domain.WriteResult, error) {
	progress(domain.CopyProgress{BlobsTotal: 2, BytesTotal: 100})
	progress(domain.CopyProgress{BlobsDone: 2, BlobsTotal: 2, BytesDone: 100, BytesTotal: 100})
	f.copies = append(f.copies, src+" → "+dest)
	return domain.WriteResult{Reference: dest, Blobs: 2, Bytes: 100, Transferred: 100}, nil
}

func (f *fakeChanger) NextUndo(_ context.Context, repo string) (domain.JournalEntry, error) {
	if len(f.deleted) == 0 || repo != f.repo {
		return domain.JournalEntry{}, errors.New("nothing left to undo in " + repo)
	}
	tag := f.deleted[len(f.deleted)-1]
	return domain.JournalEntry{ID: len(f.deleted), Op: domain.OpDeleteTag, Repository: f.repo, Tags: []string{tag}, Digest: f.src.digests[tag], Manifest: []byte("{}")}, nil
}

func (f *fakeChanger) Undo(_ context.Context, e domain.JournalEntry) (domain.UndoResult, error) {
	if len(f.deleted) != e.ID {
		return domain.UndoResult{}, fmt.Errorf("entry %d is not the next to undo", e.ID)
	}
	tag := f.deleted[len(f.deleted)-1]
	f.deleted = f.deleted[:len(f.deleted)-1]
	f.src.tags[f.repo] = append(f.src.tags[f.repo], tag)
	f.undone = append(f.undone, e.ID)
	return domain.UndoResult{Entry: e, Restored: []string{f.repo + ":" + tag}}, nil
}

// changePane is a pane over "r/app" with three tags of one image and one
// of another, and a changer.
func changePane(t *testing.T) (*tags.Model, *fakeChanger, *[]tea.Msg) {
	t.Helper()
	src := &fakeSource{
		tags:    map[string][]string{"r/app": {"1.0", "1.0.0", "latest", "0.9"}},
		digests: map[string]string{"1.0": dA, "1.0.0": dA, "latest": dA, "0.9": dB},
	}
	ch := &fakeChanger{src: src, repo: "r/app"}
	m := tags.New(src, ch, theme.New(theme.Default(), true))
	m.SetSize(60, 10)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	var outside []tea.Msg
	return m, ch, &outside
}

// run drains cmd through the pane, keeping the messages meant for the root
// (dialogs, prompts, status, jobs) instead of feeding them to the pane.
func run(t *testing.T, m *tags.Model, outside *[]tea.Msg, cmd tea.Cmd) {
	teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
		switch msg := msg.(type) {
		case views.JobStartedMsg:
			// Run the job as the root does, and hand its result to the pane.
			*outside = append(*outside, msg)
			return finish(msg, outside)
		case views.ConfirmRequestMsg, prompt.RequestMsg, views.StatusMsg:
			*outside = append(*outside, msg)
			return nil
		}
		return m.Update(msg)
	}, cmd, 200)
}

// finish follows a job to its end (keeping how it ended in outside) and
// returns what it leaves for the pane.
func finish(started views.JobStartedMsg, outside *[]tea.Msg) tea.Cmd {
	for next := views.WaitJob(started); next != nil; {
		switch msg := next().(type) {
		case views.JobProgressMsg:
			next = views.WaitJob(msg)
		case views.JobFinishedMsg:
			*outside = append(*outside, msg)
			then := msg.Then
			if then == nil {
				return nil
			}
			return func() tea.Msg { return then }
		default:
			return nil
		}
	}
	return nil
}

func lastOf[T any](msgs []tea.Msg) (T, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		if v, ok := msgs[i].(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func rowTags(m *tags.Model) []string {
	var out []string
	for _, line := range strings.Split(ansi.Strip(m.View()), "\n")[2:] {
		if f := strings.Fields(line); len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}

func key(s string) tea.KeyPressMsg { return tea.KeyPressMsg{Code: rune(s[0]), Text: s} }

func TestDeleteListsTheSiblingsThatStayThenUndoRestores(t *testing.T) {
	m, ch, out := changePane(t)
	m.Update(key("j")) // 0.9, then 1.0
	run(t, m, out, m.Update(key("d")))
	confirm, ok := lastOf[views.ConfirmRequestMsg](*out)
	if !ok {
		t.Fatal("d did not ask for confirmation")
	}
	if confirm.Title != "Delete tag r/app:1.0?" || !strings.Contains(confirm.Body, "These 2 tags share it and stay:\n  1.0.0\n  latest") {
		t.Errorf("dialog %q:\n%s", confirm.Title, confirm.Body)
	}
	if len(ch.deleted) != 0 {
		t.Fatal("deleted before the confirmation")
	}
	run(t, m, out, confirm.OnConfirm)
	if !slices.Equal(ch.deleted, []string{"1.0"}) {
		t.Fatalf("deleted %v", ch.deleted)
	}
	if got := rowTags(m); slices.Contains(got, "1.0") || len(got) != 3 {
		t.Errorf("after the delete the rows are %v", got)
	}
	st, _ := lastOf[views.StatusMsg](*out)
	if !strings.Contains(st.Text, "deleted r/app:1.0 (placeholder); kept 1.0.0, latest · u undoes") {
		t.Errorf("status %q", st.Text)
	}
	run(t, m, out, m.Update(key("u")))
	ask, ok := lastOf[views.ConfirmRequestMsg](*out)
	if !ok || !strings.Contains(ask.Body, "put back r/app:1.0 at "+dA) || len(ch.undone) != 0 {
		t.Fatalf("u did not ask first, naming what it puts back: %+v (undone %v)", ask, ch.undone)
	}
	run(t, m, out, ask.OnConfirm)
	if got := rowTags(m); !slices.Contains(got, "1.0") {
		t.Errorf("after u the rows are %v", got)
	}
	if st, _ := lastOf[views.StatusMsg](*out); !strings.HasPrefix(st.Text, "undid: deleted r/app:1.0") {
		t.Errorf("status after undo %q", st.Text)
	}
}

func TestDeletingTheOnlyTagSaysTheImageGoes(t *testing.T) {
	m, _, out := changePane(t)
	run(t, m, out, m.Update(key("d"))) // on 0.9
	confirm, _ := lastOf[views.ConfirmRequestMsg](*out)
	if !strings.Contains(confirm.Body, "No other tag shares it") {
		t.Errorf("dialog body:\n%s", confirm.Body)
	}
}

func TestRetagOntoAnotherImageAsksBeforeOverwriting(t *testing.T) {
	m, ch, out := changePane(t)
	m.Update(key("j")) // 1.0
	run(t, m, out, m.Update(key("r")))
	p, ok := lastOf[prompt.RequestMsg](*out)
	if !ok || p.Value != "1.0" {
		t.Fatalf("r opened %+v, want a prompt prefilled with 1.0", p)
	}
	if p.Validate("bad tag!") == nil || p.Validate("") == nil || p.Validate("0.9") != nil {
		t.Error("the prompt validates tags wrongly")
	}
	run(t, m, out, p.OnSubmit("0.9"))
	confirm, ok := lastOf[views.ConfirmRequestMsg](*out)
	if !ok || !strings.Contains(confirm.Body, "now    "+dB) || !strings.Contains(confirm.Body, "retag  "+dA) {
		t.Fatalf("overwrite dialog %+v", confirm)
	}
	if ch.src.digests["0.9"] != dB {
		t.Fatal("0.9 moved before the overwrite was confirmed")
	}
	run(t, m, out, confirm.OnConfirm)
	if ch.src.digests["0.9"] != dA {
		t.Error("confirming did not overwrite 0.9")
	}
}

func TestCopyRunsAsAJob(t *testing.T) {
	m, ch, out := changePane(t)
	m.Update(key("j"))
	run(t, m, out, m.Update(key("y")))
	p, ok := lastOf[prompt.RequestMsg](*out)
	if !ok || p.Value != "r/app" {
		t.Fatalf("y opened %+v", p)
	}
	if p.Validate("") == nil || p.Validate("release.example.com/team/app:2") != nil || p.Validate("release.example.com/Team") == nil || p.Validate("h/app:bad tag") == nil {
		t.Error("the destination is validated wrongly")
	}
	run(t, m, out, p.OnSubmit("release.example.com/team/app"))
	started, ok := lastOf[views.JobStartedMsg](*out)
	if !ok || !strings.HasPrefix(started.Title, "copy r/app:1.0 → release.example.com/team/app") {
		t.Fatalf("no copy job: %+v", started)
	}
	// run followed the job as the root does.
	finished, _ := lastOf[views.JobFinishedMsg](*out)
	if finished.Err != nil || finished.Summary != "release.example.com/team/app:1.0: 2 blobs, 100B sent" || len(ch.copies) != 1 {
		t.Errorf("job ended %+v, copies %v", finished, ch.copies)
	}
}

func TestChangeKeysExplainAReadOnlyRegistry(t *testing.T) {
	src := &fakeSource{tags: map[string][]string{"r/app": {"1.0"}}, digests: map[string]string{"1.0": dA}}
	m := tags.New(src, nil, theme.New(theme.Default(), true))
	m.SetSize(60, 10)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	for _, k := range []string{"d", "r", "y", "u"} {
		st, ok := m.Update(key(k))().(views.StatusMsg)
		if !ok || st.Err == nil || !strings.Contains(st.Err.Error(), "journal") {
			t.Errorf("%s without a changer: %+v", k, st)
		}
	}
}

// typeText types s into the pane, running what each key press asks (the
// filter matches as a command).
func typeText(t testing.TB, m *tags.Model, s string) {
	t.Helper()
	for _, r := range s {
		teatestutil.Drain(t, m.Update, m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}), 10)
	}
}

func TestFilterNarrowsTheListAsYouType(t *testing.T) {
	m, ch, out := changePane(t)
	m.Update(key("/"))
	if !m.Capturing() {
		t.Fatal("/ did not start the filter")
	}
	typeText(t, m, "1.0j") // j is text here, not "down"
	if got := rowTags(m)[1:]; len(got) != 0 {
		t.Errorf("1.0j matches %v, want nothing", got)
	}
	teatestutil.Drain(t, m.Update, m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace}), 10)
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "/1.0▏  2 of 4 match") {
		t.Errorf("the filter line is missing:\n%s", view)
	}
	if got := rowTags(m)[1:]; !slices.Equal(got, []string{"1.0", "1.0.0"}) {
		t.Errorf("1.0 matches %v, want [1.0 1.0.0] in sort order", got)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if m.Capturing() {
		t.Fatal("enter did not end typing")
	}
	m.Update(key("j")) // now a movement key: onto 1.0.0
	run(t, m, out, m.Update(key("d")))
	if confirm, _ := lastOf[views.ConfirmRequestMsg](*out); confirm.Title != "Delete tag r/app:1.0.0?" {
		t.Errorf("d on the filtered list asks %q", confirm.Title)
	}
	if cleared, _ := m.Clear(); !cleared || len(rowTags(m)) != 4 {
		t.Errorf("clearing the filter shows %v", rowTags(m))
	}
	if cleared, _ := m.Clear(); cleared {
		t.Error("Clear with no filter reported clearing something")
	}
	_ = ch
}

func TestGroupedViewIsOneLinePerImage(t *testing.T) {
	m, _, out := changePane(t)
	m.Update(key("j")) // 1.0
	m.Update(key("G"))
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "grouped by image") {
		t.Errorf("title does not say grouped:\n%s", view)
	}
	lines := strings.Split(view, "\n")[2:]
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "bbbbbbbbbbbb = 1   0.9") || !strings.HasPrefix(lines[1], "aaaaaaaaaaaa = 3   1.0, 1.0.0, latest") {
		t.Errorf("grouped lines:\n%s", strings.Join(lines, "\n"))
	}
	// The cursor stayed on 1.0's image.
	if sel, _ := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})().(tags.SelectedMsg); sel.Reference != "r/app:1.0" {
		t.Errorf("enter in the grouped view selects %q", sel.Reference)
	}
	run(t, m, out, m.Update(key("d")))
	if st, _ := lastOf[views.StatusMsg](*out); !strings.Contains(st.Text, "press G for the tag list") {
		t.Errorf("d in the grouped view: %q", st.Text)
	}
	m.Update(key("G"))
	if sel, _ := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})().(tags.SelectedMsg); sel.Reference != "r/app:1.0" {
		t.Errorf("back in the list the cursor is on %q", sel.Reference)
	}
}

// createdSource also knows when each image was made.
type createdSource struct {
	*fakeSource
	made map[string]time.Time
}

func (c createdSource) Created(_ context.Context, _ string, digests []string, each func(string, time.Time, error)) error {
	for _, d := range digests {
		each(d, c.made[d], nil)
	}
	return nil
}

func TestSortCyclesToCreatedWhenTheSourceKnowsIt(t *testing.T) {
	src := createdSource{
		fakeSource: &fakeSource{
			tags:    map[string][]string{"r/app": {"1.0", "latest", "0.9", "2.0"}},
			digests: map[string]string{"1.0": dA, "latest": dA, "0.9": dB, "2.0": "sha256:cccc"},
		},
		// 0.9 is the newest image here: a rebuilt old release.
		made: map[string]time.Time{dA: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), dB: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), "sha256:cccc": time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	m := tags.New(src, nil, theme.New(theme.Default(), true))
	m.SetSize(60, 10)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	m.Update(key("s")) // name
	teatestutil.Drain(t, m.Update, m.Update(key("s")), 100)
	if got := rowTags(m); !slices.Equal(got, []string{"2.0", "1.0", "latest", "0.9"}) || !strings.Contains(m.Title(), "by created") {
		t.Errorf("created order %v (%s), want oldest first: 2.0, 1.0, latest, 0.9", got, m.Title())
	}
	m.Update(key("s"))
	if !strings.Contains(m.Title(), "by semver") {
		t.Errorf("s after created: %s", m.Title())
	}
}
