package tags

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/prompt"
)

// errNoChanger is why the change keys do nothing without a changer.
var errNoChanger = errors.New("this registry is read-only here: wharf changes registries only with its journal (see `wharf doctor`)")

func status(text string) tea.Cmd { return views.Status(text) }

func failed(err error) tea.Cmd { return views.Failed(err) }

func request(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// changeKey handles d, u, r, y and R.
func (m *Model) changeKey(msg tea.KeyPressMsg) tea.Cmd {
	matched := key.Matches(msg, m.keys.Delete, m.keys.Undo, m.keys.Retag, m.keys.Copy, m.keys.Retain)
	switch {
	case !matched:
		return nil
	case m.changer == nil:
		return failed(errNoChanger)
	case m.Offline() && !key.Matches(msg, m.keys.Undo):
		// What shows is the cache's: a change would act on what the
		// registry may no longer hold, and could not be checked.
		return status("offline: nothing changed (the registry does not answer; these rows are cached); ctrl+r asks again")
	case m.Offline():
		return status("offline: the registry does not answer, so nothing can be undone now; ctrl+r asks again")
	case key.Matches(msg, m.keys.Retain):
		return m.retentionPrompt()
	case key.Matches(msg, m.keys.Undo):
		if m.repo == "" {
			return status("open a repository first: u undoes its last change")
		}
		return findUndo(m.changer, m.repo)
	case m.grouped && key.Matches(msg, m.keys.Delete):
		return status("the grouped view shows images: press G for the tag list to delete one tag")
	case m.selection.Len() > 0 && key.Matches(msg, m.keys.Delete):
		return m.deleteSelected()
	case m.selection.Len() > 0 && key.Matches(msg, m.keys.Copy):
		return m.copySelected()
	}
	r, ok := m.current()
	if !ok {
		return status("no tag selected")
	}
	c := m.changer // the prompt's callbacks capture values, not the model
	shown := m.repo + ":" + r.tag
	// A retag or copy takes the image shown (by digest), not whatever the
	// tag names by the time the prompt is answered.
	src := shown
	if r.digest != "" {
		src = m.repo + "@" + r.digest
	}
	switch {
	case key.Matches(msg, m.keys.Delete):
		// The delete acts on the digest the dialog shows: a tag that moved
		// since is left alone.
		return request(views.ConfirmRequestMsg{
			Title: "Delete tag " + shown + "?", Body: m.deleteBody(r), Action: "Delete " + r.tag,
			OnConfirm: tea.Batch(status("deleting "+shown+"…"), deleteTag(m.changer, shown, r.digest)),
		})
	case key.Matches(msg, m.keys.Retag):
		return request(prompt.RequestMsg{
			Title: "Retag " + shown, Label: "new tag in " + m.repo + " (no blobs are moved)", Value: r.tag,
			Validate: ref.CheckTag,
			OnSubmit: func(tag string) tea.Cmd { return retag(c, src, tag, domain.Overwrite{}) },
		})
	default: // copy
		hint := "blobs already there are skipped; a tag that holds another image is not replaced without asking"
		if sc := m.scope(r.digest); sc != "" {
			hint = "copies " + sc + "; " + hint
		}
		return request(prompt.RequestMsg{
			Title: "Copy " + shown + " to", Label: "repository (keeps the tag " + r.tag + ") or repository:tag, on any registry", Value: m.repo,
			Hint:     hint,
			Validate: ref.CheckDestination,
			OnSubmit: func(dest string) tea.Cmd { return copyTag(c, src, shown, withTag(dest, r.tag), domain.Overwrite{}) },
		})
	}
}

// deleteBody says what a delete will do: which tags share the digest and
// stay, or that the image goes with its only tag.
func (m *Model) deleteBody(r row) string {
	if r.digest == "" {
		return "Its digest is not resolved yet; wharf checks which tags share it before deleting and keeps them.\nThe manifest is journaled first: u undoes the delete."
	}
	var sib []string
	for _, o := range m.rows {
		if o.digest == r.digest && o.tag != r.tag {
			sib = append(sib, "  "+o.tag)
		}
	}
	lines := []string{"digest " + r.digest}
	if sc := m.scope(r.digest); sc != "" {
		lines = append(lines, "It names "+sc+": deleting it takes every platform.")
	}
	if len(sib) == 0 {
		lines = append(lines, "No other tag shares it: the image goes with this tag (the registry frees", "its space when its garbage collector runs).")
		lines = append(lines, m.orphanWarning(r.digest)...)
	} else {
		if len(sib) == 1 {
			lines = append(lines, "This tag shares it and stays:")
		} else {
			lines = append(lines, fmt.Sprintf("These %d tags share it and stay:", len(sib)))
		}
		lines = append(lines, sib...)
	}
	return strings.Join(append(lines, "The manifest is journaled first: u undoes the delete."), "\n")
}

// withTag is dest with tag when it names a repository without one.
func withTag(dest, tag string) string {
	last := dest[strings.LastIndex(dest, "/")+1:]
	if strings.ContainsAny(last, ":@") {
		return dest
	}
	return dest + ":" + tag
}

// deleteTag runs a delete as a job: x cancels it, and it gives up after
// changeTimeout.
func deleteTag(c Changer, ref, digest string) tea.Cmd {
	return views.StartJob("delete "+ref, func(ctx context.Context, _ func(views.JobProgress)) (string, tea.Msg, error) {
		ctx, cancel := context.WithTimeout(ctx, changeTimeout)
		defer cancel()
		res, err := c.DeleteTag(ctx, ref, digest)
		return deletedText(ref, res), DeletedMsg{Reference: ref, Result: res, Err: err}, err
	})
}

// changeTimeout bounds a delete, retag or undo: the registry's own
// requests time out sooner; this stops one that keeps answering slowly.
const changeTimeout = 5 * time.Minute

// retag runs a retag as a job (x cancels it).
func retag(c Changer, src, tag string, ow domain.Overwrite) tea.Cmd {
	return views.StartJob("retag as "+tag, func(ctx context.Context, _ func(views.JobProgress)) (string, tea.Msg, error) {
		ctx, cancel := context.WithTimeout(ctx, changeTimeout)
		defer cancel()
		res, err := c.Retag(ctx, src, tag, ow)
		msg := RetaggedMsg{Source: src, NewTag: tag, Overwrite: ow, Result: res, Err: err}
		var o *domain.OverwriteError
		if errors.As(err, &o) {
			// Not a failure: the pane asks whether to overwrite.
			return "retag stopped to ask: " + o.Reference + " names another image", msg, nil
		}
		return "retagged " + res.Reference, msg, err
	})
}

// findUndo asks which journal entry u would undo in repo, to name it in
// the dialog before anything is done.
func findUndo(c Changer, repo string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), changeTimeout)
		defer cancel()
		e, err := c.NextUndo(ctx, repo)
		return UndoFoundMsg{Repository: repo, Entry: e, Err: err}
	}
}

