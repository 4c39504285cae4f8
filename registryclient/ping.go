package registryclient

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Auth kinds a registry can ask for.
const (
	AuthNone   = "none"
	AuthBasic  = "basic"
	AuthBearer = "bearer"
)

// PingResult is what /v2/ says about a registry.
type PingResult struct {
	Registry string
	// Scheme is "https" or "http" (plain HTTP, only for loopback and private
	// addresses or registries configured as insecure).
	Scheme string
	// Auth is AuthNone, AuthBasic or AuthBearer.
	Auth string
	// Realm and Service are the bearer challenge's parameters.
	Realm   string
	Service string
	// Server and DistributionAPI are /v2/'s Server and
	// Docker-Distribution-Api-Version headers: what software answers.
	Server, DistributionAPI string
	// HasCredentials reports whether the docker config holds credentials for
	// this registry (they are never exposed).
	HasCredentials bool
	// LoginErr is nil when /v2/ accepted the credentials, or anonymous access
	// when there are none (a token registry, like Docker Hub, hands anonymous
	// callers a token); else it says why not.
	LoginErr error
}

// Ping asks the registry's /v2/ endpoint whether it answers and how it wants
// clients to authenticate, then tries the user's credentials when it wants any.
func (c *Probes) Ping(ctx context.Context, host string) (PingResult, error) {
	reg, err := c.registries.parseRegistry(host)
	if err != nil {
		return PingResult{}, &Error{Op: "ping", Registry: host, Kind: ErrInvalidReference, Detail: err.Error(), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	rec := &headerRecorder{base: c.net.transportFor(host)}
	ch, err := transport.Ping(ctx, reg, rec)
	if err != nil {
		return PingResult{}, c.net.classify("ping", host, err)
	}
	res := PingResult{Registry: reg.RegistryStr(), Scheme: "https", Auth: AuthNone}
	res.Server, res.DistributionAPI = rec.get("Server"), rec.get("Docker-Distribution-Api-Version")
	if ch.Insecure {
		res.Scheme = "http"
	}
	if ch.Scheme != "" {
		res.Auth = strings.ToLower(ch.Scheme)
		res.Realm = ch.Parameters["realm"]
		res.Service = ch.Parameters["service"]
	}
	auth, err := c.keychain.Resolve(reg)
	if err != nil {
		return res, fmt.Errorf("reading credentials for %s: %w", host, err)
	}
	res.HasCredentials = auth != authn.Anonymous
	if res.Auth != AuthNone {
		res.LoginErr = c.checkLogin(ctx, reg, auth, res.Scheme)
	}
	return res, nil
}

// checkLogin does what `docker login` does: GET /v2/ with the credentials.
func (c *Probes) checkLogin(ctx context.Context, reg name.Registry, auth authn.Authenticator, scheme string) error {
	host := reg.RegistryStr()
	rt, err := transport.NewWithContext(ctx, reg, auth, c.net.transportFor(host), nil)
	if err != nil {
		return c.net.classify("log in", host, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+host+"/v2/", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return c.net.classify("log in", host, err)
	}
	defer resp.Body.Close()
	return c.net.classify("log in", host, transport.CheckError(resp, http.StatusOK))
}

// headerRecorder keeps the headers of the last answer to /v2/.
type headerRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	last http.Header
}

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(r)
	if err == nil {
		h.mu.Lock()
		h.last = resp.Header.Clone()
		h.mu.Unlock()
	}
	return resp, err
}

func (h *headerRecorder) get(key string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last.Get(key)
}
