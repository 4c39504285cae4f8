package details

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views"
)

func listReferrers(src ReferrerLister, ref string, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := views.ReadContext()
		defer cancel()
		rs, err := src.Referrers(ctx, ref)
		return ReferrersLoadedMsg{Reference: ref, Seq: seq, Referrers: rs, Err: err}
	}
}

func listPlatforms(src PlatformLister, ref string, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := views.ReadContext()
		defer cancel()
		ps, err := src.PlatformImages(ctx, ref)
		return PlatformsLoadedMsg{Reference: ref, Seq: seq, Images: ps, Err: err}
	}
}

// renderPlatforms is the multi-arch explorer: each platform with its
// digest and, once described, its image's size, layers and the layers it
// shares with the other platforms; then what actions on the tag apply to.
func (m *Model) renderPlatforms(b *strings.Builder, d *domain.Details) {
	fmt.Fprintf(b, "%s %d\n", m.styles.Label.Render(fmt.Sprintf("%-11s", "platforms")), len(d.Platforms))
	byDigest := map[string]domain.PlatformImage{}
	for _, img := range m.images {
		byDigest[img.Platform.Digest] = img
	}
	for i, p := range d.Platforms {
		mark := "  "
		if i == m.platform {
			mark = m.styles.Label.Render("> ")
		}
		line := fmt.Sprintf("%s%-16s %s", mark, p.String(), m.styles.Marker(p.Digest).Render(domain.ShortDigest(p.Digest)))
		if img, ok := byDigest[p.Digest]; ok {
			line += fmt.Sprintf("  %8s  %d layers, %d shared (%s)", domain.HumanSize(img.Size), len(img.Layers), img.Shared, domain.HumanSize(img.SharedSize))
		}
		b.WriteString(line + "\n")
	}
	switch {
	case m.imagesErr != nil:
		b.WriteString(m.styles.Muted.Render("platform images: could not describe them ("+m.imagesErr.Error()+")") + "\n")
	case m.platforms != nil && m.images == nil:
		b.WriteString(m.styles.Muted.Render("platform images: reading…") + "\n")
	}
	b.WriteString(m.styles.Muted.Render("↑↓ choose a platform · enter opens it") + "\n")
	b.WriteString(m.styles.Muted.Render(fmt.Sprintf("copy, delete and pull of this tag act on the whole index (%d platforms)", len(d.Platforms))) + "\n")
}

// platformKey chooses among an index's platforms and opens one; ok is
// false for keys it leaves to scrolling.
func (m *Model) platformKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	n := len(m.details.Platforms)
	switch {
	case key.Matches(msg, m.keys.Up):
		m.platform = max(m.platform-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.platform = min(m.platform+1, n-1)
	case key.Matches(msg, m.keys.Open):
		parent := m.ref
		cmd := m.load(repository(m.ref)+"@"+m.details.Platforms[m.platform].Digest, false)
		m.parent = parent
		return cmd, true
	default:
		return nil, false
	}
	m.render()
	return nil, true
}

// Clear closes the file tree (its filter first), or goes back from a
// platform to the index it was opened from.
func (m *Model) Clear() (bool, tea.Cmd) {
	if m.files != nil {
		if !m.files.Clear() {
			m.closeFiles()
		}
		return true, nil
	}
	if m.pkgsOpen || m.vulnsOpen {
		m.pkgsOpen, m.pkgs, m.pkgsErr = false, nil, nil
		m.vulnsOpen, m.vulnsMsg = false, nil
		m.render()
		return true, nil
	}
	if m.parent == "" {
		return false, nil
	}
	parent := m.parent
	m.parent = ""
	return true, m.load(parent, false)
}

// repository is a reference without its tag or digest.
func repository(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		return ref[:i]
	}
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		return ref[:i]
	}
	return ref
}

// renderReferrers lists the signatures, attestations and SBOMs of the shown
// image.
func (m *Model) renderReferrers(b *strings.Builder) {
	switch {
	case m.refs == nil:
		return
	case m.refErr != nil:
		b.WriteString(m.styles.Muted.Render("signatures: could not list them ("+m.refErr.Error()+")") + "\n")
		return
	case m.referrers == nil:
		b.WriteString(m.styles.Muted.Render("signatures: looking…") + "\n")
		return
	case len(m.referrers) == 0:
		b.WriteString(m.styles.Label.Render("signatures") + " none\n")
		return
	}
	b.WriteString(m.styles.Label.Render(fmt.Sprintf("signatures and attestations (%d)", len(m.referrers))) + "\n")
	for _, r := range m.referrers {
		where := r.ArtifactType
		if r.Tag != "" {
			where = "tag " + r.Tag
		}
		fmt.Fprintf(b, "  %-11s %s  %s\n", r.Kind, domain.ShortDigest(r.Digest), where)
	}
}
