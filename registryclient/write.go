package registryclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	wref "github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/registryclient/provider"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"

	"github.com/wharf-dev/wharf/internal/domain"
)

// copyConcurrency is how many blobs a copy moves at once.
const copyConcurrency = 4

// ErrNoJournal refuses a change asked of a client made without a journal:
// wharf changes nothing it could not undo.
var ErrNoJournal = errors.New("no journal: wharf changes registries only when it can record how to undo the change")

// Journal is where the client records each change before making it, and
// its outcome after (internal/journal is the one wharf uses).
type Journal interface {
	// Record writes e durably and returns it with its ID and time.
	Record(e domain.JournalEntry) (domain.JournalEntry, error)
	// MarkUndone notes that entry id was undone.
	MarkUndone(id int) error
	// MarkRefused notes that entry id's change changed nothing (the
	// registry refused it, or it failed and was read back unchanged).
	MarkRefused(id int, why error) error
	// MarkDone notes that entry id's change was made and read back, and
	// the digest it left its tags at.
	MarkDone(id int, after string) error
	// MarkUnknown notes that entry id's change failed and reading back
	// did not tell what the registry holds.
	MarkUnknown(id int, why error) error
	// MarkPlaceholder notes the placeholder digest a delete is about to
	// point its tag at.
	MarkPlaceholder(id int, digest string) error
	// Lock takes the lock of a repository among wharf processes.
	Lock(ctx context.Context, repository string) (unlock func(), err error)
}

// WithJournal sets where changes are recorded before they are made. Without
// one, Retag, Copy, DeleteTag and DeleteDigest refuse to run.
func WithJournal(j Journal) Option { return func(c *Client) { c.journal = j } }

// Journaled reports whether the client has a journal, and so may change
// registries.
func (c *Changes) Journaled() bool { return c.journal != nil }

// pusher writes to one registry; like puller, one per host, kept.
func (r *reach) pusher(host string) (*remote.Pusher, error) {
	return perHost(r.conns, r.conns.pushers, host, func() (*remote.Pusher, error) {
		return remote.NewPusher(r.remoteOptions(context.Background(), host)...)
	})
}

// entryManifest is the manifest a journal entry recorded, to put back as
// it was.
func entryManifest(e domain.JournalEntry) provider.RawManifest {
	return provider.RawManifest{Bytes: e.Manifest, Type: types.MediaType(e.MediaType)}
}
func notFound(err error) bool { return errors.Is(Classify("", "", err), ErrNotFound) }
func (c *Changes) remember(repo name.Repository, tag, digest string) {
	if c.cache != nil {
		_ = c.cache.PutDigests(repo.String(), map[string]string{tag: digest})
	}
}

// current is what tag points at now; nil when the tag does not exist.
func (c *Changes) current(ctx context.Context, tag name.Tag) (*remote.Descriptor, error) {
	p, err := c.net.puller(ctx, tag.RegistryStr())
	if err != nil {
		return nil, err
	}
	d, err := c.get(ctx, p, tag)
	if notFound(err) {
		return nil, nil
	}
	return d, err
}

// get reads a manifest whose bytes are checked against their digest: a
// tag is resolved with a HEAD and the manifest fetched by that digest
// (go-containerregistry checks a digest it was asked for; a tag's bytes it
// takes as they come). A manifest cut or changed on its way is refused, so
// wharf never writes it elsewhere or journals it.
func (c *Changes) get(ctx context.Context, p *remote.Puller, ref name.Reference) (*remote.Descriptor, error) {
	if _, isTag := ref.(name.Tag); isTag {
		h, err := p.Head(ctx, ref)
		if err != nil {
			return nil, err
		}
		ref = ref.Context().Digest(h.Digest.String())
	}
	return p.Get(ctx, ref)
}

// digestNow is the digest tag points at now, with a HEAD; "" when the tag
// does not exist. Checks that need no manifest bytes use it rather than
// current (a GET, which Docker Hub counts as a pull).
func (c *Changes) digestNow(ctx context.Context, tag name.Tag) (string, error) {
	p, err := c.net.puller(ctx, tag.RegistryStr())
	if err != nil {
		return "", err
	}
	d, err := p.Head(ctx, tag)
	switch {
	case notFound(err):
		return "", nil
	case err != nil:
		return "", err
	}
	return d.Digest.String(), nil
}

// guardOverwrite refuses to move tag from the digest it points at now
// ("" for none) to incoming unless ow allows moving it off that digest.
func guardOverwrite(tag name.Tag, existing, incoming string, ow domain.Overwrite) error {
	if existing == "" || existing == incoming || ow.Allows(existing) {
		return nil
	}
	return &domain.OverwriteError{Reference: tag.String(), Existing: existing, Incoming: incoming}
}

