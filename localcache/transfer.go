package localcache

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wharf-dev/wharf/internal/deadline"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
)

// Auth is what a registry login left: a user and password, or tokens.
type Auth struct {
	Username, Password, IdentityToken, RegistryToken string
}

// AuthFunc returns the credentials for a registry host; the zero Auth is
// anonymous. wharf passes one backed by the docker config (registryclient).
type AuthFunc func(ctx context.Context, host string) (Auth, error)

// Option configures a Cache.
type Option func(*Cache)

// WithAuth sets where push and pull get registry credentials.
func WithAuth(f AuthFunc) Option { return func(c *Cache) { c.auth = f } }

// registryAuth encodes the X-Registry-Auth header the engine expects.
func (c *Cache) registryAuth(ctx context.Context, ref string) (string, error) {
	host := registryHost(ref)
	var a Auth
	if c.auth != nil {
		var err error
		if a, err = c.auth(ctx, host); err != nil {
			return "", fmt.Errorf("credentials for %s: %w", host, err)
		}
	}
	b, err := json.Marshal(map[string]string{
		"username": a.Username, "password": a.Password, "serveraddress": host,
		"identitytoken": a.IdentityToken, "registrytoken": a.RegistryToken,
	})
	if err != nil {
		return "", err
	}
	return base64.URLEncoding.EncodeToString(b), nil
}

// Phase is where one layer (or the whole transfer) is.
type Phase string

// The phases the engine reports for push and pull.
const (
	PhasePreparing    Phase = "preparing"
	PhaseWaiting      Phase = "waiting"
	PhasePushing      Phase = "pushing"
	PhasePushed       Phase = "pushed"
	PhaseExists       Phase = "already exists"
	PhaseMounted      Phase = "mounted"
	PhaseDownloading  Phase = "downloading"
	PhaseVerifying    Phase = "verifying"
	PhaseDownloaded   Phase = "download complete"
	PhaseExtracting   Phase = "extracting"
	PhasePullComplete Phase = "pull complete"
	PhaseDigest       Phase = "digest"
	PhaseStatus       Phase = "status"
	// PhaseRetrying: the engine failed a layer and will try again (it does
	// so for several rounds, e.g. when a token server refuses a push scope).
	PhaseRetrying      Phase = "retrying"
	PhaseLayerPrepared Phase = "pulling fs layer"
)

// Progress is one event of a push or pull.
type Progress struct {
	// Layer is the short layer ID; empty for events about the whole image.
	Layer  string
	Phase  Phase
	Status string // the engine's words
	// Current and Total are bytes, while pushing, downloading or extracting.
	Current, Total int64
	// MountedFrom is the repository a layer was mounted from.
	MountedFrom string
	// Digest is the manifest digest, on the PhaseDigest event.
	Digest string
}

var (
	rePushDigest = regexp.MustCompile(`digest: (sha256:[0-9a-f]{64}) size: \d+`)
	rePullDigest = regexp.MustCompile(`^Digest: (sha256:[0-9a-f]{64})`)
	reMounted    = regexp.MustCompile(`^Mounted from (.+)$`)
)

// parseProgress turns one engine JSON message into a Progress.
func parseProgress(m jsonstream.Message) Progress {
	p := Progress{Layer: m.ID, Status: m.Status}
	if m.Progress != nil {
		p.Current, p.Total = m.Progress.Current, m.Progress.Total
	}
	switch s := m.Status; {
	case rePushDigest.MatchString(s):
		p.Phase, p.Digest, p.Layer = PhaseDigest, rePushDigest.FindStringSubmatch(s)[1], ""
	case rePullDigest.MatchString(s):
		p.Phase, p.Digest = PhaseDigest, rePullDigest.FindStringSubmatch(s)[1]
	case strings.HasPrefix(s, "Retrying in "):
		p.Phase = PhaseRetrying
	case reMounted.MatchString(s):
		p.Phase, p.MountedFrom = PhaseMounted, reMounted.FindStringSubmatch(s)[1]
	default:
		p.Phase = map[string]Phase{
			"Preparing": PhasePreparing, "Waiting": PhaseWaiting, "Pushing": PhasePushing,
			"Pushed": PhasePushed, "Layer already exists": PhaseExists, "Already exists": PhaseExists,
			"Pulling fs layer": PhaseLayerPrepared, "Downloading": PhaseDownloading,
			"Verifying Checksum": PhaseVerifying, "Download complete": PhaseDownloaded,
			"Extracting": PhaseExtracting, "Pull complete": PhasePullComplete,
		}[s]
		if p.Phase == "" {
			p.Phase = PhaseStatus
		}
	}
	return p
}

