package tags

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/prompt"
)

// BulkDeleter deletes several tags as one batch in the journal (one undo
// puts all of them back); a Changer that is one lets d act on the
// selection.
type BulkDeleter interface {
	DeleteTags(ctx context.Context, tags []domain.TagAt, each func(domain.TagAt, domain.DeleteResult, error)) error
}

// DeletedManyMsg ends a delete of the selected tags (it ran as a job).
type DeletedManyMsg struct {
	Repository string
	// Deleted are the tags that went; Failed says why the others stayed.
	Deleted []string
	Failed  map[string]error
	// Journal are the journal entries the deletes made.
	Journal []int
}

// selectKey handles space (select the tag under the cursor, or unselect
// it) and * / ctrl+a (select every tag the filter shows, or — when all of
// them are — none). It reports whether the key was one of those.
func (m *Model) selectKey(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Select):
		r, ok := m.current()
		if !ok {
			return true, nil
		}
		m.selection.Toggle(r.tag, &m.cur)
		return true, m.selected()
	case key.Matches(msg, m.keys.SelectAll):
		shown := make([]string, len(m.shown))
		for k, i := range m.shown {
			shown[k] = m.rows[i].tag
		}
		m.selection.ToggleAll(shown)
		return true, status(fmt.Sprintf("%d tags selected", m.selection.Len()))
	}
	return false, nil
}

// Selected are the selected tags, in the order the rows show them.
func (m *Model) Selected() []string {
	var out []string
	for _, r := range m.rows {
		if m.selection.Has(r.tag) {
			out = append(out, r.tag)
		}
	}
	return out
}

// deleteSelected asks to delete every selected tag: one dialog lists each
// with what it does — the tags sharing its digest that stay, an image that
// goes with its last tag, a digest not resolved yet — and one job deletes
// them as one batch.
func (m *Model) deleteSelected() tea.Cmd {
	bulk, ok := m.changer.(BulkDeleter)
	if !ok {
		return status("this registry deletes one tag at a time here")
	}
	sel := m.Selected()
	chosen := make(map[string]bool, len(sel))
	for _, t := range sel {
		chosen[t] = true
	}
	tagW := 0
	for _, t := range sel {
		tagW = min(max(tagW, len(t)), 24)
	}
	var lines []string
	items := make([]domain.TagAt, 0, len(sel))
	for _, t := range sel {
		r := m.rows[m.index[t]]
		items = append(items, domain.TagAt{Reference: m.repo + ":" + t, Digest: r.digest})
		var what string
		switch r.digest {
		case "":
			what = "digest not resolved yet: checked before deleting, its other tags kept"
		default:
			var stay []string
			for _, o := range m.rows {
				if o.digest == r.digest && !chosen[o.tag] {
					stay = append(stay, o.tag)
				}
			}
			if len(stay) == 0 {
				what = "the image goes with it (no other tag stays on it)"
			} else {
				what = "stays: " + strings.Join(stay, ", ")
			}
		}
		lines = append(lines, fmt.Sprintf("%-*s  %s  %s", tagW, t, shortOr(r.digest), what))
	}
	lines = append(lines, "Each delete acts only if the tag still names the digest shown, and is journaled;", "they are one batch: one u puts them all back.")
	repo := m.repo
	n := len(items)
	return request(views.ConfirmRequestMsg{
		Title: fmt.Sprintf("Delete %d tags of %s?", n, repo), Body: strings.Join(lines, "\n"), Action: fmt.Sprintf("Delete %d", n),
		OnConfirm: views.StartJob(fmt.Sprintf("delete %d tags of %s", n, repo), func(ctx context.Context, report func(views.JobProgress)) (string, tea.Msg, error) {
			done := DeletedManyMsg{Repository: repo, Failed: map[string]error{}}
			var lines []string
			err := bulk.DeleteTags(ctx, items, func(t domain.TagAt, res domain.DeleteResult, err error) {
				tag := strings.TrimPrefix(t.Reference, repo+":")
				if err != nil {
					done.Failed[tag] = err
					lines = append(lines, "kept "+tag+": "+err.Error())
				} else {
					done.Deleted = append(done.Deleted, tag)
					done.Journal = append(done.Journal, res.JournalID)
					lines = append(lines, deletedText(tag, res))
				}
				k := len(done.Deleted) + len(done.Failed)
				report(views.JobProgress{Done: int64(k), Total: int64(n), Text: fmt.Sprintf("tags %d/%d", k, n), Detail: slices.Clone(lines)})
			})
			if err == nil && len(done.Failed) > 0 {
				err = fmt.Errorf("%d of %d deletes failed (J lists why)", len(done.Failed), n)
			}
			return fmt.Sprintf("deleted %d tags of %s as one batch (u puts them back)", len(done.Deleted), repo), done, err
		}),
	})
}

