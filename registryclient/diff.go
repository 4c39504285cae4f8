package registryclient

import (
	"context"
	"sort"
	"strings"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Diff compares two references without pulling layers: the platforms of
// two indexes, or the layers (added, removed, shared, with sizes), config
// (labels, env, entrypoint, cmd, platform) and history of two images.
func (c *Reads) Diff(ctx context.Context, refA, refB string) (domain.Diff, error) {
	// Both are read as references before either is asked for.
	for _, r := range []string{refA, refB} {
		if _, err := c.registries.parseReference(r); err != nil {
			return domain.Diff{}, invalidReference("diff", r, err)
		}
	}
	a, err := c.Describe(ctx, refA)
	if err != nil {
		return domain.Diff{}, err
	}
	b, err := c.Describe(ctx, refB)
	if err != nil {
		return domain.Diff{}, err
	}
	return DiffDetails(a, b), nil
}

// DiffDetails compares two descriptions already read.
func DiffDetails(a, b domain.Details) domain.Diff {
	d := domain.Diff{A: a, B: b}
	if a.IsIndex() || b.IsIndex() {
		diffPlatforms(&d)
		return d
	}
	la, lb := comparableLayers(a, b)
	inA := map[string]domain.Layer{}
	for _, l := range la {
		inA[l.Digest] = l
	}
	inB := map[string]bool{}
	for _, l := range lb {
		inB[l.Digest] = true
		if _, ok := inA[l.Digest]; ok {
			d.LayersShared = append(d.LayersShared, domain.LayerChange{Digest: l.Digest, Size: l.Size})
		} else {
			d.LayersAdded = append(d.LayersAdded, domain.LayerChange{Digest: l.Digest, Size: l.Size})
		}
	}
	for _, l := range la {
		if !inB[l.Digest] {
			d.LayersRemoved = append(d.LayersRemoved, domain.LayerChange{Digest: l.Digest, Size: l.Size})
		}
	}
	d.Config = diffConfig(a, b)
	d.HistoryRemoved, d.HistoryAdded = diffLines(historyLines(a), historyLines(b))
	return d
}

// comparableLayers are the two images' layers as they can be matched: by
// their manifest digests between two remote images, by their uncompressed
// digests (diff IDs) when one is local (the engine keeps layers
// uncompressed; a registry, compressed). Sizes stay each side's own.
func comparableLayers(a, b domain.Details) (la, lb []domain.Layer) {
	if a.Local == nil && b.Local == nil {
		return a.Layers, b.Layers
	}
	return byDiffID(a), byDiffID(b)
}

func byDiffID(d domain.Details) []domain.Layer {
	if d.Local != nil {
		return d.Layers // the engine's layers are diff IDs already
	}
	out := make([]domain.Layer, len(d.DiffIDs))
	for i, id := range d.DiffIDs {
		out[i] = domain.Layer{Digest: id}
		if i < len(d.Layers) && len(d.Layers) == len(d.DiffIDs) {
			out[i].Size = d.Layers[i].Size
		}
	}
	return out
}

func diffPlatforms(d *domain.Diff) {
	byName := func(ps []domain.Platform) map[string]domain.Platform {
		m := map[string]domain.Platform{}
		for _, p := range ps {
			m[p.String()] = p
		}
		return m
	}
	a, b := byName(d.A.Platforms), byName(d.B.Platforms)
	for _, p := range d.B.Platforms {
		old, ok := a[p.String()]
		switch {
		case !ok:
			d.PlatformsAdded = append(d.PlatformsAdded, p)
		case old.Digest != p.Digest:
			d.PlatformsChanged = append(d.PlatformsChanged, p.String())
		}
	}
	for _, p := range d.A.Platforms {
		if _, ok := b[p.String()]; !ok {
			d.PlatformsRemoved = append(d.PlatformsRemoved, p)
		}
	}
}

func diffConfig(a, b domain.Details) []domain.ValueChange {
	var out []domain.ValueChange
	add := func(key, before, after string) {
		if before != after {
			out = append(out, domain.ValueChange{Key: key, Old: before, New: after})
		}
	}
	add("platform", a.PlatformString(), b.PlatformString())
	add("entrypoint", strings.Join(a.Entrypoint, " "), strings.Join(b.Entrypoint, " "))
	add("cmd", strings.Join(a.Cmd, " "), strings.Join(b.Cmd, " "))
	for _, k := range unionKeys(a.Labels, b.Labels) {
		add("label:"+k, a.Labels[k], b.Labels[k])
	}
	envA, envB := envMap(a.Env), envMap(b.Env)
	for _, k := range unionKeys(envA, envB) {
		add("env:"+k, envA[k], envB[k])
	}
	return out
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		m[k] = v
	}
	return m
}

func unionKeys(a, b map[string]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func historyLines(d domain.Details) []string {
	out := make([]string, 0, len(d.History))
	for _, h := range d.History {
		out = append(out, h.CreatedBy)
	}
	return out
}

// diffLines returns the lines only in a and only in b (as multisets).
func diffLines(a, b []string) (onlyA, onlyB []string) {
	return minus(a, b), minus(b, a)
}

// minus is a without the lines of b, each line of b taking away one.
func minus(a, b []string) []string {
	count := map[string]int{}
	for _, l := range b {
		count[l]++
	}
	var out []string
	for _, l := range a {
		if count[l] > 0 {
			count[l]--
		} else {
			out = append(out, l)
		}
	}
	return out
}
