package tags_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

type fakeSource struct {
	tags    map[string][]string
	digests map[string]string
	calls   int
}

func (f *fakeSource) Tags(_ context.Context, repo string) ([]string, error) {
	t, ok := f.tags[repo]
	if !ok {
		return nil, errors.New("list tags: repository not found")
	}
	return t, nil
}

func (f *fakeSource) Digests(_ context.Context, _ string, tags []string, each func(domain.TagDigest)) error {
	f.calls++
	for _, t := range tags {
		if d, ok := f.digests[t]; ok {
			each(domain.TagDigest{Tag: t, Digest: d})
		} else {
			each(domain.TagDigest{Tag: t, Err: errors.New("not found")})
		}
	}
	return nil
}

const (
	dA = "sha256:aaaaaaaaaaaa0000000000000000000000000000000000000000000000000000"
	dB = "sha256:bbbbbbbbbbbb0000000000000000000000000000000000000000000000000000"
)

func newPane(tb testing.TB, src tags.Source) *tags.Model {
	tb.Helper()
	m := tags.New(src, nil, theme.New(theme.Default(), true))
	m.SetSize(60, 10)
	m.SetFocused(true)
	return m
}

func TestSharedDigestsAreCountedAndMarked(t *testing.T) {
	src := &fakeSource{
		tags:    map[string][]string{"r/app": {"1.0", "1.0.0", "latest", "0.9", "broken"}},
		digests: map[string]string{"1.0": dA, "1.0.0": dA, "latest": dA, "0.9": dB},
	}
	m := newPane(t, src)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)

	view := ansi.Strip(m.View())
	if !strings.Contains(view, "5 tags · 2 images") {
		t.Errorf("title does not count tags and images:\n%s", view)
	}
	for _, line := range strings.Split(view, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "1.0", "1.0.0", "latest":
			if !strings.Contains(line, "aaaaaaaaaaaa = 3") {
				t.Errorf("row %q lacks the shared marker = 3", line)
			}
		case "0.9":
			if strings.Contains(line, "=") || !strings.Contains(line, "bbbbbbbbbbbb") {
				t.Errorf("row %q: a digest of its own has no marker", line)
			}
		case "broken":
			if !strings.Contains(line, "error") {
				t.Errorf("row %q does not show the failed HEAD", line)
			}
		}
	}
	if m.Images() != 2 {
		t.Errorf("Images() = %d", m.Images())
	}
}

// A result for a repository the user has left is dropped.
func TestStaleResultsAreDropped(t *testing.T) {
	src := &fakeSource{
		tags:    map[string][]string{"r/a": {"x"}, "r/b": {"y"}},
		digests: map[string]string{"x": dA, "y": dB},
	}
	m := newPane(t, src)
	first := m.Load("r/a")
	teatestutil.Drain(t, m.Update, m.Load("r/b"), 100)
	// The first load's result arrives late.
	if cmd := m.Update(first()); cmd != nil {
		t.Errorf("stale LoadedMsg started more work")
	}
	view := ansi.Strip(m.View())
	if m.Repository() != "r/b" || !strings.Contains(view, "\ny ") || strings.Contains(view, "\nx ") {
		t.Errorf("stale result shown:\n%s", view)
	}
}

func TestEnterSelectsTheTagUnderTheCursor(t *testing.T) {
	src := &fakeSource{tags: map[string][]string{"h/r": {"a", "b", "c"}}, digests: map[string]string{}}
	m := newPane(t, src)
	teatestutil.Drain(t, m.Update, m.Load("h/r"), 100)
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter returned no command")
	}
	sel, ok := cmd().(tags.SelectedMsg)
	if !ok || sel.Reference != "h/r:b" {
		t.Errorf("enter selected %#v, want h/r:b", sel)
	}
}

func TestListError(t *testing.T) {
	m := newPane(t, &fakeSource{tags: map[string][]string{}})
	teatestutil.Drain(t, m.Update, m.Load("h/missing"), 10)
	if view := ansi.Strip(m.View()); !strings.Contains(view, "repository not found") {
		t.Errorf("error not shown:\n%s", view)
	}
}

