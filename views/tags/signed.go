package tags

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Signatures, attestations and SBOMs: cosign's sha256-<hex>.sig/.att/.sbom
// tags are not listed as tags but folded under the image they belong to, as
// a badge; what the referrers API lists (the Details pane asks) adds to it.

// fold takes the companion tags out of tags and records them by subject
// digest.
func (m *Model) fold(tags []string) []string {
	f := domain.FoldCosign(tags)
	m.companions, m.kinds = f.Companions, f.Kinds
	return f.Tags
}

func (m *Model) addKind(digest, kind string) {
	if m.kinds[digest] == nil {
		m.kinds[digest] = map[string]bool{}
	}
	m.kinds[digest][kind] = true
}

// folded counts the companion tags folded away.
func (m *Model) folded() int {
	n := 0
	for _, ts := range m.companions {
		n += len(ts)
	}
	return n
}

// referred adds what the referrers API says refers to reference (a tag of
// this repository, shown in Details) to its image's badge.
func (m *Model) referred(reference string, refs []domain.Referrer) {
	if m.kinds == nil {
		return
	}
	digest := ""
	if rest, found := strings.CutPrefix(reference, m.repo+":"); found {
		if i, ok := m.index[rest]; ok {
			digest = m.rows[i].digest
		}
	}
	if digest == "" {
		return
	}
	for _, r := range refs {
		if r.Kind != "artifact" {
			m.addKind(digest, r.Kind)
		}
	}
}

// badge is the image's signed/attested mark ("" for none).
func (m *Model) badge(digest string) string {
	if a, ok := m.artifacts[digest]; ok {
		return "artifact: " + a
	}
	return domain.Badge(m.kinds[digest])
}

// badgeWidth is the room the badge column takes: none when no image in the
// repository has one.
func (m *Model) badgeWidth() int {
	w := 0
	for _, k := range m.kinds {
		w = max(w, len(domain.Badge(k))+1)
	}
	for _, r := range m.rows {
		if b := m.rowBadge(r); b != "" {
			w = max(w, len(b)+1)
		}
	}
	return w
}

// rowBadge is what a row's badge column says: its image's mark (once the
// digest is known), and immutable when the registry will not move the tag.
func (m *Model) rowBadge(r row) string {
	b := ""
	if r.err == nil && r.digest != "" {
		b = m.badge(r.digest)
	}
	if m.markImmutable(r.tag) {
		b = strings.TrimSpace(b + " immutable")
	}
	return b
}

// badgeHeader names the badge column: what signs the images, and what
// the rows that are not images are.
func (m *Model) badgeHeader() string {
	for _, r := range m.rows {
		if _, ok := m.artifacts[r.digest]; ok || m.markImmutable(r.tag) {
			return "KIND"
		}
	}
	return "SIGNED"
}

// orphanWarning says what a delete of the image's last tag leaves behind:
// its signatures and attestations, which then refer to nothing.
func (m *Model) orphanWarning(digest string) []string {
	ts := slices.Clone(m.companions[digest])
	kinds := m.kinds[digest]
	if len(ts) == 0 && len(kinds) == 0 {
		return nil
	}
	slices.Sort(ts)
	what := domain.Badge(kinds)
	lines := []string{fmt.Sprintf("! The image is signed or attested (%s): deleting it orphans them.", what)}
	for _, t := range ts {
		lines = append(lines, "    "+t)
	}
	return append(lines, "  Delete those too afterwards, or keep the image under another tag.")
}

// described records what Details found a digest to be: an index's
// platforms, so the delete, copy and pull of its tags say they take the
// whole index.
func (m *Model) described(d domain.Details) {
	if d.IsArtifact() && d.Digest != "" {
		// The row is marked from now on: it is not an image.
		if m.artifacts == nil {
			m.artifacts = map[string]string{}
		}
		m.artifacts[d.Digest] = domain.ArtifactName(d.ArtifactType)
	}
	if !d.IsIndex() || d.Digest == "" {
		return
	}
	if m.indexes == nil {
		m.indexes = map[string][]string{}
	}
	ps := make([]string, len(d.Platforms))
	for i, p := range d.Platforms {
		ps[i] = p.String()
	}
	m.indexes[d.Digest] = ps
}

// scope says what an action on the tag with digest acts on.
func (m *Model) scope(digest string) string {
	ps, ok := m.indexes[digest]
	if !ok {
		return ""
	}
	return fmt.Sprintf("the whole index: %d platforms (%s)", len(ps), strings.Join(ps, ", "))
}

// allImmutable: every tag is one the registry will not move (an ECR
// repository set IMMUTABLE): the title says so once instead of every row.
func (m *Model) allImmutable() bool {
	if len(m.immutable) == 0 || len(m.rows) == 0 {
		return false
	}
	for _, r := range m.rows {
		if !m.immutable[r.tag] {
			return false
		}
	}
	return true
}

// markImmutable: the row says its tag is immutable (some tags are, not all).
func (m *Model) markImmutable(tag string) bool { return m.immutable[tag] && !m.allImmutable() }