// undo runs an undo as a job (x cancels it).
func undo(c Changer, e domain.JournalEntry) tea.Cmd {
	return views.StartJob(fmt.Sprintf("undo journal entry %d", e.ID), func(ctx context.Context, _ func(views.JobProgress)) (string, tea.Msg, error) {
		ctx, cancel := context.WithTimeout(ctx, changeTimeout)
		defer cancel()
		res, err := c.Undo(ctx, e)
		if len(e.With) > 0 {
			return fmt.Sprintf("undid a batch of %d changes", len(e.With)+1), UndoneMsg{Result: res, Err: err}, err
		}
		return "undid " + e.Summary(), UndoneMsg{Result: res, Err: err}, err
	})
}

// undoDialog says exactly what undoing e does; the default answer is no.
func undoDialog(c Changer, e domain.JournalEntry) tea.Cmd {
	if len(e.With) > 0 {
		// A batch (marked tags deleted at once, a retention run): all of
		// it goes back.
		n := len(e.With) + 1
		var lines []string
		for _, x := range append([]domain.JournalEntry{e}, e.With...) {
			lines = append(lines, fmt.Sprintf("%d: %s", x.ID, x.Summary()))
			for _, l := range x.UndoLines() {
				lines = append(lines, "  "+l)
			}
		}
		return request(views.ConfirmRequestMsg{
			Title: fmt.Sprintf("Undo a batch of %d changes?", n), Body: strings.Join(lines, "\n"), Action: fmt.Sprintf("Undo %d", n),
			OnConfirm: tea.Batch(status(fmt.Sprintf("undoing %d changes…", n)), undo(c, e)),
		})
	}
	return request(views.ConfirmRequestMsg{
		Title: "Undo " + e.Summary() + "?", Body: strings.Join(e.UndoLines(), "\n"), Action: "Undo",
		OnConfirm: tea.Batch(status(fmt.Sprintf("undoing journal entry %d…", e.ID)), undo(c, e)),
	})
}

