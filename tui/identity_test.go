package tui_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
)

// shufflingEngine is an engine whose images were all made at the same
// instant (ko, bazel, nix, SOURCE_DATE_EPOCH builds) and which, like
// dockerd, lists them in another order each time. Untag removes an image
// with its only tag.
type shufflingEngine struct {
	fakeRegistry
	mu       sync.Mutex
	images   []domain.LocalImage
	rng      *rand.Rand
	untagged []string // ref → image, as asked
}

func newShufflingEngine(n int) *shufflingEngine {
	e := &shufflingEngine{rng: rand.New(rand.NewPCG(1, 2))} //nolint:gosec // a test's shuffle
	for i := range n {
		e.images = append(e.images, domain.LocalImage{
			ID:       fmt.Sprintf("sha256:%02d%062d", i, 0),
			RepoTags: []string{fmt.Sprintf("example.com/team/app%02d:1", i)},
			Size:     1000,
		})
	}
	return e
}

func (e *shufflingEngine) Images(context.Context) (domain.LocalListing, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := slices.Clone(e.images)
	e.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return domain.LocalListing{Images: out}, nil
}

func (e *shufflingEngine) Tag(context.Context, string, string, domain.Overwrite) error { return nil }

func (e *shufflingEngine) Untag(_ context.Context, ref, image string) (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.untagged = append(e.untagged, ref+" "+image)
	i := slices.IndexFunc(e.images, func(img domain.LocalImage) bool { return slices.Contains(img.RepoTags, ref) || img.ID == ref })
	if i < 0 || e.images[i].ID != image {
		return false, fmt.Errorf("%s does not name %s", ref, image)
	}
	e.images = slices.Delete(e.images, i, i+1)
	return true, nil
}

func (e *shufflingEngine) Push(context.Context, string, domain.Overwrite, func(domain.CopyProgress)) (domain.PushResult, error) {
	return domain.PushResult{}, nil
}

func (e *shufflingEngine) TagAndPush(context.Context, string, string, domain.Overwrite, func(domain.CopyProgress)) (domain.PushResult, error) {
	return domain.PushResult{}, nil
}

func (e *shufflingEngine) Pull(context.Context, string, string, func(domain.CopyProgress)) (string, error) {
	return "", nil
}

// selectedLine is the Local pane's row under the cursor (in the no-colour
// theme the selected row carries the focus marker's style; find it by the
// status the pane reports instead): the image the next d would name.
func dialogTitle(m *tui.Model) string {
	for _, l := range strings.Split(screen(m), "\n") {
		if i := strings.Index(l, "Remove "); i >= 0 {
			return strings.TrimSpace(strings.Trim(l[i:], "│ "))
		}
	}
	return ""
}

// The Local list reorders on every listing when created times tie; the
// cursor keeps its image, not its row number, and a confirmed remove
// removes the image the dialog named. Finding 1 of "Never act on the wrong
// image": `d y` then `d` offered (and removed) a different image.
func TestLocalCursorKeepsItsImageAcrossReloads(t *testing.T) {
	eng := newShufflingEngine(24)
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: fakeRegistry{}, Local: eng, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "1", "j", "j", "j", "j", "j") // app05 in name order
	press(m, "d")
	if got := dialogTitle(m); got != "Remove example.com/team/app05:1?" {
		t.Fatalf("the first d names %q:\n%s", got, screen(m))
	}
	// A reload in between (an engine event), in another order.
	press(m, "esc", "ctrl+r")
	press(m, "d")
	if got := dialogTitle(m); got != "Remove example.com/team/app05:1?" {
		t.Fatalf("after a reload d names %q:\n%s", got, screen(m))
	}
	press(m, "y")
	if len(eng.untagged) != 1 || eng.untagged[0] != "example.com/team/app05:1 "+eng.idOf(5) {
		t.Fatalf("untagged %v", eng.untagged)
	}
	// The image is gone; the cursor is on its neighbour in the one order.
	press(m, "d")
	if got := dialogTitle(m); got != "Remove example.com/team/app06:1?" {
		t.Fatalf("the second d names %q, want app06, its neighbour:\n%s", got, screen(m))
	}
	press(m, "n")
	// Filtering keeps the cursor on its image while it matches.
	press(m, "/", "a", "p", "p", "0", "enter")
	press(m, "d")
	if got := dialogTitle(m); got != "Remove example.com/team/app06:1?" {
		t.Errorf("after filtering d names %q:\n%s", got, screen(m))
	}
}