// Moved reports whether p says the transfer moved (bytes sent or
// received, a layer done): what counts as progress for the operation's
// deadline, unlike waiting, retrying or a status line.
func (p Progress) Moved() bool {
	switch p.Phase {
	case PhasePushing, PhasePushed, PhaseExists, PhaseMounted, PhaseDownloading, PhaseDownloaded,
		PhaseVerifying, PhaseExtracting, PhasePullComplete, PhaseDigest:
		return true
	}
	return false
}

// DefaultStallTimeout is how long a push or pull may go without progress
// (bytes moved, a layer done) before wharf gives up on it (a registry that stopped
// answering mid-transfer would otherwise hold it forever).
const DefaultStallTimeout = 2 * time.Minute

// WithStallTimeout sets how long a push or pull may go without progress.
func WithStallTimeout(d time.Duration) Option { return func(c *Cache) { c.stall = d } }

// errStalled ends a transfer that went silent.
var errStalled = errors.New("stalled")

// watchdog is a context that ends when the transfer it guards has gone
// c.stall without progress; alive says it moved.
func (c *Cache) watchdog(ctx context.Context) (wctx context.Context, alive func(), stop func()) {
	stall := c.stall
	if stall <= 0 {
		stall = DefaultStallTimeout
	}
	wctx, cancel := context.WithCancelCause(ctx)
	t := time.AfterFunc(stall, func() { cancel(errStalled) })
	return wctx, func() { t.Reset(stall) }, func() { t.Stop(); cancel(nil) }
}

// follow reads an engine message stream to its end, reporting progress and
// returning the manifest digest, or the stream's error. A stream that goes
// silent for the stall timeout ends with ErrStalled.
func (c *Cache) follow(ctx context.Context, alive func(), op, ref string, msgs iter.Seq2[jsonstream.Message, error], onProgress func(Progress)) (string, error) {
	var digest string
	for m, err := range msgs {
		if err != nil {
			if errors.Is(context.Cause(ctx), errStalled) {
				return "", c.stalled(op, ref)
			}
			if ctx.Err() != nil {
				return "", fmt.Errorf("%s %s: %w", op, ref, ctx.Err())
			}
			return "", c.classify(op, ref, err)
		}
		if m.Error != nil {
			return "", c.classify(op, ref, errors.New(m.Error.Message))
		}
		p := parseProgress(m)
		if p.Phase == PhaseDigest {
			digest = p.Digest
		}
		if p.Moved() {
			// Waiting, retrying and status lines are words, not progress:
			// an engine retrying a registry that refuses it forever stalls.
			alive()
			deadline.Progress(ctx)
		}
		if onProgress != nil {
			onProgress(p)
		}
	}
	if errors.Is(context.Cause(ctx), errStalled) {
		return "", c.stalled(op, ref)
	}
	return digest, nil
}

// transferError is why a push or pull could not start: stalled when the
// watchdog ended it (the engine may not even have answered), else what
// the engine said.
func (c *Cache) transferError(wctx context.Context, op, ref string, err error) error {
	if errors.Is(context.Cause(wctx), errStalled) {
		return c.stalled(op, ref)
	}
	return c.classify(op, ref, err)
}

func (c *Cache) stalled(op, ref string) error {
	stall := c.stall
	if stall <= 0 {
		stall = DefaultStallTimeout
	}
	return &OpError{Op: op, Ref: ref, Kind: ErrStalled, Detail: fmt.Sprintf("no progress for %s (stall_timeout); wharf stopped waiting (the registry may have stopped answering, or keeps refusing the engine)", stall)}
}

// PushResult is what a push did.
type PushResult struct {
	Reference string
	Digest    string
}

