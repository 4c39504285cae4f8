package details_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/details"
	"github.com/wharf-dev/wharf/views/theme"
)

const (
	pAMD = "sha256:a1a1000000000000000000000000000000000000000000000000000000000000"
	pARM = "sha256:b2b2000000000000000000000000000000000000000000000000000000000000"
)

type fakeRemote struct{ described []string }

func (f *fakeRemote) Describe(_ context.Context, ref string) (domain.Details, error) {
	f.described = append(f.described, ref)
	switch ref {
	case "h/multi:1":
		return domain.Details{
			Reference: ref, Digest: "sha256:1dx", MediaType: "application/vnd.oci.image.index.v1+json",
			Platforms: []domain.Platform{{OS: "linux", Architecture: "amd64", Digest: pAMD, Size: 500}, {OS: "linux", Architecture: "arm64", Variant: "v8", Digest: pARM, Size: 510}},
		}, nil
	case "h/multi@" + pARM:
		return domain.Details{Reference: ref, Digest: pARM, OS: "linux", Arch: "arm64", Layers: []domain.Layer{{Digest: pARM, Size: 3100}}}, nil
	case "h/chart:1":
		return domain.Details{
			Reference: ref, Digest: pAMD, MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 900,
			ArtifactType: "application/vnd.cncf.helm.config.v1+json",
			Layers:       []domain.Layer{{Digest: pARM, Size: 800, MediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", Title: "app-1.0.0.tgz"}},
		}, nil
	case "h/undated:1":
		return domain.Details{Reference: ref, Digest: pAMD, Notes: []string{"shown by its digest: the tag 1 names another image now"}}, nil
	}
	return domain.Details{}, errors.New("not found")
}

func (f *fakeRemote) Referrers(_ context.Context, ref string) ([]domain.Referrer, error) {
	if ref == "h/multi@"+pARM {
		return []domain.Referrer{{Digest: pAMD, Kind: "signature", Tag: "sha256-b2b2.sig"}}, nil
	}
	return nil, nil
}

func newDetails(f *fakeRemote) *details.Model {
	m := details.New(details.Sources{Remote: f, Referrers: f}, theme.New(theme.Default(), true))
	m.SetSize(60, 20)
	m.SetFocused(true)
	return m
}

func key(code rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: code} }

func TestChooseAPlatformOfAnIndexAndGoBack(t *testing.T) {
	f := &fakeRemote{}
	m := newDetails(f)
	teatestutil.Drain(t, m.Update, m.Load("h/multi:1"), 10)
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "> linux/amd64") || !strings.Contains(view, "signatures none") {
		t.Fatalf("index view:\n%s", view)
	}
	m.Update(key(tea.KeyDown))
	if view := ansi.Strip(m.View()); !strings.Contains(view, "> linux/arm64/v8") {
		t.Fatalf("down did not choose arm64:\n%s", view)
	}
	teatestutil.Drain(t, m.Update, m.Update(key(tea.KeyEnter)), 10)
	view = ansi.Strip(m.View())
	if !strings.Contains(view, "Details · h/multi@sha256:b2b2") || !strings.Contains(view, "platform    linux/arm64") {
		t.Fatalf("enter did not open the arm64 image:\n%s", view)
	}
	if !strings.Contains(view, "signatures and attestations (1)") || !strings.Contains(view, "signature   a1a100000000  tag sha256-b2b2.sig") {
		t.Errorf("the platform's signature is not listed:\n%s", view)
	}
	ok, cmd := m.Clear()
	if !ok {
		t.Fatal("Clear did not go back to the index")
	}
	teatestutil.Drain(t, m.Update, cmd, 10)
	if view := ansi.Strip(m.View()); !strings.Contains(view, "Details · h/multi:1") {
		t.Errorf("esc did not go back to the index:\n%s", view)
	}
	if ok, _ := m.Clear(); ok {
		t.Error("Clear at the index reported going back")
	}
}

// failingRemote fails every description with a long reason.
type failingRemote struct{ fakeRemote }

func (failingRemote) Describe(context.Context, string) (domain.Details, error) {
	return domain.Details{}, errors.New("describe h/app:1: h: content does not match its digest (config digest: sha256:aaaa does not match sha256:bbbb): nothing was used; try again, and tell the registry's operators if it persists")
}

// A failure reads whole in the pane: wrapped over lines, not cut to one.
func TestErrorsAreWrappedWhole(t *testing.T) {
	m := details.New(details.Sources{Remote: failingRemote{}}, theme.New(theme.Default(), true))
	m.SetSize(40, 20)
	var said []error
	teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
		if s, ok := msg.(views.StatusMsg); ok {
			said = append(said, s.Err)
			return nil
		}
		return m.Update(msg)
	}, m.Load("h/app:1"), 10)
	flat := strings.Join(strings.Fields(ansi.Strip(m.View())), " ")
	if !strings.Contains(flat, "tell the registry's operators if it persists") {
		t.Errorf("the reason is cut:\n%s", ansi.Strip(m.View()))
	}
	if len(said) != 1 {
		t.Errorf("the pane told the status bar %v", said)
	}
}

// An artifact reads as what it is, with its files; an image without a
// created time or platform says the time is unknown and no platform; a
// note about the reading is shown.
func TestArtifactsAndUnknowns(t *testing.T) {
	m := newDetails(&fakeRemote{})
	m.SetSize(90, 20)
	teatestutil.Drain(t, m.Update, m.Load("h/chart:1"), 20)
	v := ansi.Strip(m.View())
	for _, want := range []string{"artifact    Helm chart (application/vnd.cncf.helm.config.v1+json)", "files (1)", "app-1.0.0.tgz"} {
		if !strings.Contains(v, want) {
			t.Errorf("the chart lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "created") || strings.Contains(v, "platform") || strings.Contains(v, "layers") {
		t.Errorf("the chart is shown as an image:\n%s", v)
	}
	teatestutil.Drain(t, m.Update, m.Load("h/undated:1"), 20)
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "created     —") || strings.Contains(v, "platform") || strings.Contains(v, " / ") {
		t.Errorf("an image without time or platform:\n%s", v)
	}
	if !strings.Contains(v, "the tag 1 names another image now") {
		t.Errorf("the note is not shown:\n%s", v)
	}
}
