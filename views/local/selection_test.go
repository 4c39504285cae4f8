package local_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/theme"
)

// threeImages has three images and records what it is asked to change.
type threeImages struct {
	engine
	untagged, pushed []string
	batches          int
}

var (
	idA = "sha256:" + strings.Repeat("a", 64)
	idB = "sha256:" + strings.Repeat("b", 64)
	idC = "sha256:" + strings.Repeat("c", 64)
)

func (e *threeImages) Images(context.Context) (domain.LocalListing, error) {
	return domain.LocalListing{Images: []domain.LocalImage{
		{ID: idA, RepoTags: []string{"team/a:1", "team/a:latest"}},
		{ID: idB, RepoTags: []string{"team/b:1"}},
		{ID: idC, RepoTags: []string{"team/c:1"}},
	}}, nil
}

func (e *threeImages) Untag(_ context.Context, ref, image string) (bool, error) {
	e.untagged = append(e.untagged, ref+"@"+image)
	return true, nil
}

func (e *threeImages) Push(_ context.Context, ref string, _ domain.Overwrite, _ func(domain.CopyProgress)) (domain.PushResult, error) {
	e.pushed = append(e.pushed, ref)
	return domain.PushResult{Reference: ref}, nil
}

func (e *threeImages) Batch(ctx context.Context) context.Context {
	e.batches++
	return ctx
}

// jobOf runs the confirm's job to its end.
func jobOf(t *testing.T, c views.ConfirmRequestMsg) {
	t.Helper()
	started, ok := c.OnConfirm().(views.JobStartedMsg)
	if !ok {
		t.Fatal("yes did not start a job")
	}
	for next := views.WaitJob(started); next != nil; {
		if p, ok := next().(views.JobProgressMsg); ok {
			next = views.WaitJob(p)
		} else {
			next = nil
		}
	}
}

// space selects images; d asks once and removes every tag of each, each
// only while it names the image shown; p pushes every tag of each as one
// batch; esc clears the selection.
func TestSelectedImagesAreRemovedAndPushedTogether(t *testing.T) {
	e := &threeImages{}
	m := local.New(e, e, nil, theme.New(theme.Default(), true))
	m.SetSize(100, 10)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Init(), 20)
	space := tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	ask := func(k string) views.ConfirmRequestMsg {
		t.Helper()
		var got views.ConfirmRequestMsg
		teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
			if c, ok := msg.(views.ConfirmRequestMsg); ok {
				got = c
				return nil
			}
			return m.Update(msg)
		}, m.Update(tea.KeyPressMsg{Code: rune(k[0]), Text: k}), 20)
		return got
	}
	// The rows' order is the engine's (all made at one instant: by name).
	imgs := map[string]domain.LocalImage{}
	l, _ := e.Images(context.Background())
	for _, img := range l.Images {
		imgs[img.RepoTags[0]] = img
	}
	var order []domain.LocalImage
	// Rows are told by their image ID column (names lose their shared
	// prefix).
	for _, line := range strings.Split(m.View(), "\n") {
		for _, img := range imgs {
			if strings.Contains(line, domain.ShortDigest(img.ID)) {
				order = append(order, img)
			}
		}
	}
	if len(order) != 3 {
		t.Fatalf("rows:\n%s", m.View())
	}
	m.Update(space) // the first row; the cursor goes on
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	m.Update(space) // the third
	if !strings.Contains(m.Title(), "2 selected") {
		t.Fatalf("title %s", m.Title())
	}
	chosen := []domain.LocalImage{order[0], order[2]}
	var wantPush, wantUntag []string
	for _, img := range chosen {
		wantPush = append(wantPush, img.RepoTags...)
		for _, r := range img.RepoTags {
			wantUntag = append(wantUntag, r+"@"+img.ID)
		}
	}

	push := ask("p")
	if push.Title != fmt.Sprintf("Push %d tags?", len(wantPush)) {
		t.Errorf("p asked %q", push.Title)
	}
	jobOf(t, push)
	if e.batches != 1 || !slices.Equal(e.pushed, wantPush) {
		t.Errorf("pushed %v in %d batches, want %v in one", e.pushed, e.batches, wantPush)
	}

	remove := ask("d")
	if remove.Title != "Remove 2 images?" {
		t.Fatalf("d asked %q:\n%s", remove.Title, remove.Body)
	}
	jobOf(t, remove)
	if !slices.Equal(e.untagged, wantUntag) {
		t.Errorf("untagged %v, want %v (each guarded by its image)", e.untagged, wantUntag)
	}
	if done, _ := m.Clear(); !done || strings.Contains(m.Title(), "selected") {
		t.Errorf("esc did not clear the selection: %s", m.Title())
	}
}
