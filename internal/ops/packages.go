package ops

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/packages"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/internal/vulns"
)

// layerLister reads an image's layers (the registry's or the engine's).
type layerLister interface {
	LayerFiles(ctx context.Context, reference string, each func(i int, layer domain.Layer, entries []filetree.Entry)) error
}

// Packages is a remote image's packages: from the first SBOM attached to
// it that it can read (an SBOM, else an attestation carrying one), else
// from its file system.
func (r *Remote) Packages(ctx context.Context, reference string) (packages.List, error) {
	if l, ok, err := r.indexPackages(ctx, reference); ok || err != nil {
		return l, err
	}
	var notes []string
	as, err := r.c.Attachments(ctx, reference, "sbom", "attestation")
	if err != nil {
		notes = append(notes, fmt.Sprintf("no SBOM read (%v); read the file system", err))
	}
	for _, a := range as {
		pkgs, format, err := packages.FromSBOM(a.Data)
		if err == nil {
			return packages.List{Source: "SBOM attached (" + format + ", " + a.From + ")", Packages: pkgs}, nil
		}
		if a.Kind == "sbom" {
			notes = append(notes, fmt.Sprintf("the attached %s is not an SBOM wharf reads (%v)", a.From, err))
		}
	}
	l, err := packagesOfFiles(ctx, r.c, reference)
	l.Notes = append(notes, l.Notes...)
	return l, err
}

// Vulnerabilities is the vulnerability report a pipeline attached to a
// remote image (cosign's vuln attestation, or a Trivy, Grype or SARIF
// document as a referrer), else the registry's own scan findings (ECR's);
// ok is false when there is neither. wharf never
// scans and never downloads a vulnerability database.
func (r *Remote) Vulnerabilities(ctx context.Context, reference string) (rep vulns.Report, ok bool, err error) {
	as, err := r.c.Attachments(ctx, reference, "attestation", "artifact", "sbom")
	if err != nil {
		return vulns.Report{}, false, err
	}
	for _, a := range as {
		if rep, err := vulns.Parse(a.Data); err == nil {
			rep.From = a.From
			return rep, true, nil
		}
	}
	// None attached: the registry's own scan, where it scans (ECR).
	return r.c.ScanFindings(ctx, reference)
}

// Packages is a local image's packages, from its file system (read through
// the engine's export).
func (l *Local) Packages(ctx context.Context, reference string) (packages.List, error) {
	return packagesOfFiles(ctx, l.c, reference)
}

func packagesOfFiles(ctx context.Context, src layerLister, reference string) (packages.List, error) {
	fsys, err := imageFS(ctx, src, reference)
	if err != nil {
		return packages.List{}, err
	}
	return packages.FromFiles(fsys), nil
}

// imageFS is the file system an image's layers make, stacked as they are
// read.
func imageFS(ctx context.Context, src layerLister, reference string) (filetree.FS, error) {
	fsys := filetree.FS{}
	err := src.LayerFiles(ctx, reference, func(_ int, _ domain.Layer, es []filetree.Entry) { fsys.Apply(es) })
	return fsys, err
}

// FileDiff is what two remote images' files differ in (a layer both share
// is read once, then comes from the cache).
func (r *Remote) FileDiff(ctx context.Context, a, b string) ([]filetree.FileDiff, error) {
	fa, err := imageFS(ctx, r.c, a)
	if err != nil {
		return nil, err
	}
	fb, err := imageFS(ctx, r.c, b)
	if err != nil {
		return nil, err
	}
	return filetree.Diff(fa, fb), nil
}

// DeepDiff is what two remote images differ in beyond their manifests:
// files (from their layers), packages (from their SBOMs or file systems)
// and, when both have one attached, vulnerability findings (vulnsOK
// false otherwise).
func (r *Remote) DeepDiff(ctx context.Context, a, b string) (fd []filetree.FileDiff, pc []packages.Change, vc []vulns.Change, vulnsOK bool, err error) {
	if fd, err = r.FileDiff(ctx, a, b); err != nil {
		return nil, nil, nil, false, err
	}
	var lists [2]packages.List
	for i, ref := range []string{a, b} {
		if lists[i], err = r.Packages(ctx, ref); err != nil {
			return fd, nil, nil, false, err
		}
	}
	pc = packages.Diff(lists[0].Packages, lists[1].Packages, packages.Compare)
	ra, okA, err := r.Vulnerabilities(ctx, a)
	if err != nil {
		return fd, pc, nil, false, err
	}
	rb, okB, err := r.Vulnerabilities(ctx, b)
	if err != nil || !okA || !okB {
		return fd, pc, nil, false, err
	}
	return fd, pc, vulns.Diff(ra, rb), true, nil
}

// indexPackages is the packages of an index's platform image — linux/amd64
// when it has one, else its first — from the SBOM in BuildKit's
// attestation manifest for it, else from that image; ok is false when
// reference is no index.
func (r *Remote) indexPackages(ctx context.Context, reference string) (packages.List, bool, error) {
	byPlatform, platformOf, ok, err := r.c.IndexAttestations(ctx, reference)
	if err != nil || !ok || len(platformOf) == 0 {
		return packages.List{}, false, err
	}
	digests := make([]string, 0, len(platformOf))
	for d := range platformOf {
		digests = append(digests, d)
	}
	slices.SortFunc(digests, func(a, b string) int { return strings.Compare(platformOf[a], platformOf[b]) })
	chosen := digests[0]
	for _, d := range digests {
		if platformOf[d] == "linux/amd64" {
			chosen = d
		}
	}
	var others []string
	for _, d := range digests {
		if d != chosen {
			others = append(others, platformOf[d]+" "+domain.ShortDigest(d))
		}
	}
	var notes []string
	if len(others) > 0 {
		notes = append(notes, "an index: these are "+platformOf[chosen]+"'s packages; name another platform's digest for its own ("+strings.Join(others, ", ")+")")
	}
	for _, a := range byPlatform[chosen] {
		if pkgs, format, err := packages.FromSBOM(a.Data); err == nil {
			return packages.List{Source: "SBOM in the index's BuildKit attestation for " + platformOf[chosen] + " (" + format + ", " + a.From + ")", Packages: pkgs, Notes: notes}, true, nil
		}
	}
	named, err := ref.Parse(reference)
	if err != nil {
		return packages.List{}, true, err
	}
	l, err := packagesOfFiles(ctx, r.c, named.Repository()+"@"+chosen)
	l.Source = platformOf[chosen] + "'s " + l.Source
	l.Notes = append(notes, l.Notes...)
	return l, true, err
}
