package registryclient

import (
	"context"
	"strings"

	"github.com/wharf-dev/wharf/internal/domain"
)

// SBOM finds an SBOM attached to reference's image (a referrer or a
// cosign-style tag of kind sbom, or an attestation) and returns its first
// blob, with what it is ("sbom sha256:…"); ok is false when none is
// attached. The blob is cached by digest like every manifest and config.
func (c *Client) SBOM(ctx context.Context, reference string) (data []byte, from string, ok bool, err error) {
	refs, err := c.Referrers(ctx, reference)
	if err != nil {
		return nil, "", false, err
	}
	// An SBOM itself first, then attestations (which may carry one).
	for _, kind := range []string{"sbom", "attestation"} {
		for _, r := range refs {
			if r.Kind != kind {
				continue
			}
			b, err := c.firstBlob(ctx, reference, r)
			if err != nil {
				return nil, "", false, err
			}
			if b != nil {
				return b, kind + " " + domain.ShortDigest(r.Digest), true, nil
			}
		}
	}
	return nil, "", false, nil
}

// firstBlob is the first layer of a referrer's manifest (nil when it has
// none, or it is larger than an SBOM reasonably is).
func (c *Client) firstBlob(ctx context.Context, reference string, r domain.Referrer) ([]byte, error) {
	repo := reference
	if i := strings.IndexByte(repo, '@'); i >= 0 {
		repo = repo[:i]
	}
	if i := strings.LastIndexByte(repo, ':'); i > strings.LastIndexByte(repo, '/') {
		repo = repo[:i]
	}
	d, err := c.Describe(ctx, repo+"@"+r.Digest)
	if err != nil || len(d.Layers) == 0 || d.Layers[0].Size > 64<<20 {
		return nil, err
	}
	ref, err := c.parseReference(repo + "@" + d.Layers[0].Digest)
	if err != nil {
		return nil, err
	}
	host := ref.Context().RegistryStr()
	p, err := c.puller(ctx, host)
	if err != nil {
		return nil, err
	}
	b, err := c.blob(ctx, p, ref.Context().Digest(d.Layers[0].Digest))
	if err != nil {
		return nil, c.classify("read sbom "+domain.ShortDigest(r.Digest), host, err)
	}
	return b, nil
}
