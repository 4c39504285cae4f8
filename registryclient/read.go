package registryclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	wref "github.com/wharf-dev/wharf/internal/ref"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
)

// DefaultDigestConcurrency is how many HEAD requests Digests keeps in flight.
const DefaultDigestConcurrency = 16

// puller reads from one registry. It is made once per host and kept, so a
// repository's ping and token are paid once and reused by every later call
// (go-containerregistry keeps one authenticated transport per repository
// inside it). Requests take their context from each call.
func (r *reach) puller(_ context.Context, host string) (*remote.Puller, error) {
	return perHost(r.conns, r.conns.pullers, host, func() (*remote.Puller, error) {
		return remote.NewPuller(r.remoteOptions(context.Background(), host)...)
	})
}

// perHost returns what m keeps for host, making it on first use.
func perHost[T any](conns *connections, m map[string]T, host string, newValue func() (T, error)) (T, error) {
	key := config.NormalizeHost(host)
	conns.mu.Lock()
	defer conns.mu.Unlock()
	if v, ok := m[key]; ok {
		return v, nil
	}
	v, err := newValue()
	if err == nil {
		m[key] = v
	}
	return v, err
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
// those tags are not requested and not reported. Once the registry says its
// budget is low (a tenth left), requests go one at a time, WithPace apart.
func (c *Reads) Digests(ctx context.Context, repository string, tags []string, each func(domain.TagDigest)) error {
	repo, err := c.registries.parseRepository(repository)
	if err != nil {
		return invalidReference("resolve digests", repository, err)
	}
	p, err := c.net.puller(ctx, repo.RegistryStr())
	if err != nil {
		return err
	}
	var resolved sync.Map // tag → digest, for the cache
	defer func() {
		if c.cache == nil {
			return
		}
		m := map[string]string{}
		resolved.Range(func(k, v any) bool { m[k.(string)] = v.(string); return true })
		_ = c.cache.PutDigests(repo.String(), m)
	}()
	var g errgroup.Group
	g.SetLimit(max(c.digestConc, 1))
	now := time.Now()
	for _, tag := range tags {
		if ctx.Err() != nil {
			break
		}
		if d, ok := c.listed.digest(repo.String(), tag, now); ok && !asksEachDigest(ctx) {
			// The listing just said it: no request.
			each(domain.TagDigest{Tag: tag, Digest: d})
			continue
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			done, err := c.wait(ctx, repo.RegistryStr())
			if err != nil {
				return nil
			}
			desc, err := p.Head(ctx, repo.Tag(tag))
			done()
			if ctx.Err() != nil {
				return nil // cancelled: not a result
			}
			td := domain.TagDigest{Tag: tag}
			if err != nil {
				td.Err = c.net.classify("resolve "+tag, repo.RegistryStr(), err)
			} else {
				td.Digest = desc.Digest.String()
				resolved.Store(tag, td.Digest)
			}
			each(td)
			return nil
		})
	}
	_ = g.Wait()
	return ctx.Err()
}

// Resolve returns the digest a reference names now, with one HEAD request
// (no manifest or config is read).
func (c *Reads) Resolve(ctx context.Context, reference string) (string, error) {
	ref, err := c.registries.parseReference(reference)
	if err != nil {
		return "", invalidReference("resolve", reference, err)
	}
	host := ref.Context().RegistryStr()
	p, err := c.net.puller(ctx, host)
	if err != nil {
		return "", err
	}
	desc, err := p.Head(ctx, ref)
	if err != nil {
		return "", c.net.classify("resolve "+ref.String(), host, err)
	}
	return desc.Digest.String(), nil
}

// TagDigests lists a repository's tags and resolves each one's digest (see
// Digests); a tag that failed has Err set. The order is the order results
// came in.
func (c *Reads) TagDigests(ctx context.Context, repository string) ([]domain.TagDigest, error) {
	tds, _, err := c.TagDigestsWithin(ctx, repository, 0)
	return tds, err
}