// Tags come in semver order; s switches to name order and back, keeping the
// cursor on the same tag.
func TestSortCycles(t *testing.T) {
	src := &fakeSource{tags: map[string][]string{"r/x": {"latest", "1.10.0", "1.9.0", "1.0.0-rc.1", "1.0.0"}}, digests: map[string]string{}}
	m := newPane(t, src)
	teatestutil.Drain(t, m.Update, m.Load("r/x"), 100)
	order := func() []string {
		var out []string
		for _, line := range strings.Split(ansi.Strip(m.View()), "\n")[2:] {
			if f := strings.Fields(line); len(f) > 0 {
				out = append(out, f[0])
			}
		}
		return out
	}
	if got := strings.Join(order(), " "); got != "1.0.0-rc.1 1.0.0 1.9.0 1.10.0 latest" {
		t.Errorf("semver order: %s", got)
	}
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}) // on 1.0.0
	m.Update(tea.KeyPressMsg{Code: 's', Text: "s"})
	if got := strings.Join(order(), " "); got != "1.0.0 1.0.0-rc.1 1.10.0 1.9.0 latest" || !strings.Contains(m.Title(), "by name") {
		t.Errorf("name order: %s (%s)", got, m.Title())
	}
	if sel, _ := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})().(tags.SelectedMsg); sel.Reference != "r/x:1.0.0" {
		t.Errorf("cursor moved off its tag: %s", sel.Reference)
	}
}

// In the grouped view, groups form as digests arrive: the cursor keeps the
// image it is on, and enter opens that one.
func TestGroupedViewKeepsItsImageWhileDigestsArrive(t *testing.T) {
	src := &fakeSource{tags: map[string][]string{"r/app": {"1.0", "2.0", "3.0"}}, digests: map[string]string{}}
	m := newPane(t, src)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100) // nothing resolves: one pending group
	m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	src.digests = map[string]string{"3.0": dB}
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100) // load 2
	// Now 3.0 is its own group first; move to it, then resolve the others.
	cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	before := cmd().(tags.SelectedMsg).Reference
	m.Update(tags.DigestResolvedMsg{Repository: "r/app", Seq: 2, Result: domain.TagDigest{Tag: "1.0", Digest: dA}})
	cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if after := cmd().(tags.SelectedMsg).Reference; after != before {
		t.Errorf("a digest arriving moved the cursor from %s to %s", before, after)
	}
}

// A tag that another hand deleted: after a reload the cursor is on its
// neighbour and the status bar says so.
func TestSaysWhenTheTagUnderTheCursorWent(t *testing.T) {
	src := &fakeSource{tags: map[string][]string{"r/app": {"1.0", "2.0", "3.0"}}, digests: map[string]string{"1.0": dA, "2.0": dA, "3.0": dB}}
	m := newPane(t, src)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}) // 2.0
	src.tags["r/app"] = []string{"1.0", "3.0"}
	var said []string
	teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
		if s, ok := msg.(views.StatusMsg); ok {
			said = append(said, s.Text)
			return nil
		}
		return m.Update(msg)
	}, m.Update(views.JournalChangedMsg{Entries: []domain.JournalEntry{{ID: 9, Repository: "r/app", Op: domain.OpDeleteTag, Tags: []string{"2.0"}}}}), 100)
	if !slices.ContainsFunc(said, func(s string) bool {
		return strings.Contains(s, "r/app:2.0 is gone from the registry; the cursor is on 3.0")
	}) {
		t.Errorf("the status bar was told %q", said)
	}
}

// placeholderSource knows a placeholder a delete cut off left b on.
type placeholderSource struct{ *fakeSource }

func (placeholderSource) Placeholders(string) map[string]int { return map[string]int{dB: 7} }

