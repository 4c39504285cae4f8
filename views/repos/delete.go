package repos

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

// RepoDeleter deletes a repository as it was shown (each tag and its
// digest), journaled as one batch; a Lister that is one gets d.
type RepoDeleter interface {
	TagDigests(ctx context.Context, repository string) ([]domain.TagDigest, error)
	DeleteRepository(ctx context.Context, repository string, shown []domain.TagDigest, each func(domain.DeletedManifest)) (domain.RepoDeleteResult, error)
}

// RepoPlannedMsg carries what deleting a repository would delete.
type RepoPlannedMsg struct {
	Repository string
	Shown      []domain.TagDigest
	Err        error
}

// RepoDeletedMsg ends a repository delete (it ran as a job).
type RepoDeletedMsg struct {
	Result domain.RepoDeleteResult
	Err    error
}

// planDelete lists what deleting the repository under the cursor takes.
func (m *Model) planDelete() tea.Cmd {
	del, ok := m.src.(RepoDeleter)
	switch {
	case !ok:
		return views.Status("repositories cannot be deleted here: wharf changes registries only with its journal")
	case len(m.shown) == 0:
		return nil
	}
	repo := m.host + "/" + m.repos[m.shown[m.cur.Pos]]
	return tea.Batch(views.Status("listing "+repo+" to delete it…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		shown, err := del.TagDigests(ctx, repo)
		for _, td := range shown {
			if err == nil && td.Err != nil {
				err = fmt.Errorf("%s:%s does not resolve (%w): nothing will be deleted", repo, td.Tag, td.Err)
			}
		}
		return RepoPlannedMsg{Repository: repo, Shown: shown, Err: err}
	})
}

// deleteDialog names every manifest and its tags; yes deletes exactly
// those, as a job.
func (m *Model) deleteDialog(msg RepoPlannedMsg) tea.Cmd {
	if msg.Err != nil {
		return views.Failed(msg.Err)
	}
	if len(msg.Shown) == 0 {
		return views.Status(msg.Repository + " has no tags: nothing to delete")
	}
	del := m.src.(RepoDeleter)
	groups := domain.Groups(msg.Shown)
	var lines []string
	for _, g := range groups {
		lines = append(lines, domain.ShortDigest(g.Digest)+"  "+strings.Join(g.Tags, ", "))
	}
	lines = append(lines, "", "Each manifest is journaled first; they are one batch: u in its Tags (or `wharf undo`)", "puts the repository back while the registry still has the layers.")
	repo, shown, n := msg.Repository, msg.Shown, len(groups)
	return func() tea.Msg {
		return views.ConfirmRequestMsg{
			Title: fmt.Sprintf("Delete %s: all %d tags over %d manifests?", repo, len(shown), n), Body: strings.Join(lines, "\n"), Action: "Delete repository",
			OnConfirm: views.StartJob("delete repository "+repo, func(ctx context.Context, report func(views.JobProgress)) (string, tea.Msg, error) {
				var done []string
				res, err := del.DeleteRepository(ctx, repo, shown, func(d domain.DeletedManifest) {
					done = append(done, "deleted "+domain.ShortDigest(d.Digest)+" "+strings.Join(d.Tags, ", "))
					report(views.JobProgress{Done: int64(len(done)), Total: int64(n), Text: fmt.Sprintf("manifests %d/%d", len(done), n), Detail: slices.Clone(done)})
				})
				summary := fmt.Sprintf("deleted %s (%d manifests)", repo, len(res.Manifests))
				if res.Note != "" {
					summary += ": " + res.Note
				}
				return summary, RepoDeletedMsg{Result: res, Err: err}, err
			}),
		}
	}
}
