package registryclient_test

import (
	"slices"
	"testing"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

func TestDiffImagesAndIndexes(t *testing.T) {
	ctx := testCtx(t)
	host := testenv.InProcess(t)
	next := fixtures.App
	next.LayerSizes = append(slices.Clone(fixtures.App.LayerSizes), 512) // same seed: the first three layers are App's
	next.Labels = map[string]string{"org.opencontainers.image.version": "1.1.0", "dev.wharf.fixture": "app"}
	next.Env = []string{"PATH=/usr/local/bin:/usr/bin", "WHARF_FIXTURE=app", "DEBUG=1"}
	if err := fixtures.Push(ctx, host, []fixtures.Entry{
		{Repo: "it/diff", Tags: []string{"a"}, Image: &fixtures.App},
		{Repo: "it/diff", Tags: []string{"b"}, Image: &next},
		{Repo: "it/diff", Tags: []string{"multi"}, Platforms: []fixtures.Spec{fixtures.AMD64, fixtures.ARM64}},
		{Repo: "it/diff", Tags: []string{"amd-only"}, Platforms: []fixtures.Spec{fixtures.AMD64}},
	}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t)
	d, err := c.Diff(ctx, host+"/it/diff:a", host+"/it/diff:b")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.LayersShared) != 3 || len(d.LayersAdded) != 1 || len(d.LayersRemoved) != 0 || d.LayersAdded[0].Size == 0 {
		t.Errorf("layers: shared %d, added %v, removed %v", len(d.LayersShared), d.LayersAdded, d.LayersRemoved)
	}
	wantConfig := []domain.ValueChange{
		{Key: "label:org.opencontainers.image.title", Old: "wharf-fixture-app"},
		{Key: "label:org.opencontainers.image.version", Old: "1.0.0", New: "1.1.0"},
		{Key: "env:DEBUG", New: "1"},
	}
	if !slices.Equal(d.Config, wantConfig) {
		t.Errorf("config changes %+v\nwant %+v", d.Config, wantConfig)
	}
	if !slices.Equal(d.HistoryAdded, []string{fixtures.LayerCreatedBy(3, 512)}) || len(d.HistoryRemoved) != 0 {
		t.Errorf("history +%v -%v", d.HistoryAdded, d.HistoryRemoved)
	}

	idx, err := c.Diff(ctx, host+"/it/diff:multi", host+"/it/diff:amd-only")
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.PlatformsRemoved) != 1 || idx.PlatformsRemoved[0].String() != "linux/arm64/v8" || len(idx.PlatformsAdded) != 0 || len(idx.PlatformsChanged) != 0 {
		t.Errorf("platform diff %+v", idx)
	}
	if same, _ := c.Diff(ctx, host+"/it/diff:a", host+"/it/diff:a"); !same.Same() || len(same.LayersShared) != 3 {
		t.Errorf("a diff of a tag with itself is not 'same'")
	}
}