// TagDigestsWithin is TagDigests for reading, not for deciding a change:
// the tag list is fetched, and a tag whose digest the cache fetched within
// maxAge is taken from the cache without a request (maxAge 0: every digest
// is fetched). It returns how many digests came from the cache.
func (c *Reads) TagDigestsWithin(ctx context.Context, repository string, maxAge time.Duration) ([]domain.TagDigest, int, error) {
	tags, err := c.Tags(ctx, repository)
	if err != nil {
		return nil, 0, err
	}
	out := make([]domain.TagDigest, 0, len(tags))
	stale := tags
	if snap, ok := c.fresh(repository, maxAge); ok {
		now := time.Now()
		stale = nil
		for _, t := range tags {
			if d := snap.FreshDigest(t, maxAge, now); d != "" {
				out = append(out, domain.TagDigest{Tag: t, Digest: d})
			} else {
				stale = append(stale, t)
			}
		}
	}
	cached := len(out)
	var mu sync.Mutex
	err = c.Digests(ctx, repository, stale, func(td domain.TagDigest) {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, td)
	})
	return out, cached, err
}

// fresh is the cache's snapshot of repository when digests younger than
// maxAge may be taken from it (never read for maxAge 0).
func (c *Reads) fresh(repository string, maxAge time.Duration) (RepoSnapshot, bool) {
	if maxAge <= 0 {
		return RepoSnapshot{}, false
	}
	return c.Known(repository)
}

// resolvedOnly is tds when every tag resolved. A change must not be
// decided on a partial picture: any failure is the error — a tag the list
// just named that answers "not found" too (a cache or proxy in front of the
// registry, an eventually consistent backend, or a tag deleted this very
// moment): taking it for "no such tag" could take a sibling for none and
// delete it with the manifest.
func resolvedOnly(tds []domain.TagDigest) ([]domain.TagDigest, error) {
	for _, td := range tds {
		if td.Err == nil {
			continue
		}
		if errors.Is(td.Err, ErrNotFound) {
			return nil, fmt.Errorf("tag %s was listed but does not resolve (%w); the registry's answers disagree, so nothing was changed: try again", td.Tag, td.Err)
		}
		return nil, td.Err
	}
	return tds, nil
}

// Describe reads a manifest and, for an image, its config, without pulling
// layers. For an index it lists the platforms. With a cache, a tag is
// resolved with a HEAD and manifests and configs already cached by digest
// are not fetched again.
func (c *Reads) Describe(ctx context.Context, reference string) (domain.Details, error) {
	ref, err := c.registries.parseReference(reference)
	if err != nil {
		return domain.Details{}, invalidReference("describe", reference, err)
	}
	host := ref.Context().RegistryStr()
	op := "describe " + ref.String()
	p, err := c.net.puller(ctx, host)
	if err != nil {
		return domain.Details{}, err
	}
	digest, manifest, err := c.manifest(ctx, p, ref)
	if err != nil {
		return domain.Details{}, c.net.classify(op, host, err)
	}
	d, err := describeBytes(ref.String(), digest, manifest, func(cfg string) ([]byte, error) {
		return c.blob(ctx, p, ref.Context().Digest(cfg))
	})
	if err != nil {
		return d, c.net.classify(op, host, err)
	}
	if n := c.tagNote(ctx, p, reference, digest); n != "" {
		d.Notes = append(d.Notes, n)
	}
	return d, nil
}

// tagNote says, for a reference given as name:tag@digest (where the digest
// decides what is read, as docker does), when the tag names something else
// by now.
func (c *Reads) tagNote(ctx context.Context, p *remote.Puller, reference, digest string) string {
	r, err := wref.Parse(reference)
	if err != nil || !r.Ambiguous() {
		return ""
	}
	tagged, err := r.WithTag(r.Tag())
	if err != nil {
		return ""
	}
	ref, err := c.registries.referenceOf(tagged)
	if err != nil {
		return ""
	}
	desc, err := p.Head(ctx, ref)
	switch {
	case err != nil && errors.Is(c.net.classify("resolve", ref.Context().RegistryStr(), err), ErrNotFound):
		return fmt.Sprintf("shown by its digest: the tag %s does not exist now", r.Tag())
	case err != nil:
		return fmt.Sprintf("shown by its digest: the tag %s could not be checked (%v)", r.Tag(), c.net.classify("resolve", ref.Context().RegistryStr(), err))
	case desc.Digest.String() != digest:
		return fmt.Sprintf("shown by its digest: the tag %s names another image now (%s)", r.Tag(), desc.Digest)
	}
	return ""
}