// copyTag runs a copy of src (shown as what the user chose, label) as a
// job with a progress bar.
func copyTag(c Changer, src, label, dest string, ow domain.Overwrite) tea.Cmd {
	return views.StartJob("copy "+label+" → "+dest, func(ctx context.Context, report func(views.JobProgress)) (string, tea.Msg, error) {
		res, err := c.Copy(ctx, src, dest, ow, func(p domain.CopyProgress) {
			report(views.JobProgress{Done: p.BytesDone, Total: p.BytesTotal, Text: fmt.Sprintf("blobs %d/%d", p.BlobsDone, p.BlobsTotal)})
		})
		done := CopiedMsg{Source: src, Label: label, Dest: dest, Overwrite: ow, Result: res, Err: err}
		if err != nil {
			return "", done, err
		}
		if res.Unchanged {
			return res.Reference + " already had it; nothing copied", done, nil
		}
		return fmt.Sprintf("%s: %d blobs, %s sent", res.Reference, res.Blobs, domain.HumanSize(res.Transferred)), done, nil
	})
}

// overwriteDialog asks before a write replaces what a tag points at; the
// default answer is no.
func overwriteDialog(ow *domain.OverwriteError, what string, again tea.Cmd) tea.Cmd {
	return request(views.ConfirmRequestMsg{
		Title: "Overwrite " + ow.Reference + "?",
		Body: strings.Join([]string{
			"The tag already points at another image:",
			"  now    " + ow.Existing,
			"  " + fmt.Sprintf("%-6s ", what) + ow.Incoming,
			"The image it points at now is journaled: u puts it back.",
		}, "\n"),
		Action:    "Overwrite",
		OnConfirm: again,
	})
}