// Push pushes a local tag to its registry, with credentials from the
// AuthFunc, reporting per-layer progress. Cancelling ctx stops it.
func (c *Cache) Push(ctx context.Context, ref string, onProgress func(Progress)) (PushResult, error) {
	tag, err := ParseTag(ref)
	if err != nil {
		return PushResult{}, err
	}
	auth, err := c.registryAuth(ctx, tag)
	if err != nil {
		return PushResult{}, err
	}
	wctx, alive, stop := c.watchdog(ctx)
	defer stop()
	resp, err := c.cli.ImagePush(wctx, tag, client.ImagePushOptions{RegistryAuth: auth})
	if err != nil {
		return PushResult{}, c.transferError(wctx, "push", tag, err)
	}
	digest, err := c.follow(wctx, alive, "push", tag, resp.JSONMessages(wctx), onProgress)
	if err != nil {
		return PushResult{}, err
	}
	return PushResult{Reference: tag, Digest: digest}, nil
}

// PullOptions are a pull's choices.
type PullOptions struct {
	// Platform is os/arch[/variant] for a multi-platform image; empty means
	// the engine's own.
	Platform string
}

// PullResult is what a pull did.
type PullResult struct {
	Reference string
	Digest    string
	// UpToDate reports that the engine already had it.
	UpToDate bool
}

// Pull pulls a reference (tag or digest) through the engine, reporting
// per-layer progress. Cancelling ctx stops it.
func (c *Cache) Pull(ctx context.Context, ref string, opts PullOptions, onProgress func(Progress)) (PullResult, error) {
	named, err := normalize(ref)
	if err != nil {
		return PullResult{}, err
	}
	pullOpts := client.ImagePullOptions{}
	if opts.Platform != "" {
		p, err := parsePlatform(opts.Platform)
		if err != nil {
			return PullResult{}, &OpError{Op: "pull", Ref: ref, Kind: ErrInvalidReference, Detail: err.Error(), Err: err}
		}
		pullOpts.Platforms = []ocispec.Platform{p}
	}
	if pullOpts.RegistryAuth, err = c.registryAuth(ctx, named); err != nil {
		return PullResult{}, err
	}
	wctx, alive, stop := c.watchdog(ctx)
	defer stop()
	resp, err := c.cli.ImagePull(wctx, named, pullOpts)
	if err != nil {
		return PullResult{}, c.transferError(wctx, "pull", named, err)
	}
	res := PullResult{Reference: named}
	digest, err := c.follow(wctx, alive, "pull", named, resp.JSONMessages(wctx), func(p Progress) {
		if p.Phase == PhaseStatus && strings.HasPrefix(p.Status, "Status: Image is up to date") {
			res.UpToDate = true
		}
		if onProgress != nil {
			onProgress(p)
		}
	})
	res.Digest = digest
	return res, err
}

func parsePlatform(s string) (ocispec.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return ocispec.Platform{}, fmt.Errorf("platform %q is not os/arch[/variant]", s)
	}
	p := ocispec.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// RemoteGuard tells whether a tag exists in its registry and at which
// digest; wharf passes one backed by registryclient (a HEAD request).
type RemoteGuard func(ctx context.Context, ref string) (digest string, exists bool, err error)

// PushOptions are the caller's decisions for a guarded push.
type PushOptions struct {
	// Overwrite moves a local tag, and replaces a remote tag, off the image
	// it names now: any, or only the image IDs and digests it lists.
	Overwrite domain.Overwrite
	// Guard, when set, is asked before pushing whether the remote tag
	// already names another image.
	Guard RemoteGuard
	// BeforePush, when set, runs once the guard passed (and, for
	// TagAndPush, the local tag is made), just before the push (wharf
	// journals the remote tag there); its error stops the push.
	BeforePush func(ctx context.Context, target string) error
}

// RemoteConflict is a remote tag that already names a different image.
type RemoteConflict struct {
	Target       string
	RemoteDigest string
	// LocalDigests are the digests this image has in that repository (none
	// if it was never pushed there).
	LocalDigests []string
}

func (r *RemoteConflict) Error() string {
	return fmt.Sprintf("%s already exists in its registry as %s, another image", r.Target, r.RemoteDigest)
}

