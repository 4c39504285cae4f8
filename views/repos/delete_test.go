package repos_test

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/theme"
)

// deleter lists two manifests and records what it was asked to delete.
type deleter struct {
	fakeLister
	asked []domain.TagDigest
}

func (d *deleter) TagDigests(context.Context, string) ([]domain.TagDigest, error) {
	return []domain.TagDigest{{Tag: "1.0", Digest: "sha256:" + strings.Repeat("a", 64)}, {Tag: "latest", Digest: "sha256:" + strings.Repeat("a", 64)}, {Tag: "0.9", Digest: "sha256:" + strings.Repeat("b", 64)}}, nil
}

func (d *deleter) DeleteRepository(_ context.Context, _ string, shown []domain.TagDigest, each func(domain.DeletedManifest)) (domain.RepoDeleteResult, error) {
	d.asked = shown
	each(domain.DeletedManifest{Digest: shown[0].Digest, Tags: []string{"1.0", "latest"}})
	return domain.RepoDeleteResult{Repository: "reg.example/team/app", Manifests: []domain.DeletedManifest{{}, {}}}, nil
}

// d on a repository names every manifest and its tags, asks, and deletes
// exactly what it named.
func TestDeleteARepositoryAsksWithWhatItTakes(t *testing.T) {
	d := &deleter{fakeLister: fakeLister{pages: []domain.CatalogPage{{Items: []string{"team/app"}}}}}
	m := repos.New(d, nil, "reg.example", theme.New(theme.Default(), true))
	m.SetSize(60, 10)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Init(), 20)
	var confirm views.ConfirmRequestMsg
	teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
		if c, ok := msg.(views.ConfirmRequestMsg); ok {
			confirm = c
			return nil
		}
		return m.Update(msg)
	}, m.Update(tea.KeyPressMsg{Code: 'd', Text: "d"}), 20)
	if confirm.Title != "Delete reg.example/team/app: all 3 tags over 2 manifests?" || !strings.Contains(confirm.Body, "aaaaaaaaaaaa  1.0, latest") || !strings.Contains(confirm.Body, "bbbbbbbbbbbb  0.9") {
		t.Fatalf("dialog %q:\n%s", confirm.Title, confirm.Body)
	}
	if d.asked != nil {
		t.Fatal("deleted before the answer")
	}
	started, ok := confirm.OnConfirm().(views.JobStartedMsg)
	if !ok {
		t.Fatal("yes did not start a job")
	}
	for next := views.WaitJob(started); next != nil; {
		switch msg := next().(type) {
		case views.JobProgressMsg:
			next = views.WaitJob(msg)
		default:
			next = nil
		}
	}
	if len(d.asked) != 3 {
		t.Errorf("deleted with %v, not the three tags shown", d.asked)
	}
}
