package localcache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/moby/moby/client"
)

// ErrEngineUnreachable means the engine did not answer; the *EngineError
// that carries it names the host.
var ErrEngineUnreachable = errors.New("engine not reachable")

// EngineError is a failure to reach the engine at Host.
type EngineError struct {
	Host string
	Err  error
}

func (e *EngineError) Error() string {
	return fmt.Sprintf("engine not reachable at %s: %v", e.Host, e.Err)
}

// Is makes errors.Is(err, ErrEngineUnreachable) true.
func (e *EngineError) Is(target error) bool { return target == ErrEngineUnreachable }

func (e *EngineError) Unwrap() error { return e.Err }

// Engine is the part of the Docker engine's API the cache uses, as the moby
// client declares it (go-containerregistry's daemon package does the same).
// Open makes a moby client for the endpoint; tests hand a fake through
// WithEngine.
type Engine interface {
	Ping(ctx context.Context, options client.PingOptions) (client.PingResult, error)
	ServerVersion(ctx context.Context, options client.ServerVersionOptions) (client.ServerVersionResult, error)
	ClientVersion() string
	ImageList(ctx context.Context, options client.ImageListOptions) (client.ImageListResult, error)
	ImageInspect(ctx context.Context, imageID string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
	ImageHistory(ctx context.Context, imageID string, opts ...client.ImageHistoryOption) (client.ImageHistoryResult, error)
	ImageTag(ctx context.Context, options client.ImageTagOptions) (client.ImageTagResult, error)
	ImageRemove(ctx context.Context, imageID string, options client.ImageRemoveOptions) (client.ImageRemoveResult, error)
	ImagePrune(ctx context.Context, options client.ImagePruneOptions) (client.ImagePruneResult, error)
	ImagePush(ctx context.Context, image string, options client.ImagePushOptions) (client.ImagePushResponse, error)
	ImagePull(ctx context.Context, ref string, options client.ImagePullOptions) (client.ImagePullResponse, error)
	ImageSave(ctx context.Context, images []string, opts ...client.ImageSaveOption) (client.ImageSaveResult, error)
	ContainerList(ctx context.Context, options client.ContainerListOptions) (client.ContainerListResult, error)
	Events(ctx context.Context, options client.EventsListOptions) client.EventsResult
	Close() error
}

var _ Engine = (*client.Client)(nil)

// Cache is the local engine's image cache.
type Cache struct {
	cli  Engine
	ep   Endpoint
	auth AuthFunc
	// stall is how long a push or pull may go without a word.
	stall time.Duration
}

// WithEngine makes the cache talk to e instead of a moby client for the
// endpoint.
func WithEngine(e Engine) Option { return func(c *Cache) { c.cli = e } }

// Open makes a client for the endpoint. It does not contact the engine:
// Ping does, and every call reports an engine that is down.
func Open(ep Endpoint, opts ...Option) (*Cache, error) {
	c := &Cache{ep: ep}
	for _, o := range opts {
		o(c)
	}
	if c.cli == nil {
		cli, err := client.New(ep.options()...)
		if err != nil {
			return nil, fmt.Errorf("engine at %s: %w", ep.Host, err)
		}
		c.cli = cli
	}
	return c, nil
}

// Endpoint is the engine this cache talks to.
func (c *Cache) Endpoint() Endpoint { return c.ep }

// Close releases the client's connections.
func (c *Cache) Close() error { return c.cli.Close() }

// EngineInfo is what the engine says about itself.
type EngineInfo struct {
	// Name is the engine's product: "Docker", or "Podman" for podman's
	// Docker-compatible API.
	Name       string
	Version    string
	APIVersion string
	OS, Arch   string
}

// Ping negotiates the API version and reads the engine's version.
func (c *Cache) Ping(ctx context.Context) (EngineInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return EngineInfo{}, &EngineError{Host: c.ep.Host, Err: err}
	}
	v, err := c.cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return EngineInfo{}, &EngineError{Host: c.ep.Host, Err: err}
	}
	info := EngineInfo{Name: "Docker", Version: v.Version, APIVersion: c.cli.ClientVersion(), OS: v.Os, Arch: v.Arch}
	for _, comp := range v.Components {
		if comp.Name == "Podman Engine" {
			info.Name = "Podman"
		}
	}
	return info, nil
}