// entryFor is the journal entry for moving tag off before (nil: the tag is
// new) onto after ("" for a delete).
func entryFor(op domain.JournalOp, tag name.Tag, before *remote.Descriptor, after string) domain.JournalEntry {
	e := domain.JournalEntry{Op: op, Repository: tag.Context().String(), Tags: []string{tag.TagStr()}, After: after}
	if before != nil {
		e.Digest, e.MediaType, e.Manifest = before.Digest.String(), string(before.MediaType), before.Manifest
	}
	return e
}

// prepare gets ready to change host: a pusher, then the journal entry
// written, in that order, so nothing is journaled that cannot be tried.
func (c *Changes) prepare(ctx context.Context, host string, e domain.JournalEntry) (domain.JournalEntry, *remote.Pusher, error) {
	w, err := c.net.pusher(host)
	if err != nil {
		return e, nil, err
	}
	e, err = c.record(ctx, e)
	return e, w, err
}

type batchKey struct{}

// WithBatch makes the changes made with ctx one batch in the journal
// (NewBatch names one): one undo puts all of it back.
func WithBatch(ctx context.Context, batch string) context.Context {
	return context.WithValue(ctx, batchKey{}, batch)
}

// NewBatch names a new batch of changes.
func NewBatch() string {
	return fmt.Sprintf("%d-%d", time.Now().UnixNano(), os.Getpid())
}

// record writes e to the journal, then gives tests the chance to stop as
// if wharf crashed before making the change.
func (c *Changes) record(ctx context.Context, e domain.JournalEntry) (domain.JournalEntry, error) {
	if c.journal == nil {
		return e, ErrNoJournal
	}
	if b, ok := ctx.Value(batchKey{}).(string); ok {
		e.Batch = b
	}
	e, err := c.journal.Record(e)
	if err != nil {
		return e, err
	}
	if c.afterJournal != nil {
		if err := c.afterJournal(e); err != nil {
			return e, err
		}
	}
	return e, nil
}

// lock takes repo's lock among wharf processes for a change's read, check
// and write.
func (c *Changes) lock(ctx context.Context, repo name.Repository) (func(), error) {
	if c.journal == nil {
		return nil, ErrNoJournal
	}
	unlock, err := c.journal.Lock(ctx, repo.String())
	if err != nil {
		return nil, err
	}
	// What a listing said of the repository before the change is not
	// what it holds after it.
	return func() { c.listed.forget(repo.String()); unlock() }, nil
}

// settle journals what a failed change did, by reading the registry back:
// a refusal (a 4xx) changed nothing; after anything else — a 500, a
// timeout, a dropped connection — read says what the tags hold now and
// done whether that is the change made (the change is then done after
// all: settle returns nil), the state before (nothing changed), or neither
// (the outcome is journaled unknown, and err says so and how to undo).
func (c *Changes) settle(ctx context.Context, entry domain.JournalEntry, err error, read func(context.Context) (made, unchanged bool, what string, rerr error)) error {
	var e *Error
	if errors.As(err, &e) && e.Status >= 400 && e.Status < 500 && !errors.Is(err, errTagMoved) {
		_ = c.journal.MarkRefused(entry.ID, err)
		return err
	}
	// Read back even when the change was cancelled or timed out.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	made, unchanged, what, rerr := read(rctx)
	switch {
	case rerr != nil:
		_ = c.journal.MarkUnknown(entry.ID, fmt.Errorf("%w; reading back failed too: %w", err, rerr))
		return fmt.Errorf("%w (could not read the registry back, so the journal marks the outcome unknown: `wharf undo %d` puts back what it recorded)", err, entry.ID)
	case made:
		_ = c.journal.MarkDone(entry.ID, entry.After)
		return nil
	case unchanged:
		_ = c.journal.MarkRefused(entry.ID, fmt.Errorf("%w; read back: %s, nothing changed", err, what))
		return err
	}
	_ = c.journal.MarkUnknown(entry.ID, fmt.Errorf("%w; read back: %s", err, what))
	return fmt.Errorf("%w (read back: %s; `wharf undo %d` puts back what the journal recorded)", err, what, entry.ID)
}