// A tag left on wharf's placeholder (a delete cut off half way) is shown
// for what it is, not as an image.
func TestPlaceholderTagsAreMarked(t *testing.T) {
	src := placeholderSource{&fakeSource{tags: map[string][]string{"r/app": {"a", "b"}}, digests: map[string]string{"a": dA, "b": dB}}}
	m := tags.New(src, nil, theme.New(theme.Default(), true))
	m.SetSize(100, 10)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	for _, width := range []int{80, 120} {
		m.SetSize(width, 10)
		v := ansi.Strip(m.View())
		var a, b string
		for _, l := range strings.Split(v, "\n") {
			switch f := strings.Fields(l); {
			case len(f) > 0 && f[0] == "a":
				a = l
			case len(f) > 0 && f[0] == "b":
				b = l
			}
		}
		if !strings.Contains(b, "placeholder") || !strings.Contains(b, "undo 7") || strings.Contains(b, domain.ShortDigest(dB)) {
			t.Errorf("at %d columns the placeholder is not marked:\n%s", width, v)
		}
		if strings.Contains(a, "placeholder") || !strings.Contains(a, domain.ShortDigest(dA)) {
			t.Errorf("at %d columns the image beside the placeholder is not shown as an image:\n%s", width, v)
		}
	}
}

// A row Details found to be an artifact is marked as one, from then on.
func TestArtifactRowsAreMarked(t *testing.T) {
	src := &fakeSource{tags: map[string][]string{"r/app": {"1.0", "chart"}}, digests: map[string]string{"1.0": dA, "chart": dB}}
	m := tags.New(src, nil, theme.New(theme.Default(), true))
	m.SetSize(100, 10)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	m.Update(views.DescribedMsg{Details: domain.Details{Digest: dB, ArtifactType: "application/vnd.cncf.helm.config.v1+json"}})
	v := ansi.Strip(m.View())
	var chart, image string
	for _, l := range strings.Split(v, "\n") {
		switch f := strings.Fields(l); {
		case len(f) > 0 && f[0] == "chart":
			chart = l
		case len(f) > 0 && f[0] == "1.0":
			image = l
		}
	}
	if !strings.Contains(chart, "artifact: Helm chart") || strings.Contains(image, "artifact") || !strings.Contains(v, "KIND") {
		t.Errorf("the chart's row is not marked as an artifact:\n%s", v)
	}
	// In a narrow pane the mark is cut, never wrapped onto a line of its own.
	m.SetSize(46, 10)
	for _, l := range strings.Split(m.View(), "\n") {
		if w := ansi.StringWidth(l); w > 46 {
			t.Errorf("a line of %d cells in a pane of 46: %q", w, ansi.Strip(l))
		}
	}
}

// A key press only changes the filter line; the match comes as a command,
// and a match for an older query that arrives late is dropped.
func TestFilterMatchesOffTheKeyPathAndDropsStaleResults(t *testing.T) {
	src := &fakeSource{tags: map[string][]string{"r/app": {"1.0", "1.1", "2.0", "10.0"}}, digests: map[string]string{}}
	m := newPane(t, src)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	m.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
	first := m.Update(tea.KeyPressMsg{Code: '1', Text: "1"})
	second := m.Update(tea.KeyPressMsg{Code: '0', Text: "0"})
	if first == nil || second == nil {
		t.Fatal("typing did not ask for a match")
	}
	if got := len(shownTags(m)); got != 4 {
		t.Errorf("the list changed before the match came: %d rows", got)
	}
	teatestutil.Drain(t, m.Update, second, 10)
	teatestutil.Drain(t, m.Update, first, 10) // late: "1" after "10"
	if got := shownTags(m); !slices.Equal(got, []string{"10.0", "1.0"}) {
		t.Errorf("after a late result for an older query the list shows %v, want 10.0 (prefix) then 1.0 (fuzzy)", got)
	}
}

// shownTags are the tag column of the rows on screen.
func shownTags(m *tags.Model) []string {
	var out []string
	// The rows, after the title and the column heads.
	for _, l := range strings.Split(ansi.Strip(m.View()), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) > 0 && strings.ContainsAny(f[0][:1], "0123456789") {
			out = append(out, f[0])
		}
	}
	return out
}