// manifest returns a reference's digest and manifest bytes. A tag is
// resolved with a HEAD (Docker Hub does not count it as a pull) and the
// manifest fetched by that digest, so its bytes are checked against the
// digest the registry named; with a cache, a manifest already there is not
// fetched again.
func (c *Reads) manifest(ctx context.Context, p *remote.Puller, ref name.Reference) (string, []byte, error) {
	digest := ref.Identifier()
	if _, isTag := ref.(name.Tag); isTag {
		desc, err := p.Head(ctx, ref)
		if err != nil {
			return "", nil, err
		}
		digest = desc.Digest.String()
		if c.cache != nil {
			_ = c.cache.PutDigests(ref.Context().String(), map[string]string{ref.Identifier(): digest})
		}
	}
	if c.cache != nil {
		if b, ok := c.cache.GetBlob(digest); ok {
			return digest, b, nil
		}
	}
	desc, err := p.Get(ctx, ref.Context().Digest(digest))
	if err != nil {
		return "", nil, err
	}
	if c.cache != nil {
		_ = c.cache.PutBlob(digest, desc.Manifest)
	}
	return digest, desc.Manifest, nil
}

// blob reads a small blob (a config), from the cache when it has it.
func (c *Reads) blob(ctx context.Context, p *remote.Puller, d name.Digest) ([]byte, error) {
	if c.cache != nil {
		if b, ok := c.cache.GetBlob(d.DigestStr()); ok {
			return b, nil
		}
	}
	layer, err := p.Layer(ctx, d)
	if err != nil {
		return nil, err
	}
	rc, err := layer.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 16<<20))
	if err != nil {
		return nil, err
	}
	if got := sha256Digest(b); got != d.DigestStr() {
		return nil, fmt.Errorf("config digest: %s does not match %s", got, d.DigestStr())
	}
	if c.cache != nil {
		_ = c.cache.PutBlob(d.DigestStr(), b)
	}
	return b, nil
}

// describeBytes builds Details from a manifest's bytes; config fetches an
// image's config blob.
func describeBytes(reference, digest string, manifest []byte, config func(digest string) ([]byte, error)) (domain.Details, error) {
	var probe struct {
		MediaType types.MediaType `json:"mediaType"`
		Manifests []any           `json:"manifests"`
	}
	if err := json.Unmarshal(manifest, &probe); err != nil {
		return domain.Details{}, fmt.Errorf("reading manifest: %w", err)
	}
	d := domain.Details{Reference: reference, Digest: digest, MediaType: string(probe.MediaType), Size: int64(len(manifest))}
	if probe.MediaType.IsIndex() || probe.MediaType == "" && probe.Manifests != nil {
		im, err := v1.ParseIndexManifest(bytes.NewReader(manifest))
		if err != nil {
			return d, err
		}
		d.Annotations = im.Annotations
		for _, m := range im.Manifests {
			pl := domain.Platform{Digest: m.Digest.String(), Size: m.Size}
			if m.Platform != nil {
				pl.OS, pl.Architecture, pl.Variant = m.Platform.OS, m.Platform.Architecture, m.Platform.Variant
			}
			d.Platforms = append(d.Platforms, pl)
		}
		return d, nil
	}
	m, err := v1.ParseManifest(bytes.NewReader(manifest))
	if err != nil {
		return d, err
	}
	if at := artifactType(m); at != "" {
		// Not an image: no config to read as one, no created time or
		// platform; the layers are its files.
		fillArtifact(&d, m, at)
		return d, nil
	}
	cfgBytes, err := config(m.Config.Digest.String())
	if err != nil {
		return d, fmt.Errorf("reading config: %w", err)
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(cfgBytes))
	if err != nil {
		return d, fmt.Errorf("reading config: %w", err)
	}
	fillImage(&d, m, cf)
	return d, nil
}

// artifactType is what a manifest is when it is not a container image:
// its artifactType; else a config that is not an image config (by its
// media type; the empty config says nothing, its first layer does); else
// layers none of which is a filesystem layer (a cosign signature). "" for
// an image.
func artifactType(m *v1.Manifest) string {
	firstLayer := func() string {
		if len(m.Layers) > 0 {
			return string(m.Layers[0].MediaType)
		}
		return string(m.Config.MediaType)
	}
	switch {
	case m.ArtifactType != "":
		return m.ArtifactType
	case m.Config.MediaType == types.OCIEmptyJSON:
		return firstLayer()
	case !m.Config.MediaType.IsConfig():
		return string(m.Config.MediaType)
	}
	for _, l := range m.Layers {
		if l.MediaType.IsLayer() {
			return ""
		}
	}
	if len(m.Layers) == 0 {
		return ""
	}
	return firstLayer()
}