func (e *shufflingEngine) idOf(i int) string { return fmt.Sprintf("sha256:%02d%062d", i, 0) }

// An image that another program removed: the cursor goes to its neighbour
// and the status bar says so.
func TestLocalSaysWhenTheImageUnderTheCursorWent(t *testing.T) {
	eng := newShufflingEngine(5)
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: fakeRegistry{}, Local: eng, Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "1", "j", "j") // app02
	eng.images = slices.Delete(eng.images, 2, 3)
	press(m, "ctrl+r")
	if s := screen(m); !strings.Contains(s, "example.com/team/app02:1 is gone from the engine; the cursor is on example.com/team/app03:1") {
		t.Errorf("the status bar does not say the image went:\n%s", s)
	}
}

// The remove dialog says beforehand that a container uses the image.
func TestRemoveDialogNamesTheContainer(t *testing.T) {
	m, _ := newLocalApp(t)
	press(m, "j", "d") // team/web:2, used by web-1
	if s := screen(m); !strings.Contains(s, "Used by container web-1") || !strings.Contains(s, "refuses to remove it") {
		t.Errorf("the dialog does not name the container:\n%s", s)
	}
}

// guardedLocal refuses a push over a remote tag that names another image,
// unless told it may replace exactly that one.
type guardedLocal struct {
	fakeLocal
	allowed []domain.Overwrite
}

func (g *guardedLocal) Push(_ context.Context, ref string, ow domain.Overwrite, _ func(domain.CopyProgress)) (domain.PushResult, error) {
	remote := "sha256:" + strings.Repeat("9", 64)
	if !ow.Allows(remote) {
		return domain.PushResult{}, &domain.OverwriteError{Reference: ref, Existing: remote, Incoming: digestApp, Note: "Pushing replaces the image the registry has under it."}
	}
	g.allowed = append(g.allowed, ow)
	g.pushed = append(g.pushed, ref)
	return domain.PushResult{Reference: ref, Digest: digestApp}, nil
}

// p asks which tag to push, then — the remote tag holding another image —
// asks again with both digests before replacing exactly that image.
func TestPushIsGuardedInTheApp(t *testing.T) {
	f, lc := fakeRegistry{}, &guardedLocal{}
	m := tui.New(tui.Options{
		Registry: "registry.example:5000", Label: "test", Remote: f, Local: localChanging{f, lc},
		Styles: theme.New(theme.Default(), true), Clock: fixedClock,
	})
	start(t, m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	press(m, "1", "p")
	s := screen(m)
	if !strings.Contains(s, "which of its 2 tags to push (or all)") || !strings.Contains(s, "its tags: team/app:1.0, team/app:latest") {
		t.Fatalf("p does not list the image's tags:\n%s", s)
	}
	press(m, "ctrl+u")
	press(m, strings.Split("team/app:latest", "")...)
	press(m, "enter")
	s = screen(m)
	if !strings.Contains(s, "Move team/app:latest?") || !strings.Contains(s, "sha256:"+strings.Repeat("9", 64)) || len(lc.pushed) != 0 {
		t.Fatalf("no overwrite dialog with both digests (pushed %v):\n%s", lc.pushed, s)
	}
	press(m, "y")
	if len(lc.pushed) != 1 || lc.pushed[0] != "team/app:latest" || lc.allowed[0].Any || !slices.Equal(lc.allowed[0].Digests, []string{"sha256:" + strings.Repeat("9", 64)}) {
		t.Errorf("pushed %v allowed %+v, want team/app:latest replacing exactly the image the dialog named", lc.pushed, lc.allowed)
	}
}