// changed reports a change's result and refreshes the list it touched.
func (m *Model) changed(msg tea.Msg) tea.Cmd {
	var ow *domain.OverwriteError
	switch msg := msg.(type) {
	case DeletedMsg:
		if msg.Err != nil {
			return failed(msg.Err)
		}
		m.mine(msg.Result.JournalID)
		m.deleted = msg.Reference[strings.LastIndex(msg.Reference, ":")+1:]
		return tea.Batch(status(deletedText(msg.Reference, msg.Result)+" · u undoes"), m.reloadIf(msg.Reference, ""))
	case RetaggedMsg:
		switch {
		case errors.As(msg.Err, &ow):
			// Yes replaces the image the dialog names, and nothing else.
			return overwriteDialog(ow, "retag", retag(m.changer, msg.Source, msg.NewTag, msg.Overwrite.And(ow.Existing)))
		case msg.Err != nil:
			return failed(msg.Err)
		case msg.Result.Unchanged:
			return status(msg.Result.Reference + " already points at that image")
		}
		m.mine(msg.Result.JournalID)
		return tea.Batch(status("retagged: "+msg.Result.Reference+" → "+domain.ShortDigest(msg.Result.Digest)+" · u undoes"), m.reloadIf(msg.Source, msg.NewTag))
	case CopiedMsg:
		switch {
		case errors.As(msg.Err, &ow):
			return overwriteDialog(ow, "copy", copyTag(m.changer, msg.Source, msg.Label, msg.Dest, msg.Overwrite.And(ow.Existing)))
		case msg.Err != nil:
			return nil // the job reports it
		}
		m.mine(msg.Result.JournalID)
		return m.reloadIf(msg.Result.Reference, "")
	case UndoFoundMsg:
		if msg.Err != nil {
			return failed(msg.Err)
		}
		return undoDialog(m.changer, msg.Entry)
	case RetentionPlannedMsg:
		r, ok := m.changer.(Retainer)
		switch {
		case msg.Err != nil:
			return failed(msg.Err)
		case !ok:
			return nil
		}
		return retentionDialog(r, msg.Plan)
	case RetainedMsg:
		return m.reloadRepo(msg.Repository, "")
	case CopiedManyMsg:
		if msg.Dest == m.repo {
			return m.reloadRepo(m.repo, "")
		}
		return nil
	case DeletedManyMsg:
		for _, id := range msg.Journal {
			m.mine(id)
		}
		for _, t := range msg.Deleted {
			m.selection.Drop(t)
		}
		return m.reloadRepo(msg.Repository, "")
	case UndoneMsg:
		if msg.Err != nil {
			return failed(msg.Err)
		}
		m.mine(msg.Result.Entry.ID)
		for _, e := range msg.Result.Entry.With {
			m.mine(e.ID)
		}
		e := msg.Result.Entry
		text := "undid: " + e.Summary()
		if len(e.With) > 0 {
			text = fmt.Sprintf("undid a batch of %d changes: %d tags restored", len(e.With)+1, len(msg.Result.Restored))
		}
		return tea.Batch(status(text), m.reloadRepo(e.Repository, ""))
	}
	return nil
}

// reloadIf reloads the list when ref is in the shown repository, keeping
// the cursor on keep (or, without it, where it was).
func (m *Model) reloadIf(ref, keep string) tea.Cmd {
	if i := strings.Index(ref, "@"); i > 0 {
		return m.reloadRepo(ref[:i], keep)
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return m.reloadRepo(ref[:i], keep)
	}
	return nil
}

// Reload lists repository again when it is the one shown (a push from
// the Local side landed in it), the cursor keeping its tag.
func (m *Model) Reload(repository string) tea.Cmd { return m.reloadRepo(repository, "") }

func (m *Model) reloadRepo(repo, keep string) tea.Cmd {
	if m.repo == "" || repo != m.repo {
		return nil
	}
	if keep == "" {
		if r, ok := m.current(); ok {
			keep = r.tag
		}
	}
	m.keepTag, m.keepPos = keep, m.cur.Pos
	return m.Load(m.repo)
}

// retentionPrompt asks for a retention policy over the repository, as
// `wharf retain` takes it; the plan is previewed before anything goes.
func (m *Model) retentionPrompt() tea.Cmd {
	r, ok := m.changer.(Retainer)
	switch {
	case !ok:
		return status("this registry cannot apply retention here")
	case m.repo == "":
		return status("open a repository first: R previews a retention policy over it")
	}
	repo := m.repo
	return request(prompt.RequestMsg{
		Title: "Retention for " + repo, Label: "policy (previewed before anything is deleted)", Value: "keep 10",
		Hint: "keep N · older-than 30d · match RE · exclude RE · protect RE · include-prerelease · by semver|created; latest is never deleted",
		Validate: func(s string) error {
			_, err := domain.ParseRetentionPolicy(s)
			return err
		},
		OnSubmit: func(s string) tea.Cmd {
			pol, _ := domain.ParseRetentionPolicy(s)
			return tea.Batch(status("planning retention for "+repo+"…"), planRetention(r, repo, pol))
		},
	})
}

func planRetention(r Retainer, repo string, pol domain.RetentionPolicy) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), changeTimeout)
		defer cancel()
		plan, err := r.PlanRetention(ctx, repo, pol)
		return RetentionPlannedMsg{Repository: repo, Plan: plan, Err: err}
	}
}