func shortOr(digest string) string {
	if digest == "" {
		return fmt.Sprintf("%-12s", "…")
	}
	return domain.ShortDigest(digest)
}

// BulkCopier copies several tags to a repository (each keeping its tag)
// as one batch in the journal; a Changer that is one lets y act on the
// selection.
type BulkCopier interface {
	CopyTags(ctx context.Context, sources []domain.TagAt, dest string, each func(src domain.TagAt, to string, res domain.WriteResult, err error)) error
}

// CopiedManyMsg ends a copy of the selected tags (it ran as a job).
type CopiedManyMsg struct {
	Dest   string
	Copied int
	Failed int
}

// selectedAt are the selected tags as references, with the digests shown.
func (m *Model) selectedAt() []domain.TagAt {
	var out []domain.TagAt
	for _, t := range m.Selected() {
		out = append(out, domain.TagAt{Reference: m.repo + ":" + t, Digest: m.rows[m.index[t]].digest})
	}
	return out
}

// copySelected asks where to copy the selected tags (a repository, on any
// registry; each keeps its tag) and copies them in one job, the images
// shown (by digest), never over a tag that holds another image.
func (m *Model) copySelected() tea.Cmd {
	bulk, ok := m.changer.(BulkCopier)
	if !ok {
		return status("this registry copies one tag at a time here")
	}
	items := m.selectedAt()
	n := len(items)
	return request(prompt.RequestMsg{
		Title: fmt.Sprintf("Copy %d tags of %s to", n, m.repo), Label: "repository, on any registry (each keeps its tag)", Value: m.repo,
		Hint: "blobs already there are skipped; a tag there that holds another image is not replaced", Validate: checkRepository,
		OnSubmit: func(dest string) tea.Cmd {
			return views.StartJob(fmt.Sprintf("copy %d tags → %s", n, dest), func(ctx context.Context, report func(views.JobProgress)) (string, tea.Msg, error) {
				done := CopiedManyMsg{Dest: dest}
				var lines []string
				err := bulk.CopyTags(ctx, items, dest, func(_ domain.TagAt, to string, res domain.WriteResult, err error) {
					switch {
					case err != nil:
						done.Failed++
						lines = append(lines, "not copied "+to+": "+err.Error())
					case res.Unchanged:
						done.Copied++
						lines = append(lines, to+" had it already")
					default:
						done.Copied++
						lines = append(lines, fmt.Sprintf("copied %s (%s sent)", to, domain.HumanSize(res.Transferred)))
					}
					k := done.Copied + done.Failed
					report(views.JobProgress{Done: int64(k), Total: int64(n), Text: fmt.Sprintf("tags %d/%d", k, n), Detail: slices.Clone(lines)})
				})
				if err == nil && done.Failed > 0 {
					err = fmt.Errorf("%d of %d copies failed (J lists why)", done.Failed, n)
				}
				return fmt.Sprintf("copied %d tags to %s as one batch (u there puts them back)", done.Copied, dest), done, err
			})
		},
	})
}

// checkRepository: a repository (no tag, no digest) whose registry is
// named.
func checkRepository(s string) error {
	if err := ref.CheckDestination(s); err != nil {
		return err
	}
	if last := s[strings.LastIndex(s, "/")+1:]; strings.ContainsAny(last, ":@") {
		return errors.New("name a repository without a tag: each tag keeps its own")
	}
	return nil
}

// pullSelected pulls every selected tag into the engine, one job.
func (m *Model) pullSelected() tea.Cmd {
	sel := m.Selected()
	refs := make([]string, len(sel))
	for i, t := range sel {
		refs[i] = m.repo + ":" + t
	}
	return func() tea.Msg { return views.PullRequestMsg{Reference: refs[0], More: refs[1:]} }
}