// PushGuarded pushes a local tag, refusing — unless opts.Overwrite allows
// it — when the remote tag already names another image than the local one
// (one the local image was never pushed or pulled as).
func (c *Cache) PushGuarded(ctx context.Context, ref string, opts PushOptions, onProgress func(Progress)) (PushResult, error) {
	tag, err := ParseTag(ref)
	if err != nil {
		return PushResult{}, err
	}
	if opts.Guard != nil {
		if err := c.checkRemote(ctx, tag, tag, opts.Guard, opts.Overwrite); err != nil {
			return PushResult{}, err
		}
	}
	if opts.BeforePush != nil {
		if err := opts.BeforePush(ctx, tag); err != nil {
			return PushResult{}, err
		}
	}
	return c.Push(ctx, tag, onProgress)
}

// TagAndPush tags a local image as target and pushes it: the "docker tag …
// && docker push …" of one key. It refuses, unless opts.Overwrite allows
// it, when the local tag or the remote tag already names another image.
func (c *Cache) TagAndPush(ctx context.Context, src, target string, opts PushOptions, onProgress func(Progress)) (PushResult, error) {
	dst, err := ParseTag(target)
	if err != nil {
		return PushResult{}, err
	}
	if opts.Guard != nil {
		if err := c.checkRemote(ctx, src, dst, opts.Guard, opts.Overwrite); err != nil {
			return PushResult{}, err
		}
	}
	if _, err := c.Tag(ctx, src, dst, TagOptions{Overwrite: opts.Overwrite}); err != nil {
		return PushResult{}, err
	}
	if opts.BeforePush != nil {
		if err := opts.BeforePush(ctx, dst); err != nil {
			return PushResult{}, err
		}
	}
	return c.Push(ctx, dst, onProgress)
}

func (c *Cache) checkRemote(ctx context.Context, src, dst string, guard RemoteGuard, ow domain.Overwrite) error {
	remote, exists, err := guard(ctx, dst)
	if err != nil || !exists || ow.Allows(remote) {
		return err
	}
	img, err := c.cli.ImageInspect(ctx, src)
	if err != nil {
		return c.classify("push", src, err)
	}
	parsed, _ := ref.Parse(dst)
	repo := parsed.FamiliarName()
	conflict := &RemoteConflict{Target: dst, RemoteDigest: remote}
	for _, rd := range img.RepoDigests {
		name, digest, ok := strings.Cut(rd, "@")
		if !ok || name != repo {
			continue
		}
		if digest == remote {
			return nil
		}
		conflict.LocalDigests = append(conflict.LocalDigests, digest)
	}
	return &OpError{Op: "push", Ref: dst, Kind: ErrTagExists, Detail: conflict.Error(), Err: conflict}
}

// Tally adds up a push's or pull's per-layer events into one progress: bytes
// moved of the bytes known so far, and layers finished of layers seen.
type Tally struct {
	layers map[string]*layerTally
}

type layerTally struct {
	current, total int64
	done           bool
	phase          Phase
}

// Lines describes each layer seen so far, in ID order: its phase and bytes.
func (t *Tally) Lines() []string {
	ids := make([]string, 0, len(t.layers))
	for id := range t.layers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		l := t.layers[id]
		line := fmt.Sprintf("%s  %s", id, l.phase)
		if l.total > 0 {
			line += fmt.Sprintf("  %d/%d bytes", l.current, l.total)
		}
		out = append(out, line)
	}
	return out
}

// Add takes one event and returns the totals so far.
func (t *Tally) Add(p Progress) (bytesDone, bytesTotal int64, layersDone, layers int) {
	if t.layers == nil {
		t.layers = map[string]*layerTally{}
	}
	if p.Layer != "" {
		l := t.layers[p.Layer]
		if l == nil {
			l = &layerTally{}
			t.layers[p.Layer] = l
		}
		l.phase = p.Phase
		switch p.Phase {
		case PhasePushing, PhaseDownloading:
			l.current, l.total = p.Current, max(p.Total, l.total)
		case PhasePushed, PhaseExists, PhaseMounted, PhasePullComplete, PhaseDownloaded:
			l.done = true
			l.current = l.total
		}
	}
	for _, l := range t.layers {
		bytesDone += l.current
		bytesTotal += l.total
		layers++
		if l.done {
			layersDone++
		}
	}
	return bytesDone, bytesTotal, layersDone, layers
}
