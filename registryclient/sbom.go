package registryclient

import (
	"context"
	"strings"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Attachment is one blob of something attached to an image (an SBOM, an
// attestation, a scan report), and what it is.
type Attachment struct {
	// From is "sbom sha256:…", "attestation sha256:…", "artifact …".
	From         string
	ArtifactType string
	Data         []byte
}

// Attachments are the blobs of what refers to reference's image (the
// referrers API, the referrers tag schema or cosign's tags) whose kind is
// one of kinds, in that order; a referrer's layers each (an attestation
// holds one per predicate), up to 8 of 64 MB. Blobs are cached by digest
// like every manifest and config.
func (c *Client) Attachments(ctx context.Context, reference string, kinds ...string) ([]Attachment, error) {
	refs, err := c.Referrers(ctx, reference)
	if err != nil {
		return nil, err
	}
	repo := reference
	if i := strings.IndexByte(repo, '@'); i >= 0 {
		repo = repo[:i]
	}
	if i := strings.LastIndexByte(repo, ':'); i > strings.LastIndexByte(repo, '/') {
		repo = repo[:i]
	}
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
				out = append(out, Attachment{From: kind + " " + domain.ShortDigest(r.Digest), ArtifactType: r.ArtifactType, Data: b})
			}
		}
	}
	return out, nil
}

// readBlob is a blob of a repository (repo@digest), from the cache when
// read before.
func (c *Client) readBlob(ctx context.Context, reference string) ([]byte, error) {
	ref, err := c.parseReference(reference)
	if err != nil {
		return nil, invalidReference("read", reference, err)
	}
	host := ref.Context().RegistryStr()
	p, err := c.puller(ctx, host)
	if err != nil {
		return nil, err
	}
	b, err := c.blob(ctx, p, ref.Context().Digest(ref.Identifier()))
	if err != nil {
		return nil, c.classify("read "+domain.ShortDigest(ref.Identifier()), host, err)
	}
	return b, nil
}

// SBOM is the first blob of an SBOM attached to reference's image, then of
// an attestation (which may carry one); ok is false when none is attached.
func (c *Client) SBOM(ctx context.Context, reference string) (data []byte, from string, ok bool, err error) {
	as, err := c.Attachments(ctx, reference, "sbom", "attestation")
	if err != nil || len(as) == 0 {
		return nil, "", false, err
	}
	return as[0].Data, as[0].From, true, nil
}
