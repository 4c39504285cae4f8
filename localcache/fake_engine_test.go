package localcache_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wharf-dev/wharf/localcache"
)

// fakeImage is one image of the fake engine's store.
type fakeImage struct {
	id       string
	tags     []string
	digests  []string
	created  time.Time
	size     int64
	labels   map[string]string
	env, cmd []string
	history  []image.HistoryResponseItem
}

// fakeEngine answers the engine API from memory, the way dockerd does for
// what localcache asks: tags move between images, an image goes with its
// last tag, a container keeps its image, prune takes the dangling images
// no container uses. Pushes and pulls answer with scripted progress.
type fakeEngine struct {
	mu         sync.Mutex
	images     []*fakeImage
	containers []container.Summary
	// push and pull are the messages a push or pull streams; pushErr and
	// pullErr fail the request itself.
	push, pull       []jsonstream.Message
	pushErr, pullErr error
	// hang makes pushes and pulls go silent after their messages;
	// retrying makes them say they retry, every few milliseconds, forever.
	hang     bool
	retrying bool
	// lastAuth is the X-Registry-Auth of the last push or pull.
	lastAuth string
	// events feed Events; eventErr ends the stream.
	events   chan events.Message
	eventErr chan error
	calls    []string
	closed   bool
}

var _ localcache.Engine = (*fakeEngine)(nil)

func (f *fakeEngine) call(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
}

func notFound(ref string) error {
	return fmt.Errorf("No such image: %s: %w", ref, cerrdefs.ErrNotFound)
}

// find is the image ref names: an ID (or its prefix) or a tag.
func (f *fakeEngine) find(ref string) *fakeImage {
	for _, img := range f.images {
		if img.id == ref || strings.HasPrefix(img.id, "sha256:"+ref) || slices.Contains(img.tags, ref) || slices.Contains(img.tags, ref+":latest") {
			return img
		}
	}
	return nil
}

func (f *fakeEngine) Ping(context.Context, client.PingOptions) (client.PingResult, error) {
	f.call("ping")
	return client.PingResult{APIVersion: "1.41", OSType: "linux"}, nil
}

func (f *fakeEngine) ServerVersion(context.Context, client.ServerVersionOptions) (client.ServerVersionResult, error) {
	return client.ServerVersionResult{Version: "28.0.0-fake", Os: "linux", Arch: "amd64"}, nil
}

func (f *fakeEngine) ClientVersion() string { return "1.41" }

func (f *fakeEngine) ImageList(_ context.Context, opts client.ImageListOptions) (client.ImageListResult, error) {
	f.call("list")
	f.mu.Lock()
	defer f.mu.Unlock()
	dangling := opts.Filters["dangling"]["true"]
	var out client.ImageListResult
	for _, img := range f.images {
		if dangling && len(img.tags) > 0 {
			continue
		}
		tags := img.tags
		if len(tags) == 0 {
			tags = []string{"<none>:<none>"}
		}
		out.Items = append(out.Items, image.Summary{
			ID: img.id, RepoTags: tags, RepoDigests: img.digests, Created: img.created.Unix(),
			Size: img.size, SharedSize: -1, Labels: img.labels,
		})
	}
	return out, nil
}

func (f *fakeEngine) ImageInspect(_ context.Context, ref string, _ ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	img := f.find(ref)
	if img == nil {
		return client.ImageInspectResult{}, notFound(ref)
	}
	res := client.ImageInspectResult{InspectResponse: image.InspectResponse{
		ID: img.id, RepoTags: img.tags, RepoDigests: img.digests, Size: img.size,
		Created: img.created.Format(time.RFC3339Nano), Os: "linux", Architecture: "amd64",
		Config: &dockerspec.DockerOCIImageConfig{ImageConfig: ocispec.ImageConfig{Env: img.env, Cmd: img.cmd, Labels: img.labels}},
		RootFS: image.RootFS{Type: "layers", Layers: []string{"sha256:" + strings.Repeat("1", 64)}},
	}}
	return res, nil
}

func (f *fakeEngine) ImageHistory(_ context.Context, ref string, _ ...client.ImageHistoryOption) (client.ImageHistoryResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	img := f.find(ref)
	if img == nil {
		return client.ImageHistoryResult{}, notFound(ref)
	}
	return client.ImageHistoryResult{Items: img.history}, nil
}

