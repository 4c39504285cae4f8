package registryclient

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DefaultDigestConcurrency is how many HEAD requests Digests keeps in flight.
const DefaultDigestConcurrency = 16

// puller reads from one registry. It is made once per host and kept, so a
// repository's ping and token are paid once and reused by every later call
// (go-containerregistry keeps one authenticated transport per repository
// inside it). Requests take their context from each call.
func (c *Client) puller(_ context.Context, host string) (*remote.Puller, error) {
	key := normalizeHost(host)
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pullers[key]; ok {
		return p, nil
	}
	p, err := remote.NewPuller(c.remoteOptions(context.Background(), host)...)
	if err != nil {
		return nil, err
	}
	c.pullers[key] = p
	return p, nil
}

func invalidReference(op, ref string, err error) error {
	return &Error{Op: op, Registry: ref, Kind: ErrInvalidReference, Detail: err.Error(), Err: err}
}

// Digests resolves each tag's digest with HEAD requests (which Docker Hub does
// not count as pulls), DefaultDigestConcurrency (or the configured number) at
// a time over the host's one puller, so the registry is pinged and a token
// fetched once. Tags are requested in the order given: put the ones on
// screen first. each is called from several goroutines as results arrive;
// a tag that fails has Err set. Cancelling ctx stops what is still queued:
// those tags are not requested and not reported.
func (c *Client) Digests(ctx context.Context, repository string, tags []string, each func(domain.TagDigest)) error {
	repo, err := c.parseRepository(repository)
	if err != nil {
		return invalidReference("resolve digests", repository, err)
	}
	p, err := c.puller(ctx, repo.RegistryStr())
	if err != nil {
		return err
	}
	var g errgroup.Group
	g.SetLimit(max(c.digestConc, 1))
	for _, tag := range tags {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			desc, err := p.Head(ctx, repo.Tag(tag))
			if ctx.Err() != nil {
				return nil // cancelled: not a result
			}
			td := domain.TagDigest{Tag: tag}
			if err != nil {
				td.Err = c.classify("resolve "+tag, repo.RegistryStr(), err)
			} else {
				td.Digest = desc.Digest.String()
			}
			each(td)
			return nil
		})
	}
	_ = g.Wait()
	return ctx.Err()
}

// Describe reads a manifest and, for an image, its config, without pulling
// layers. For an index it lists the platforms.
func (c *Client) Describe(ctx context.Context, reference string) (domain.Details, error) {
	ref, err := c.parseReference(reference)
	if err != nil {
		return domain.Details{}, invalidReference("describe", reference, err)
	}
	host := ref.Context().RegistryStr()
	p, err := c.puller(ctx, host)
	if err != nil {
		return domain.Details{}, err
	}
	desc, err := p.Get(ctx, ref)
	if err != nil {
		return domain.Details{}, c.classify("describe "+ref.String(), host, err)
	}
	d := domain.Details{Reference: ref.String(), Digest: desc.Digest.String(), MediaType: string(desc.MediaType), Size: desc.Size}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return d, c.classify("describe "+ref.String(), host, err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return d, c.classify("describe "+ref.String(), host, err)
		}
		for _, m := range im.Manifests {
			pl := domain.Platform{Digest: m.Digest.String(), Size: m.Size}
			if m.Platform != nil {
				pl.OS, pl.Architecture, pl.Variant = m.Platform.OS, m.Platform.Architecture, m.Platform.Variant
			}
			d.Platforms = append(d.Platforms, pl)
		}
		return d, nil
	}
	img, err := desc.Image()
	if err != nil {
		return d, c.classify("describe "+ref.String(), host, err)
	}
	if err := fillImage(&d, img); err != nil {
		return d, c.classify("describe "+ref.String(), host, err)
	}
	return d, nil
}

func fillImage(d *domain.Details, img v1.Image) error {
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	d.Size += m.Config.Size
	for _, l := range m.Layers {
		d.Size += l.Size
		d.Layers = append(d.Layers, domain.Layer{Digest: l.Digest.String(), Size: l.Size, MediaType: string(l.MediaType)})
	}
	d.Created = cf.Created.Time
	d.OS, d.Arch = cf.OS, cf.Architecture
	d.Labels, d.Env = cf.Config.Labels, cf.Config.Env
	d.Entrypoint, d.Cmd = cf.Config.Entrypoint, cf.Config.Cmd
	for _, h := range cf.History {
		d.History = append(d.History, domain.HistoryEntry{CreatedBy: h.CreatedBy, EmptyLayer: h.EmptyLayer})
	}
	return nil
}
