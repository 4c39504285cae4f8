package registryclient

import (
	"context"
	"errors"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Referrers lists what refers to an image: the OCI 1.1 referrers API (or its
// tag schema on registries without it), and cosign-style
// sha256-<hex>.sig/.att/.sbom tags.
func (c *Reads) Referrers(ctx context.Context, reference string) ([]domain.Referrer, error) {
	ref, err := c.registries.parseReference(reference)
	if err != nil {
		return nil, invalidReference("list referrers", reference, err)
	}
	host := ref.Context().RegistryStr()
	p, err := c.net.puller(ctx, host)
	if err != nil {
		return nil, err
	}
	desc, err := p.Head(ctx, ref)
	if err != nil {
		return nil, c.net.classify("list referrers of "+ref.String(), host, err)
	}
	subject := ref.Context().Digest(desc.Digest.String())

	var out []domain.Referrer
	idx, err := remote.Referrers(subject, c.net.remoteOptions(ctx, host)...)
	if err != nil && !errors.Is(c.net.classify("", host, err), ErrNotFound) {
		return nil, c.net.classify("list referrers of "+ref.String(), host, err)
	}
	if err == nil {
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, c.net.classify("list referrers of "+ref.String(), host, err)
		}
		for _, m := range im.Manifests {
			out = append(out, domain.Referrer{
				Digest: m.Digest.String(), ArtifactType: m.ArtifactType, MediaType: string(m.MediaType),
				Size: m.Size, Kind: referrerKind(m.ArtifactType),
			})
		}
	}
	base := strings.Replace(desc.Digest.String(), ":", "-", 1)
	for _, kind := range []string{domain.KindSignature, domain.KindAttestation, domain.KindSBOM} {
		tag := ref.Context().Tag(base + domain.CosignSuffix(kind))
		d, err := p.Head(ctx, tag)
		if err != nil {
			if errors.Is(c.net.classify("", host, err), ErrNotFound) {
				continue
			}
			return nil, c.net.classify("list referrers of "+ref.String(), host, err)
		}
		out = append(out, domain.Referrer{Digest: d.Digest.String(), MediaType: string(d.MediaType), Size: d.Size, Kind: kind, Tag: tag.TagStr()})
	}
	return out, nil
}

// CosignSubject says whether a tag is a cosign-style companion tag
// (sha256-<hex>.sig/.att/.sbom) and of which digest.
func CosignSubject(tag string) (digest, kind string, ok bool) { return domain.CosignSubject(tag) }

func referrerKind(artifactType string) string {
	t := strings.ToLower(artifactType)
	switch {
	case strings.Contains(t, "sig") || strings.Contains(t, "cosign"):
		return domain.KindSignature
	case strings.Contains(t, "in-toto") || strings.Contains(t, "attestation") || strings.Contains(t, "provenance"):
		return domain.KindAttestation
	case strings.Contains(t, "spdx") || strings.Contains(t, "cyclonedx") || strings.Contains(t, "sbom"):
		return domain.KindSBOM
	}
	return "artifact"
}
