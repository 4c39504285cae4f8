package tags_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/prompt"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// bulkChanger deletes several tags as the registry would, and counts the
// batches.
type bulkChanger struct {
	*fakeChanger
	batches [][]domain.TagAt
}

func (b *bulkChanger) DeleteTags(ctx context.Context, items []domain.TagAt, each func(domain.TagAt, domain.DeleteResult, error)) error {
	b.batches = append(b.batches, items)
	for _, t := range items {
		res, err := b.DeleteTag(ctx, t.Reference, t.Digest)
		each(t, res, err)
	}
	return nil
}

var space = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}

// space selects rows by tag (the cursor moves on), d then asks once for
// all of them, saying for each which tags stay on its image and which
// image goes with its last tag; yes deletes them as one batch at the
// digests shown, and the rows and the selection follow.
func TestSelectedTagsAreDeletedAsOneBatch(t *testing.T) {
	_, ch, out := changePane(t) // rows: 0.9 (B), 1.0, 1.0.0, latest (A)
	bulk := &bulkChanger{fakeChanger: ch}
	m := tags.New(ch.src, bulk, theme.New(theme.Default(), true))
	m.SetSize(60, 10)
	m.SetFocused(true)
	run(t, m, out, m.Load("r/app"))

	m.Update(space)    // 0.9, the cursor goes on to 1.0
	m.Update(key("j")) // 1.0.0
	m.Update(space)    // 1.0.0
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "+ 0.9") || !strings.Contains(view, "+ 1.0.0") || strings.Contains(view, "+ 1.0 ") || !strings.Contains(view, "2 selected") {
		t.Fatalf("the selection is not shown:\n%s", view)
	}
	run(t, m, out, m.Update(key("d")))
	confirm, ok := lastOf[views.ConfirmRequestMsg](*out)
	if !ok || confirm.Title != "Delete 2 tags of r/app?" {
		t.Fatalf("d with a selection asked %+v", confirm)
	}
	if !strings.Contains(confirm.Body, "0.9    bbbbbbbbbbbb  the image goes with it") || !strings.Contains(confirm.Body, "1.0.0  aaaaaaaaaaaa  stays: 1.0, latest") {
		t.Errorf("the dialog does not say what each delete does:\n%s", confirm.Body)
	}
	if len(ch.deleted) != 0 {
		t.Fatal("deleted before the confirmation")
	}
	run(t, m, out, confirm.OnConfirm)
	if len(bulk.batches) != 1 || !slices.Equal(ch.deleted, []string{"0.9", "1.0.0"}) {
		t.Fatalf("batches %v, deleted %v", bulk.batches, ch.deleted)
	}
	for _, it := range bulk.batches[0] {
		if it.Digest == "" {
			t.Errorf("%s was deleted without the digest the dialog showed", it.Reference)
		}
	}
	if got := rowTags(m); !slices.Equal(got, []string{"1.0", "latest"}) || strings.Contains(m.Title(), "selected") {
		t.Errorf("after the delete: rows %v, title %s", got, m.Title())
	}

	// * selects every tag the filter shows; esc clears the selection.
	m.Update(key("*"))
	if !strings.Contains(m.Title(), "2 selected") {
		t.Errorf("* selected: %s", m.Title())
	}
	if done, _ := m.Clear(); !done || strings.Contains(m.Title(), "selected") {
		t.Errorf("esc did not clear the selection: %s", m.Title())
	}
}

func (b *bulkChanger) CopyTags(_ context.Context, items []domain.TagAt, dest string, each func(domain.TagAt, string, domain.WriteResult, error)) error {
	for _, it := range items {
		tag := it.Reference[strings.LastIndex(it.Reference, ":")+1:]
		b.copies = append(b.copies, it.Digest+" → "+dest+":"+tag)
		each(it, dest+":"+tag, domain.WriteResult{Reference: dest + ":" + tag}, nil)
	}
	return nil
}

// y on a selection asks for one repository and copies every selected tag
// there by the digest shown, keeping its tag; L pulls them all in one job.
func TestSelectedTagsAreCopiedAndPulledTogether(t *testing.T) {
	_, ch, out := changePane(t)
	bulk := &bulkChanger{fakeChanger: ch}
	m := tags.New(ch.src, bulk, theme.New(theme.Default(), true))
	m.SetSize(60, 10)
	m.SetFocused(true)
	run(t, m, out, m.Load("r/app"))
	m.Update(space) // 0.9
	m.Update(space) // 1.0

	run(t, m, out, m.Update(key("y")))
	ask, ok := lastOf[prompt.RequestMsg](*out)
	if !ok || !strings.HasPrefix(ask.Title, "Copy 2 tags of r/app") {
		t.Fatalf("y with a selection asked %+v", ask)
	}
	if err := ask.Validate("reg.example/mirror/app:1.0"); err == nil {
		t.Error("a destination with a tag was taken")
	}
	if err := ask.Validate("reg.example/mirror/app"); err != nil {
		t.Errorf("a repository was refused: %v", err)
	}
	run(t, m, out, ask.OnSubmit("reg.example/mirror/app"))
	want := []string{dB + " → reg.example/mirror/app:0.9", dA + " → reg.example/mirror/app:1.0"}
	if !slices.Equal(ch.copies, want) {
		t.Errorf("copied %v, want %v", ch.copies, want)
	}

	var pull views.PullRequestMsg
	teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
		if p, ok := msg.(views.PullRequestMsg); ok {
			pull = p
			return nil
		}
		return m.Update(msg)
	}, m.Update(key("L")), 20)
	if pull.Reference != "r/app:0.9" || !slices.Equal(pull.More, []string{"r/app:1.0"}) {
		t.Errorf("L with a selection asked to pull %+v", pull)
	}
}

// Y copies the pull command of the tag under the cursor, pinned to the
// digest shown; Y again the digest reference, then the reference.
func TestCopyPullCommandNamesTheDigestShown(t *testing.T) {
	m, _, out := changePane(t) // the cursor is on 0.9 (B)
	for _, want := range []string{
		"copied: docker pull r/app:0.9@" + dB + " (Y again: digest reference)",
		"copied: r/app@" + dB + " (Y again: reference)",
		"copied: r/app:0.9 (Y again: pull command)",
		"copied: docker pull r/app:0.9@" + dB + " (Y again: digest reference)",
	} {
		run(t, m, out, m.Update(key("Y")))
		if st, ok := lastOf[views.StatusMsg](*out); !ok || st.Text != want {
			t.Errorf("Y said %q, want %q", st.Text, want)
		}
	}
}