func (f *fakeEngine) ImageTag(_ context.Context, opts client.ImageTagOptions) (client.ImageTagResult, error) {
	f.call("tag " + opts.Target)
	f.mu.Lock()
	defer f.mu.Unlock()
	src := f.find(opts.Source)
	if src == nil {
		return client.ImageTagResult{}, notFound(opts.Source)
	}
	for _, img := range f.images {
		img.tags = slices.DeleteFunc(img.tags, func(t string) bool { return t == opts.Target })
	}
	src.tags = append(src.tags, opts.Target)
	return client.ImageTagResult{}, nil
}

// usedBy is the first container that uses img.
func (f *fakeEngine) usedBy(img *fakeImage) (container.Summary, bool) {
	for _, c := range f.containers {
		if c.ImageID == img.id {
			return c, true
		}
	}
	return container.Summary{}, false
}

func (f *fakeEngine) ImageRemove(_ context.Context, ref string, opts client.ImageRemoveOptions) (client.ImageRemoveResult, error) {
	f.call("remove " + ref)
	f.mu.Lock()
	defer f.mu.Unlock()
	img := f.find(ref)
	if img == nil {
		return client.ImageRemoveResult{}, notFound(ref)
	}
	byID := !slices.Contains(img.tags, ref) && !slices.Contains(img.tags, ref+":latest")
	if byID && len(img.tags) > 1 && !opts.Force {
		return client.ImageRemoveResult{}, fmt.Errorf("conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories: %w", ref, cerrdefs.ErrConflict)
	}
	lastTag := byID || len(img.tags) == 1
	if c, used := f.usedBy(img); used && lastTag && !opts.Force {
		return client.ImageRemoveResult{}, fmt.Errorf("conflict: unable to remove repository reference %q (must force) - container %s is using its referenced image %s: %w", ref, c.ID[:12], img.id[7:19], cerrdefs.ErrConflict)
	}
	var res client.ImageRemoveResult
	if !byID {
		img.tags = slices.DeleteFunc(img.tags, func(t string) bool { return t == ref || t == ref+":latest" })
		res.Items = append(res.Items, image.DeleteResponse{Untagged: ref})
	}
	if lastTag {
		f.images = slices.DeleteFunc(f.images, func(x *fakeImage) bool { return x == img })
		res.Items = append(res.Items, image.DeleteResponse{Deleted: img.id}, image.DeleteResponse{Deleted: "sha256:" + strings.Repeat("f", 64)})
	}
	return res, nil
}

func (f *fakeEngine) ImagePrune(context.Context, client.ImagePruneOptions) (client.ImagePruneResult, error) {
	f.call("prune")
	f.mu.Lock()
	defer f.mu.Unlock()
	var res client.ImagePruneResult
	f.images = slices.DeleteFunc(f.images, func(img *fakeImage) bool {
		if _, used := f.usedBy(img); len(img.tags) > 0 || used {
			return false
		}
		// The engine lists the layers it deleted too.
		res.Report.ImagesDeleted = append(res.Report.ImagesDeleted, image.DeleteResponse{Deleted: img.id}, image.DeleteResponse{Deleted: "sha256:" + strings.Repeat("e", 64)})
		res.Report.SpaceReclaimed += uint64(img.size) //nolint:gosec // test sizes are small
		return true
	})
	return res, nil
}

// stream is a push's or pull's answer: scripted messages.
type stream struct {
	msgs []jsonstream.Message
	err  error
	// hang keeps the stream open, silent, until the caller gives up;
	// retrying keeps it open saying it retries.
	hang     bool
	retrying bool
}

func (s *stream) Read([]byte) (int, error) { return 0, errors.New("read the messages") }
func (s *stream) Close() error             { return nil }
func (s *stream) Wait(context.Context) error {
	return s.err
}

func (s *stream) JSONMessages(ctx context.Context) iter.Seq2[jsonstream.Message, error] {
	return func(yield func(jsonstream.Message, error) bool) {
		for _, m := range s.msgs {
			if ctx.Err() != nil {
				yield(jsonstream.Message{}, ctx.Err())
				return
			}
			if !yield(m, nil) {
				return
			}
		}
		for s.retrying {
			select {
			case <-ctx.Done():
				yield(jsonstream.Message{}, ctx.Err())
				return
			case <-time.After(5 * time.Millisecond):
			}
			if !yield(jsonstream.Message{ID: "1a2b3c4d5e6f", Status: "Retrying in 5 seconds"}, nil) {
				return
			}
		}
		if s.hang {
			<-ctx.Done()
			yield(jsonstream.Message{}, ctx.Err())
			return
		}
		if s.err != nil {
			yield(jsonstream.Message{}, s.err)
		}
	}
}

