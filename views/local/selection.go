package local

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views"
)

// Batcher starts a batch of registry changes: the pushes made with the
// context it returns are one batch in the journal (one undo puts back
// what all of them replaced).
type Batcher interface {
	Batch(ctx context.Context) context.Context
}

// ChangedManyMsg ends a change of the selected images (it ran as a job).
type ChangedManyMsg struct{ Done, Failed int }

// selectKey handles space (select the image under the cursor, or not) and
// * / ctrl+a (every image the filter shows, or none when all are).
func (m *Model) selectKey(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Select):
		img, ok := m.current()
		if !ok {
			return true, nil
		}
		m.selection.Toggle(img.ID, &m.cur)
		return true, m.selected()
	case key.Matches(msg, m.keys.SelectAll):
		shown := make([]string, len(m.shown))
		for k, i := range m.shown {
			shown[k] = m.listing.Images[i].ID
		}
		m.selection.ToggleAll(shown)
		return true, status(fmt.Sprintf("%d images selected", m.selection.Len()), nil)
	}
	return false, nil
}

// selectedImages are the selected images in the order the rows show them.
func (m *Model) selectedImages() []domain.LocalImage {
	var out []domain.LocalImage
	for _, img := range m.listing.Images {
		if m.selection.Has(img.ID) {
			out = append(out, img)
		}
	}
	return out
}

// removeSelected asks to remove every selected image — each of its tags
// untagged, only while the tag still names that image — in one job.
func (m *Model) removeSelected() tea.Cmd {
	imgs := m.selectedImages()
	c := m.changer
	var lines []string
	for _, img := range imgs {
		what := "removes " + strings.Join(img.RepoTags, ", ") + "; the image goes"
		if len(img.RepoTags) == 0 {
			what = "no tag: the image goes"
		}
		if len(img.Containers) > 0 {
			what += " — used by " + strings.Join(img.Containers, ", ") + ": the engine refuses"
		}
		lines = append(lines, domain.ShortDigest(img.ID)+"  "+what)
	}
	lines = append(lines, "Each tag goes only while it still names the image shown.")
	n := len(imgs)
	return request(views.ConfirmRequestMsg{
		Title: fmt.Sprintf("Remove %d images?", n), Body: strings.Join(lines, "\n"), Action: fmt.Sprintf("Remove %d", n),
		OnConfirm: views.StartJob(fmt.Sprintf("remove %d images", n), func(ctx context.Context, report func(views.JobProgress)) (string, tea.Msg, error) {
			done := ChangedManyMsg{}
			var out []string
			for i, img := range imgs {
				refs := img.RepoTags
				if len(refs) == 0 {
					refs = []string{img.ID}
				}
				var err error
				for _, r := range refs {
					if _, err = c.Untag(ctx, r, img.ID); err != nil {
						break
					}
				}
				if err != nil {
					done.Failed++
					out = append(out, "kept "+domain.ShortDigest(img.ID)+": "+err.Error())
				} else {
					done.Done++
					out = append(out, "removed "+domain.ShortDigest(img.ID)+" "+strings.Join(img.RepoTags, ", "))
				}
				report(views.JobProgress{Done: int64(i + 1), Total: int64(n), Text: fmt.Sprintf("images %d/%d", i+1, n), Detail: slices.Clone(out)})
			}
			var err error
			if done.Failed > 0 {
				err = fmt.Errorf("%d of %d images were kept (J lists why)", done.Failed, n)
			}
			return fmt.Sprintf("removed %d of %d images", done.Done, n), done, err
		}),
	})
}

// pushSelected asks to push every tag of the selected images and pushes
// them in one job: a remote tag that holds another image is not replaced
// (that push fails, the others go on); the pushes are one journal batch.
func (m *Model) pushSelected() tea.Cmd {
	c := m.changer
	var refs, lines []string
	for _, img := range m.selectedImages() {
		refs = append(refs, img.RepoTags...)
		if len(img.RepoTags) > 0 {
			lines = append(lines, domain.ShortDigest(img.ID)+"  "+strings.Join(img.RepoTags, ", "))
		} else {
			lines = append(lines, domain.ShortDigest(img.ID)+"  no tag: not pushed")
		}
	}
	if len(refs) == 0 {
		return status("the selected images have no tags to push: tag them first (t)", nil)
	}
	lines = append(lines, "A remote tag that holds another image is not replaced; the pushes are journaled as one batch.")
	n := len(refs)
	return request(views.ConfirmRequestMsg{
		Title: fmt.Sprintf("Push %d tags?", n), Body: strings.Join(lines, "\n"), Action: fmt.Sprintf("Push %d", n),
		OnConfirm: views.StartJob(fmt.Sprintf("push %d tags", n), func(ctx context.Context, report func(views.JobProgress)) (string, tea.Msg, error) {
			if b, ok := c.(Batcher); ok {
				ctx = b.Batch(ctx)
			}
			done := ChangedManyMsg{}
			var out []string
			for i, r := range refs {
				if ctx.Err() != nil {
					return "", done, ctx.Err()
				}
				res, err := c.Push(ctx, r, domain.Overwrite{}, func(domain.CopyProgress) {})
				if err != nil {
					done.Failed++
					out = append(out, "not pushed "+r+": "+err.Error())
				} else {
					done.Done++
					out = append(out, "pushed "+r+" "+domain.ShortDigest(res.Digest))
				}
				report(views.JobProgress{Done: int64(i + 1), Total: int64(n), Text: fmt.Sprintf("tags %d/%d", i+1, n), Detail: slices.Clone(out)})
			}
			var err error
			if done.Failed > 0 {
				err = fmt.Errorf("%d of %d pushes failed (J lists why)", done.Failed, n)
			}
			return fmt.Sprintf("pushed %d of %d tags", done.Done, n), done, err
		}),
	})
}