// Retag puts the manifest (image or index) that source names under newTag in
// the same repository, without moving blobs. A newTag that points at another
// digest is left alone with an *domain.OverwriteError unless ow allows
// moving it off that digest; what it pointed at is journaled first either
// way.
func (c *Changes) Retag(ctx context.Context, source, newTag string, ow domain.Overwrite) (domain.WriteResult, error) {
	ref, err := c.registries.unambiguous(source)
	if err != nil {
		return domain.WriteResult{}, invalidReference("retag", source, err)
	}
	if err := wref.CheckTag(newTag); err != nil {
		return domain.WriteResult{}, invalidReference("retag", newTag, err)
	}
	target := ref.Context().Tag(newTag)
	if c.journal == nil {
		return domain.WriteResult{}, ErrNoJournal
	}
	host := ref.Context().RegistryStr()
	op := fmt.Sprintf("retag %s as %s", ref, newTag)
	p, err := c.net.puller(ctx, host)
	if err != nil {
		return domain.WriteResult{}, err
	}
	src, err := c.get(ctx, p, ref)
	if err != nil {
		return domain.WriteResult{}, c.net.classify(op, host, err)
	}
	return c.putTag(ctx, op, domain.OpRetag, target, src, ow, domain.WriteResult{})
}

// putTag points target at src's manifest, guarded and journaled.
func (c *Changes) putTag(ctx context.Context, op string, jop domain.JournalOp, target name.Tag, src *remote.Descriptor, ow domain.Overwrite, res domain.WriteResult) (domain.WriteResult, error) {
	unlock, err := c.lock(ctx, target.Context())
	if err != nil {
		return res, err
	}
	defer unlock()
	host := target.RegistryStr()
	digest := src.Digest.String()
	res.Reference, res.Digest = target.String(), digest
	// A GET, not a HEAD: what the tag holds now goes into the journal.
	existing, err := c.current(ctx, target)
	if err != nil {
		return res, c.net.classify(op, host, err)
	}
	now := ""
	if existing != nil {
		now = existing.Digest.String()
	}
	if now == digest {
		res.Unchanged = true
		return res, nil
	}
	// What the registry will refuse is said first: no overwrite question
	// for a tag it will not move anyway.
	prov := c.Provider(host)
	if err := prov.Guard(ctx, TagWrite{Op: op, Tag: target, Exists: existing != nil}); err != nil {
		return res, err
	}
	if err := guardOverwrite(target, now, digest, ow); err != nil {
		return res, err
	}
	res.Replaced = now
	entry, w, err := c.prepare(ctx, host, entryFor(jop, target, existing, digest))
	if err != nil {
		return res, err
	}
	res.JournalID = entry.ID
	if err := prov.PutTag(ctx, w, target, provider.ManifestOf(src)); err != nil {
		err = c.settle(ctx, entry, c.net.classify(op, host, err), func(ctx context.Context) (bool, bool, string, error) {
			got, rerr := c.digestNow(ctx, target)
			return got == digest, got == now, "the tag names " + orNone(got), rerr
		})
		if err != nil {
			return res, err
		}
	} else {
		_ = c.journal.MarkDone(entry.ID, digest)
	}
	c.remember(target.Context(), target.TagStr(), digest)
	return res, nil
}

// orNone is a digest for people, "no image" when there is none.
func orNone(d string) string {
	if d == "" {
		return "no image (the tag does not exist)"
	}
	return domain.ShortDigest(d)
}

// CopyOptions tune a copy.
type CopyOptions struct {
	// Overwrite lets the copy move a destination tag that points at another
	// digest (any, or only the one the user was shown).
	Overwrite domain.Overwrite
	// Progress is called as blobs complete, one call at a time.
	Progress func(domain.CopyProgress)
}

