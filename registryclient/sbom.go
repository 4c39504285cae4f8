package registryclient

import (
	"bytes"
	"context"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wharf-dev/wharf/internal/domain"
	wref "github.com/wharf-dev/wharf/internal/ref"
)

// Attachment is one blob of something attached to an image (an SBOM, an
// attestation, a scan report), and what it is.
type Attachment struct {
	// Kind is the referrer's kind (sbom, attestation, artifact); From
	// says it with the referrer's digest ("sbom sha256:…").
	Kind, From   string
	ArtifactType string
	Data         []byte
}

// Attachments are the blobs of what refers to reference's image (the
// referrers API, the referrers tag schema or cosign's tags) whose kind is
// one of kinds, in that order; a referrer's layers each (an attestation
// holds one per predicate), up to 8 of 64 MB. Blobs are cached by digest
// like every manifest and config.
func (c *Reads) Attachments(ctx context.Context, reference string, kinds ...string) ([]Attachment, error) {
	refs, err := c.Referrers(ctx, reference)
	if err != nil {
		return nil, err
	}
	named, err := wref.Parse(reference)
	if err != nil {
		return nil, invalidReference("read", reference, err)
	}
	repo := named.Repository()
	var out []Attachment
	for _, kind := range kinds {
		for _, r := range refs {
			if r.Kind != kind {
				continue
			}
			d, err := c.Describe(ctx, repo+"@"+r.Digest)
			if err != nil {
				return out, err
			}
			for i, l := range d.Layers {
				if i == 8 || l.Size > 64<<20 {
					break
				}
				b, err := c.readBlob(ctx, repo+"@"+l.Digest)
				if err != nil {
					return out, err
				}
				out = append(out, Attachment{Kind: kind, From: kind + " " + domain.ShortDigest(r.Digest), ArtifactType: r.ArtifactType, Data: b})
			}
		}
	}
	return out, nil
}

// readBlob is a blob of a repository (repo@digest), from the cache when
// read before.
func (c *Reads) readBlob(ctx context.Context, reference string) ([]byte, error) {
	ref, err := c.registries.parseReference(reference)
	if err != nil {
		return nil, invalidReference("read", reference, err)
	}
	host := ref.Context().RegistryStr()
	p, err := c.net.puller(ctx, host)
	if err != nil {
		return nil, err
	}
	b, err := c.blob(ctx, p, ref.Context().Digest(ref.Identifier()))
	if err != nil {
		return nil, c.net.classify("read "+domain.ShortDigest(ref.Identifier()), host, err)
	}
	return b, nil
}

// SBOM is the first blob of an SBOM attached to reference's image, then of
// an attestation (which may carry one); ok is false when none is attached.
func (c *Reads) SBOM(ctx context.Context, reference string) (data []byte, from string, ok bool, err error) {
	as, err := c.Attachments(ctx, reference, "sbom", "attestation")
	if err != nil || len(as) == 0 {
		return nil, "", false, err
	}
	return as[0].Data, as[0].From, true, nil
}

// IndexAttestations are the blobs of the attestation manifests BuildKit
// puts in an index (platform unknown/unknown, annotated with the platform
// manifest they are about), for the platform manifest digest named;
// platformOf names each digest's platform. ok is false when reference is
// no index.
func (c *Reads) IndexAttestations(ctx context.Context, reference string) (byPlatform map[string][]Attachment, platformOf map[string]string, ok bool, err error) {
	ref, err := c.registries.parseReference(reference)
	if err != nil {
		return nil, nil, false, invalidReference("read", reference, err)
	}
	host := ref.Context().RegistryStr()
	p, err := c.net.puller(ctx, host)
	if err != nil {
		return nil, nil, false, err
	}
	_, raw, err := c.manifest(ctx, p, ref)
	if err != nil {
		return nil, nil, false, c.net.classify("read "+reference, host, err)
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil || len(idx.Manifests) == 0 {
		return nil, nil, false, nil
	}
	repo := ref.Context().String()
	byPlatform, platformOf = map[string][]Attachment{}, map[string]string{}
	for _, m := range idx.Manifests {
		if m.Platform != nil && m.Annotations["vnd.docker.reference.type"] != "attestation-manifest" {
			platformOf[m.Digest.String()] = m.Platform.String()
		}
	}
	for _, m := range idx.Manifests {
		about := m.Annotations["vnd.docker.reference.digest"]
		if m.Annotations["vnd.docker.reference.type"] != "attestation-manifest" || about == "" {
			continue
		}
		d, err := c.Describe(ctx, repo+"@"+m.Digest.String())
		if err != nil {
			return nil, nil, true, err
		}
		for i, l := range d.Layers {
			if i == 8 || l.Size > 64<<20 {
				break
			}
			b, err := c.readBlob(ctx, repo+"@"+l.Digest)
			if err != nil {
				return nil, nil, true, err
			}
			byPlatform[about] = append(byPlatform[about], Attachment{Kind: "attestation", From: "attestation manifest " + domain.ShortDigest(m.Digest.String()), Data: b})
		}
	}
	return byPlatform, platformOf, true, nil
}
