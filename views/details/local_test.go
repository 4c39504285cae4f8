package details_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views/details"
	"github.com/wharf-dev/wharf/views/theme"
)

// builtLocally is what the engine says of a docker-built image: history
// with sizes and a comment, labels, a container using it, a repo digest
// its registry still has.
type builtLocally struct{}

func (builtLocally) Describe(context.Context, string) (domain.Details, error) {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	return domain.Details{
		Reference: "team/api:2.1", ID: "sha256:" + strings.Repeat("4c", 32),
		RepoTags:    []string{"team/api:2.1", "registry.example.com/team/api:2.1"},
		RepoDigests: []string{"registry.example.com/team/api@sha256:" + strings.Repeat("9a", 32)},
		Size:        48_200_000, Created: t0, OS: "linux", Arch: "amd64",
		Labels: map[string]string{"org.opencontainers.image.version": "2.1.0"}, Env: []string{"PATH=/usr/bin", "PORT=8080"},
		Entrypoint: []string{"/api"}, User: "app", WorkingDir: "/srv", ExposedPorts: []string{"8080/tcp"},
		Layers: []domain.Layer{
			{Digest: "sha256:" + strings.Repeat("11", 32), Size: 41_000_000},
			{Digest: "sha256:" + strings.Repeat("22", 32), Size: 7_200_000},
		},
		DiffIDs: []string{"sha256:" + strings.Repeat("11", 32), "sha256:" + strings.Repeat("22", 32)},
		History: []domain.HistoryEntry{
			{CreatedBy: "/bin/sh -c #(nop) ADD file:5d1c… in /", Size: 41_000_000, Created: t0.Add(-48 * time.Hour), ID: "<missing>"},
			{CreatedBy: "ENV PORT=8080", EmptyLayer: true, Created: t0.Add(-time.Hour), ID: "<missing>"},
			{CreatedBy: "COPY api /api # buildkit", Size: 7_200_000, Created: t0, Comment: "buildkit.dockerfile.v0", ID: "sha256:" + strings.Repeat("4c", 32)},
		},
		Local: &domain.LocalFacts{
			Containers: []domain.ContainerUse{{Name: "api-1", State: "running"}},
			SharedSize: 41_000_000, LayerSizes: true,
			RepoDigests: map[string]string{"registry.example.com/team/api@sha256:" + strings.Repeat("9a", 32): "in the registry"},
		},
	}, nil
}

// A local image reads as completely as a remote one, in the same
// sections: what the engine knows, history with when, size and comment,
// layers with sizes, the containers using it, whether its registry still
// has its repo digest.
func TestLocalDetailsGoldens(t *testing.T) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"120x40", 120, 40}} {
		m := details.New(details.Sources{Local: builtLocally{}}, theme.New(theme.Default(), true))
		m.SetSize(size.w, size.h)
		teatestutil.Drain(t, m.Update, m.LoadLocal("team/api:2.1"), 20)
		golden.Assert(t, "local_details_"+size.name, ansi.Strip(m.View()))
	}
}