// Copy copies an image or a whole multi-arch index from source to
// destination (another repository, on the same registry or another one)
// without the local engine. dest may omit the tag: source's tag is kept.
// Blobs the destination has are skipped, blobs in another repository of the
// same registry are mounted, and the destination tag is written last: a copy
// cancelled through ctx or failed halfway leaves it as it was.
func (c *Changes) Copy(ctx context.Context, source, dest string, opts CopyOptions) (domain.WriteResult, error) {
	ref, err := c.registries.unambiguous(source)
	if err != nil {
		return domain.WriteResult{}, invalidReference("copy", source, err)
	}
	target, err := c.copyTarget(ref, dest)
	if err != nil {
		return domain.WriteResult{}, invalidReference("copy", dest, err)
	}
	if c.journal == nil {
		return domain.WriteResult{}, ErrNoJournal
	}
	op := fmt.Sprintf("copy %s to %s", ref, target)
	srcHost, dstHost := ref.Context().RegistryStr(), target.RegistryStr()
	p, err := c.net.puller(ctx, srcHost)
	if err != nil {
		return domain.WriteResult{}, err
	}
	src, err := c.get(ctx, p, ref)
	if err != nil {
		return domain.WriteResult{}, c.net.classify(op, srcHost, err)
	}
	// Refuse before moving any blob; putTag checks again before the tag moves.
	existing, err := c.digestNow(ctx, target)
	if err != nil {
		return domain.WriteResult{}, c.net.classify(op, dstHost, err)
	}
	if err := guardOverwrite(target, existing, src.Digest.String(), opts.Overwrite); err != nil {
		return domain.WriteResult{}, err
	}
	plan := &copyPlan{seen: map[v1.Hash]bool{}}
	if err := plan.walk(ctx, p, ref.Context(), src); err != nil {
		return domain.WriteResult{}, c.net.classify(op, srcHost, err)
	}
	w, err := c.net.pusher(dstHost)
	if err != nil {
		return domain.WriteResult{}, err
	}
	transferred, err := plan.upload(ctx, w, target.Context(), opts.Progress)
	if err != nil {
		return domain.WriteResult{}, c.net.classify(op, dstHost, err)
	}
	for _, child := range plan.children {
		if err := w.Put(ctx, target.Context().Digest(child.Digest.String()), provider.ManifestOf(child)); err != nil {
			return domain.WriteResult{}, c.net.classify(op, dstHost, err)
		}
	}
	res := domain.WriteResult{Blobs: len(plan.blobs), Bytes: plan.bytes, Transferred: transferred}
	return c.putTag(ctx, op, domain.OpCopy, target, src, opts.Overwrite, res)
}

// copyTarget is dest as a tag; without one it takes the source's tag.
func (c *Changes) copyTarget(src name.Reference, dest string) (name.Tag, error) {
	repo, err := c.registries.parseRepository(dest)
	if err == nil {
		tag := "latest"
		if t, ok := src.(name.Tag); ok {
			tag = t.TagStr()
		}
		return repo.Tag(tag), nil
	}
	r, err := c.registries.unambiguous(dest)
	if err != nil {
		return name.Tag{}, err
	}
	t, ok := r.(name.Tag)
	if !ok {
		return name.Tag{}, fmt.Errorf("%s names a digest; copy to a tag or a repository", dest)
	}
	return t, nil
}

// copyPlan is what a copy has to move: every blob once, and the child
// manifests of an index (children before parents).
type copyPlan struct {
	seen     map[v1.Hash]bool
	blobs    []v1.Layer
	bytes    int64
	children []*remote.Descriptor
}

func (cp *copyPlan) walk(ctx context.Context, p *remote.Puller, repo name.Repository, d *remote.Descriptor) error {
	if d.MediaType.IsIndex() {
		idx, err := d.ImageIndex()
		if err != nil {
			return err
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return err
		}
		for _, m := range im.Manifests {
			child, err := p.Get(ctx, repo.Digest(m.Digest.String()))
			if err != nil {
				return err
			}
			if err := cp.walk(ctx, p, repo, child); err != nil {
				return err
			}
			cp.children = append(cp.children, child)
		}
		return nil
	}
	if !d.MediaType.IsImage() {
		return fmt.Errorf("cannot copy %s: media type %q is neither an image nor an index", d.Digest, d.MediaType)
	}
	img, err := d.Image()
	if err != nil {
		return err
	}
	cfg, err := partial.ConfigLayer(img)
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range append([]v1.Layer{cfg}, layers...) {
		h, err := l.Digest()
		if err != nil {
			return err
		}
		mt, err := l.MediaType()
		if err != nil {
			return err
		}
		if cp.seen[h] || !mt.IsDistributable() {
			continue
		}
		size, err := l.Size()
		if err != nil {
			return err
		}
		cp.seen[h] = true
		cp.blobs = append(cp.blobs, l)
		cp.bytes += size
	}
	return nil
}