func (f *fakeEngine) ImagePush(_ context.Context, ref string, opts client.ImagePushOptions) (client.ImagePushResponse, error) {
	f.call("push " + ref)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastAuth = opts.RegistryAuth
	if f.pushErr != nil {
		return nil, f.pushErr
	}
	return &stream{msgs: f.push, hang: f.hang, retrying: f.retrying}, nil
}

func (f *fakeEngine) ImagePull(_ context.Context, ref string, opts client.ImagePullOptions) (client.ImagePullResponse, error) {
	f.call("pull " + ref)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastAuth = opts.RegistryAuth
	if f.pullErr != nil {
		return nil, f.pullErr
	}
	return &stream{msgs: f.pull, hang: f.hang, retrying: f.retrying}, nil
}

func (f *fakeEngine) ContainerList(context.Context, client.ContainerListOptions) (client.ContainerListResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return client.ContainerListResult{Items: slices.Clone(f.containers)}, nil
}

func (f *fakeEngine) Events(ctx context.Context, _ client.EventsListOptions) client.EventsResult {
	f.call("events")
	msgs := make(chan events.Message)
	errs := make(chan error, 1)
	go func() {
		for {
			select {
			case m := <-f.events:
				select {
				case msgs <- m:
				case <-ctx.Done():
					return
				}
			case err := <-f.eventErr:
				errs <- err
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return client.EventsResult{Messages: msgs, Err: errs}
}

func (f *fakeEngine) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// hexID is a full image or container ID made of one repeated digit.
func hexID(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }

// sampleEngine is an engine with a tagged image of two tags, one of one
// tag used by a stopped container, two dangling images (one kept by a
// container) and three images made at the same instant.
func sampleEngine() *fakeEngine {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &fakeEngine{
		images: []*fakeImage{
			{
				id: hexID('a'), tags: []string{"team/app:1.0", "team/app:latest"}, digests: []string{"team/app@sha256:" + strings.Repeat("d", 64)}, created: t0.Add(2 * time.Hour), size: 12_000_000, env: []string{"PATH=/bin"}, cmd: []string{"/app"}, labels: map[string]string{"k": "v"},
				history: []image.HistoryResponseItem{{ID: hexID('a'), Created: t0.Unix() + 60, CreatedBy: "COPY app /app", Size: 100, Comment: "buildkit"}, {ID: "<missing>", Created: t0.Unix(), CreatedBy: "ENV PATH=/bin"}},
			},
			{id: hexID('b'), tags: []string{"team/web:2"}, created: t0.Add(time.Hour), size: 45_000_000},
			{id: hexID('c'), created: t0, size: 7_000_000},
			{id: hexID('9'), created: t0, size: 1_000_000},
			{id: hexID('3'), tags: []string{"zero/a:1"}, size: 100},
			{id: hexID('1'), tags: []string{"zero/b:1"}, size: 100},
			{id: hexID('2'), tags: []string{"zero/c:1"}, size: 100},
		},
		containers: []container.Summary{
			{ID: strings.Repeat("c0", 32), Names: []string{"/web-1"}, ImageID: hexID('b'), State: "exited"},
			{ID: strings.Repeat("c1", 32), Names: []string{"/old-job"}, ImageID: hexID('9'), State: "running"},
		},
		events:   make(chan events.Message),
		eventErr: make(chan error, 1),
	}
}

func openFake(f *fakeEngine, opts ...localcache.Option) *localcache.Cache {
	c, err := localcache.Open(localcache.Endpoint{Host: "unix:///fake.sock", Source: "test"}, append(opts, localcache.WithEngine(f))...)
	if err != nil {
		panic(err)
	}
	return c
}

// ImageSave is not faked: the file tree is tested against the real engine.
func (f *fakeEngine) ImageSave(_ context.Context, images []string, _ ...client.ImageSaveOption) (client.ImageSaveResult, error) {
	f.call("save " + strings.Join(images, " "))
	return nil, errors.New("the fake engine does not export images")
}
