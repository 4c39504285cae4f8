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

// Cache is the local engine's image cache.
type Cache struct {
	cli  *client.Client
	ep   Endpoint
	auth AuthFunc
}

// Open makes a client for the endpoint. It does not contact the engine:
// Ping does, and every call reports an engine that is down.
func Open(ep Endpoint, opts ...Option) (*Cache, error) {
	cli, err := client.New(ep.options()...)
	if err != nil {
		return nil, fmt.Errorf("engine at %s: %w", ep.Host, err)
	}
	c := &Cache{cli: cli, ep: ep}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Endpoint is the engine this cache talks to.
func (c *Cache) Endpoint() Endpoint { return c.ep }

// Close releases the client's connections.
func (c *Cache) Close() error { return c.cli.Close() }

// EngineInfo is what the engine says about itself.
type EngineInfo struct {
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
	return EngineInfo{Version: v.Version, APIVersion: c.cli.ClientVersion(), OS: v.Os, Arch: v.Arch}, nil
}