// upload sends the plan's blobs to repo a few at a time and returns how many
// bytes were actually sent (blobs already there or mounted send none).
func (cp *copyPlan) upload(ctx context.Context, w *remote.Pusher, repo name.Repository, progress func(domain.CopyProgress)) (int64, error) {
	var mu sync.Mutex
	state := domain.CopyProgress{BlobsTotal: len(cp.blobs), BytesTotal: cp.bytes}
	report := func(blobs int, bytes int64) {
		mu.Lock()
		defer mu.Unlock()
		state.BlobsDone += blobs
		state.BytesDone += bytes
		if progress != nil {
			progress(state)
		}
	}
	report(0, 0)
	var sent atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(copyConcurrency)
	for _, l := range cp.blobs {
		g.Go(func() error {
			counted := countLayer(l, func(n int64) { sent.Add(n); report(0, n) })
			if err := w.Upload(gctx, repo, counted.layer); err != nil {
				return err
			}
			size, _ := l.Size()
			// A blob skipped or mounted was never read: count it now.
			report(1, max(0, size-counted.read.Load()))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return sent.Load(), err
	}
	return sent.Load(), ctx.Err()
}

// counted is a layer whose compressed bytes are counted as they are read.
type counted struct {
	layer v1.Layer
	read  *atomic.Int64
}

// countLayer wraps l so reads are counted, keeping it mountable: a
// MountableLayer stays one, so the pusher still mounts it across
// repositories.
func countLayer(l v1.Layer, add func(int64)) counted {
	read := &atomic.Int64{}
	inner := l
	ml, mountable := l.(*remote.MountableLayer)
	if mountable {
		inner = ml.Layer
	}
	var wrapped v1.Layer = &countingLayer{Layer: inner, add: func(n int64) { read.Add(n); add(n) }}
	if mountable {
		wrapped = &remote.MountableLayer{Layer: wrapped, Reference: ml.Reference}
	}
	return counted{layer: wrapped, read: read}
}

type countingLayer struct {
	v1.Layer
	add func(int64)
}

func (l *countingLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, err
	}
	return &countingReader{ReadCloser: rc, add: l.add}, nil
}

type countingReader struct {
	io.ReadCloser
	add func(int64)
}

func (r *countingReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	if n > 0 {
		r.add(int64(n))
	}
	return n, err
}

// PushEntry is a push journaled before something outside the client — the
// engine — makes it.
type PushEntry struct {
	// ID is the journal entry.
	ID int
	// Before is the digest the tag named when it was journaled ("" for a
	// tag that did not exist): what the push replaces.
	Before string
	// Done records how the push ended: the digest it left the tag at, or
	// its error (the entry is then marked as changing nothing).
	Done func(after string, pushErr error)
	// Abandon records that the push was not made after all (why), and
	// frees the repository's lock; call it instead of Done.
	Abandon func(why error)
}

// JournalPush journals what reference (a tag) names now, before the engine
// pushes over it, so Undo can put it back (or delete a tag the push
// created). Call Done on the entry when the push ended. Until then, Undo
// refuses to move the tag without overwrite.
func (c *Changes) JournalPush(ctx context.Context, reference string) (PushEntry, error) {
	tag, err := parseChange[name.Tag](c.core, "journal a push", reference, "a push names a tag")
	if err != nil {
		return PushEntry{}, err
	}
	host := tag.RegistryStr()
	op := "read " + tag.String() + " before the push"
	// The repository's lock is held until the push ends (Done).
	unlock, err := c.lock(ctx, tag.Context())
	if err != nil {
		return PushEntry{}, err
	}
	// A HEAD first: the manifest is read (a GET, a pull on Docker Hub) only
	// when there is one to put back.
	now, err := c.digestNow(ctx, tag)
	if err != nil {
		unlock()
		return PushEntry{}, c.net.classify(op, host, err)
	}
	var cur *remote.Descriptor
	if now != "" {
		if cur, err = c.current(ctx, tag); err != nil {
			unlock()
			return PushEntry{}, c.net.classify(op, host, err)
		}
	}
	entry, err := c.record(ctx, entryFor(domain.OpPush, tag, cur, ""))
	if err != nil {
		unlock()
		return PushEntry{}, err
	}
	if cur != nil {
		// What is journaled is what the push replaces.
		now = cur.Digest.String()
	}
	// Done or Abandon, once: either frees the lock.
	var once sync.Once
	abandon := func(why error) {
		once.Do(func() {
			defer unlock()
			_ = c.journal.MarkRefused(entry.ID, why)
		})
	}
	done := func(after string, pushErr error) {
		defer unlock()
		if pushErr != nil {
			// The engine's push failed: read the tag back to know whether
			// anything changed.
			_ = c.settle(ctx, entry, pushErr, func(ctx context.Context) (bool, bool, string, error) {
				got, rerr := c.digestNow(ctx, tag)
				return false, got == now, "the tag names " + orNone(got), rerr
			})
			return
		}
		c.remember(tag.Context(), tag.TagStr(), after)
		_ = c.journal.MarkDone(entry.ID, after)
	}
	return PushEntry{
		ID: entry.ID, Before: now, Abandon: abandon,
		Done: func(after string, pushErr error) { once.Do(func() { done(after, pushErr) }) },
	}, nil
}