// retentionDialog previews a plan: every tag that goes, then every tag
// that stays, each with why (the CLI's lines); yes applies it as a job.
func retentionDialog(r Retainer, p domain.RetentionPlan) tea.Cmd {
	if len(p.Delete) == 0 {
		return status(fmt.Sprintf("retention for %s deletes nothing: all %d tags stay", p.Repository, len(p.Keep)))
	}
	tagW := 0
	for _, t := range append(slices.Clone(p.Delete), p.Keep...) {
		tagW = min(max(tagW, len(t.Tag)), 24)
	}
	line := func(what string, t domain.RetainedTag) string {
		return fmt.Sprintf("%-6s  %-*s  %s  %7s  %s", what, tagW, t.Tag, domain.ShortDigest(t.Digest), domain.HumanSize(t.Size), t.Reason)
	}
	var lines []string
	for _, t := range p.Delete {
		lines = append(lines, line("delete", t))
	}
	for _, t := range p.Keep {
		lines = append(lines, line("keep", t))
	}
	return tea.Batch(status(fmt.Sprintf("retention plan for %s: %d to delete, %d to keep", p.Repository, len(p.Delete), len(p.Keep))), request(views.ConfirmRequestMsg{
		Title:  fmt.Sprintf("Delete %d of %d tags of %s? (up to %s)", len(p.Delete), len(p.Delete)+len(p.Keep), p.Repository, domain.HumanSize(p.DeleteSize())),
		Body:   strings.Join(append(lines, "Each delete spares its digest's other tags and is journaled; one u puts them all back."), "\n"),
		Action: fmt.Sprintf("Delete %d", len(p.Delete)),
		OnConfirm: views.StartJob(fmt.Sprintf("retention: delete %d tags of %s", len(p.Delete), p.Repository), func(ctx context.Context, report func(views.JobProgress)) (string, tea.Msg, error) {
			done, failures := 0, 0
			var lines []string
			err := r.ApplyRetention(ctx, p, func(t domain.RetainedTag, _ domain.DeleteResult, err error) {
				done++
				line := "deleted " + t.Tag
				if err != nil {
					failures++
					line = "kept " + t.Tag + ": " + err.Error()
				}
				lines = append(lines, line)
				report(views.JobProgress{Done: int64(done), Total: int64(len(p.Delete)), Text: fmt.Sprintf("tags %d/%d", done, len(p.Delete)), Detail: slices.Clone(lines)})
			})
			msg := RetainedMsg{Repository: p.Repository, Deleted: done - failures, Failed: failures}
			if err == nil && failures > 0 {
				err = fmt.Errorf("%d of %d deletes failed (J lists why)", failures, len(p.Delete))
			}
			return fmt.Sprintf("retention deleted %d tags of %s", done-failures, p.Repository), msg, err
		}),
	}))
}

// journalChanged reloads the list when another wharf process or the CLI
// changed (or undid a change to) the repository shown; the pane's own
// changes reload it already.
func (m *Model) journalChanged(entries []domain.JournalEntry) tea.Cmd {
	for _, e := range entries {
		if e.Repository == m.repo && !m.own[e.ID] {
			return tea.Batch(status("the journal says "+e.Repository+" changed ("+e.Summary()+"): reloading"), m.reloadRepo(m.repo, ""))
		}
	}
	return nil
}

// mine notes a journal entry this pane made or undid.
func (m *Model) mine(id int) {
	if id == 0 {
		return
	}
	if m.own == nil {
		m.own = map[int]bool{}
	}
	m.own[id] = true
}

// deletedText says what a delete did: how, and which tags stayed.
func deletedText(ref string, r domain.DeleteResult) string {
	text := fmt.Sprintf("deleted %s (%s)", ref, r.Path)
	if len(r.Siblings) > 0 {
		text += "; kept " + strings.Join(r.Siblings, ", ")
	}
	return text
}
