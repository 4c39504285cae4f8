package details

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wharf-dev/wharf/internal/domain"
)

var errNoDiffer = errors.New("comparing needs a registry connection; this pane has none")

// renderDiff writes a comparison: which side is which, then platforms,
// layers removed/added/shared with sizes, config and history changes.
func (m *Model) renderDiff(b *strings.Builder, d domain.Diff) {
	minus, plus := m.styles.Danger.Render("-"), m.styles.Label.Render("+")
	for _, side := range []struct {
		sign string
		d    domain.Details
	}{{minus, d.A}, {plus, d.B}} {
		name, id := side.d.Reference, side.d.Digest
		if side.d.Local != nil {
			// A local image by the name the user knows, and its ID (the
			// engine keeps no manifest digest).
			name, id = "local "+side.d.Reference, side.d.ID
			if len(side.d.RepoTags) > 0 {
				name = "local " + side.d.RepoTags[0]
			}
		}
		fmt.Fprintf(b, "%s %s  %s\n", side.sign, name, m.styles.Marker(id).Render(domain.ShortDigest(id)))
	}
	if d.Same() {
		if d.A.Local != nil || d.B.Local != nil {
			b.WriteString("the same image (the local image's ID is the remote config's digest): nothing differs\n")
		} else {
			b.WriteString("the same manifest: nothing differs\n")
		}
		return
	}
	if d.A.Local != nil || d.B.Local != nil {
		b.WriteString(m.styles.Muted.Render("layers matched uncompressed; sizes are each side's own (local uncompressed, remote compressed)") + "\n")
	}
	for _, p := range d.PlatformsRemoved {
		fmt.Fprintf(b, "%s platform %s\n", minus, p)
	}
	for _, p := range d.PlatformsAdded {
		fmt.Fprintf(b, "%s platform %s\n", plus, p)
	}
	for _, p := range d.PlatformsChanged {
		fmt.Fprintf(b, "~ platform %s (another image)\n", p)
	}
	var shared, removed, added int64
	for _, l := range d.LayersShared {
		shared += l.Size
	}
	for _, l := range d.LayersRemoved {
		removed += l.Size
	}
	for _, l := range d.LayersAdded {
		added += l.Size
	}
	// Short enough for the narrowest pane: = shared, - removed, + added.
	b.WriteString(m.styles.Label.Render(fmt.Sprintf("layers = %d (%s) - %d (%s) + %d (%s)",
		len(d.LayersShared), domain.HumanSize(shared), len(d.LayersRemoved), domain.HumanSize(removed), len(d.LayersAdded), domain.HumanSize(added))) + "\n")
	for _, l := range d.LayersRemoved {
		fmt.Fprintf(b, "%s %s  %8s\n", minus, domain.ShortDigest(l.Digest), domain.HumanSize(l.Size))
	}
	for _, l := range d.LayersAdded {
		fmt.Fprintf(b, "%s %s  %8s\n", plus, domain.ShortDigest(l.Digest), domain.HumanSize(l.Size))
	}
	if len(d.Config) > 0 {
		b.WriteString(m.styles.Label.Render("config") + "\n")
	}
	for _, c := range d.Config {
		fmt.Fprintf(b, "~ %s: %q → %q\n", c.Key, c.Old, c.New)
	}
	if len(d.HistoryRemoved)+len(d.HistoryAdded) > 0 {
		b.WriteString(m.styles.Label.Render("history") + "\n")
	}
	for _, h := range d.HistoryRemoved {
		fmt.Fprintf(b, "%s %s\n", minus, h)
	}
	for _, h := range d.HistoryAdded {
		fmt.Fprintf(b, "%s %s\n", plus, h)
	}
}
