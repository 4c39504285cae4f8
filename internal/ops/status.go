package ops

import (
	"context"
	"errors"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/status"
	"github.com/wharf-dev/wharf/registryclient"
)

// ImageLister lists the engine's images (localcache.Cache).
type ImageLister interface {
	Images(ctx context.Context) (domain.LocalListing, error)
}

// StatusRegistry is what the comparison asks of the registries
// (registryclient.Client).
type StatusRegistry interface {
	status.Remote
	// Knows reports whether host is a registry wharf knows.
	Knows(host string) bool
}

// Status compares the engine's tags with the same tags in their registries
// (`wharf status` and the Local pane's marks): only the repositories with
// one of the prefixes in only (all when empty), and with remoteOnly the
// registries' tags that are not local too.
func Status(ctx context.Context, eng ImageLister, reg StatusRegistry, only []string, remoteOnly bool) ([]domain.SyncStatus, error) {
	listing, err := eng.Images(ctx)
	if err != nil {
		return nil, err
	}
	return status.Compare(ctx, listing.Images, reg, status.Options{
		Known:      reg.Knows,
		NotFound:   func(err error) bool { return errors.Is(err, registryclient.ErrNotFound) },
		Only:       only,
		RemoteOnly: remoteOnly,
	})
}