func fillArtifact(d *domain.Details, m *v1.Manifest, artifactType string) {
	d.ArtifactType = artifactType
	d.Annotations = m.Annotations
	d.Size += m.Config.Size
	if m.Subject != nil {
		d.Subject = m.Subject.Digest.String()
	}
	for _, l := range m.Layers {
		d.Size += l.Size
		d.Layers = append(d.Layers, domain.Layer{Digest: l.Digest.String(), Size: l.Size, MediaType: string(l.MediaType), Title: l.Annotations["org.opencontainers.image.title"]})
	}
}

func fillImage(d *domain.Details, m *v1.Manifest, cf *v1.ConfigFile) {
	d.Annotations = m.Annotations
	d.Size += m.Config.Size
	for _, l := range m.Layers {
		d.Size += l.Size
		d.Layers = append(d.Layers, domain.Layer{Digest: l.Digest.String(), Size: l.Size, MediaType: string(l.MediaType)})
	}
	d.Created = cf.Created.Time
	d.ConfigDigest = m.Config.Digest.String()
	for _, id := range cf.RootFS.DiffIDs {
		d.DiffIDs = append(d.DiffIDs, id.String())
	}
	d.User, d.WorkingDir = cf.Config.User, cf.Config.WorkingDir
	d.ExposedPorts = slices.Sorted(maps.Keys(cf.Config.ExposedPorts))
	d.Volumes = slices.Sorted(maps.Keys(cf.Config.Volumes))
	d.OS, d.Arch = cf.OS, cf.Architecture
	d.Labels, d.Env = cf.Config.Labels, cf.Config.Env
	d.Entrypoint, d.Cmd = cf.Config.Entrypoint, cf.Config.Cmd
	for _, h := range cf.History {
		d.History = append(d.History, domain.HistoryEntry{CreatedBy: h.CreatedBy, EmptyLayer: h.EmptyLayer})
	}
}

// Known is what the cache knows of a repository, without the network: its
// tags and their digests, with when each was fetched.
func (c *Reads) Known(repository string) (RepoSnapshot, bool) {
	if c.cache == nil {
		return RepoSnapshot{}, false
	}
	repo, err := c.registries.parseRepository(repository)
	if err != nil {
		return RepoSnapshot{}, false
	}
	return c.cache.Repo(repo.String())
}

// CachedDescribe describes a reference from the cache alone (a tag through
// its last known digest); ok is false when something is missing.
func (c *Reads) CachedDescribe(reference string) (domain.Details, bool) {
	if c.cache == nil {
		return domain.Details{}, false
	}
	ref, err := c.registries.parseReference(reference)
	if err != nil {
		return domain.Details{}, false
	}
	digest := ref.Identifier()
	if _, isTag := ref.(name.Tag); isTag {
		snap, ok := c.cache.Repo(ref.Context().String())
		if !ok || snap.Digests[ref.Identifier()] == "" {
			return domain.Details{}, false
		}
		digest = snap.Digests[ref.Identifier()]
	}
	manifest, ok := c.cache.GetBlob(digest)
	if !ok {
		return domain.Details{}, false
	}
	d, err := describeBytes(ref.String(), digest, manifest, func(cfg string) ([]byte, error) {
		b, ok := c.cache.GetBlob(cfg)
		if !ok {
			return nil, errors.New("config not cached")
		}
		return b, nil
	})
	return d, err == nil
}

// PlatformImages describes each platform's image of an index (its size and
// layers, and the layers it shares with the other platforms), a few at a
// time; an image that is not an index is ErrUnsupported.
func (c *Reads) PlatformImages(ctx context.Context, reference string) ([]domain.PlatformImage, error) {
	idx, err := c.Describe(ctx, reference)
	if err != nil {
		return nil, err
	}
	if !idx.IsIndex() {
		return nil, &Error{Op: "list platforms", Registry: reference, Kind: ErrUnsupported, Detail: "not an index: it is one image for one platform"}
	}
	repo := idx.Reference
	if r, err := c.registries.parseReference(idx.Reference); err == nil {
		repo = r.Context().String()
	}
	out := make([]domain.PlatformImage, len(idx.Platforms))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, p := range idx.Platforms {
		g.Go(func() error {
			d, err := c.Describe(gctx, repo+"@"+p.Digest)
			if err != nil {
				return err
			}
			out[i] = domain.PlatformImage{Platform: p, Size: d.Size, Layers: d.Layers}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	domain.ShareLayers(out)
	return out, nil
}
