package ops

import (
	"context"
	"fmt"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/packages"
)

// layerLister reads an image's layers (the registry's or the engine's).
type layerLister interface {
	LayerFiles(ctx context.Context, reference string, each func(i int, layer domain.Layer, entries []filetree.Entry)) error
}

// Packages is a remote image's packages: from the SBOM attached to it when
// there is one it can read, else from its file system.
func (r *Remote) Packages(ctx context.Context, reference string) (packages.List, error) {
	var notes []string
	data, from, ok, err := r.SBOM(ctx, reference)
	switch {
	case err != nil:
		notes = append(notes, fmt.Sprintf("no SBOM read (%v); read the file system", err))
	case ok:
		pkgs, format, err := packages.FromSBOM(data)
		if err == nil {
			return packages.List{Source: "SBOM attached (" + format + ", " + from + ")", Packages: pkgs}, nil
		}
		notes = append(notes, fmt.Sprintf("the attached %s is not an SBOM wharf reads (%v); read the file system", from, err))
	}
	l, err := packagesOfFiles(ctx, r.Client, reference)
	l.Notes = append(notes, l.Notes...)
	return l, err
}

// Packages is a local image's packages, from its file system (read through
// the engine's export).
func (l *Local) Packages(ctx context.Context, reference string) (packages.List, error) {
	return packagesOfFiles(ctx, l.Cache, reference)
}

func packagesOfFiles(ctx context.Context, src layerLister, reference string) (packages.List, error) {
	fsys := filetree.FS{}
	err := src.LayerFiles(ctx, reference, func(_ int, _ domain.Layer, es []filetree.Entry) { fsys.Apply(es) })
	if err != nil {
		return packages.List{}, err
	}
	return packages.FromFiles(fsys), nil
}