// orderSource records the order the pane asks for digests in.
type orderSource struct {
	*fakeSource
	asked []string
}

func (o *orderSource) Digests(ctx context.Context, repo string, tags []string, each func(domain.TagDigest)) error {
	o.asked = append(o.asked, tags...)
	return o.fakeSource.Digests(ctx, repo, tags, each)
}

// The rows on screen are resolved first, whatever order the registry
// lists the tags in (registry:2 does not sort them).
func TestVisibleRowsAreResolvedFirst(t *testing.T) {
	var listed []string
	digests := map[string]string{}
	for i := range 500 {
		tag := fmt.Sprintf("1.%d.%d", i/10, i%10)
		listed = append(listed, tag)
		digests[tag] = dA
	}
	// The registry's order: the newest last.
	slices.Reverse(listed)
	src := &orderSource{fakeSource: &fakeSource{tags: map[string][]string{"r/app": listed}, digests: digests}}
	m := tags.New(src, nil, theme.New(theme.Default(), true))
	m.SetSize(80, 12)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 2000)
	onScreen := shownTags(m)
	if len(onScreen) < 5 || len(src.asked) != 500 {
		t.Fatalf("%d rows on screen, %d asked", len(onScreen), len(src.asked))
	}
	if first := src.asked[:len(onScreen)]; !slices.Equal(first, onScreen) {
		t.Errorf("asked first %v, the screen shows %v", first, onScreen)
	}
}

// listedSource is a registry whose listing says which tags it will not
// move (ECR's IMMUTABLE, ACR's write-locked tags).
type listedSource struct {
	*fakeSource
	immutable map[string]bool
}

func (l listedSource) Listed(string) map[string]domain.TagInfo {
	out := map[string]domain.TagInfo{}
	for t, im := range l.immutable {
		out[t] = domain.TagInfo{Tag: t, Immutable: im}
	}
	return out
}

// A tag the registry keeps on its image for good is marked immutable; the
// others are not.
func TestImmutableTagsAreMarked(t *testing.T) {
	src := listedSource{&fakeSource{tags: map[string][]string{"r/app": {"1.0", "dev"}}, digests: map[string]string{"1.0": dA, "dev": dB}}, map[string]bool{"1.0": true}}
	m := tags.New(src, nil, theme.New(theme.Default(), true))
	m.SetSize(100, 10)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	v := ansi.Strip(m.View())
	var locked, dev string
	for _, l := range strings.Split(v, "\n") {
		switch f := strings.Fields(l); {
		case len(f) > 0 && f[0] == "1.0":
			locked = l
		case len(f) > 0 && f[0] == "dev":
			dev = l
		}
	}
	if !strings.Contains(locked, "immutable") || strings.Contains(dev, "immutable") || !strings.Contains(v, "KIND") {
		t.Errorf("the immutable tag is not marked:\n%s", v)
	}
}

// When every tag is immutable (an IMMUTABLE repository) the title says so
// once, and no row repeats it.
func TestAllTagsImmutableIsSaidInTheTitle(t *testing.T) {
	src := listedSource{&fakeSource{tags: map[string][]string{"r/app": {"1.0", "dev"}}, digests: map[string]string{"1.0": dA, "dev": dB}}, map[string]bool{"1.0": true, "dev": true}}
	m := tags.New(src, nil, theme.New(theme.Default(), true))
	m.SetSize(100, 10)
	teatestutil.Drain(t, m.Update, m.Load("r/app"), 100)
	v := ansi.Strip(m.View())
	if !strings.Contains(m.Title(), "tags immutable") || strings.Contains(v, " immutable") && !strings.Contains(v, "tags immutable") {
		t.Errorf("title %q, view:\n%s", m.Title(), v)
	}
	if strings.Count(v, "immutable") > 1 {
		t.Errorf("rows repeat it:\n%s", v)
	}
}
