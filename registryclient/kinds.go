package registryclient

import (
	"context"
	"net/http"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/registryclient/acr"
	"github.com/wharf-dev/wharf/registryclient/distribution"
	"github.com/wharf-dev/wharf/registryclient/ecr"
	"github.com/wharf-dev/wharf/registryclient/gar"
	"github.com/wharf-dev/wharf/registryclient/ghcr"
	"github.com/wharf-dev/wharf/registryclient/hub"
	"github.com/wharf-dev/wharf/registryclient/provider"
	"github.com/wharf-dev/wharf/registryclient/quay"
)

// The registry kinds, each a package of its own: its id (what `provider:`
// in config.yaml names), the hosts it serves, how to make it. The first
// that serves a host is its provider, distribution when none does.
func init() {
	register("hub", hub.Serves, hub.New)
	register("ghcr", ghcr.Serves, ghcr.New)
	register("quay", quay.Serves, quay.New)
	register("acr", acr.Serves, acr.New)
	register("gar", gar.Serves, gar.New)
	register("ecr", ecr.Serves, ecr.New)
	register("gcr", distribution.GCRServes, distribution.GCR)
	register("gitlab", distribution.GitLabServes, distribution.GitLab)
}

// Provider is how wharf reaches one kind of registry (provider.Provider).
type Provider = provider.Provider

// TagWrite is one write to a tag, as a provider's Guard is asked about it.
type TagWrite = provider.TagWrite

// DeleteRequest is one tag delete as the client hands it to a provider.
type DeleteRequest = provider.DeleteRequest

// DefaultHubAPI is Docker Hub's web API (hub.DefaultAPI).
const DefaultHubAPI = hub.DefaultAPI

// DefaultGitHubAPI is GitHub's REST API (ghcr.DefaultAPI).
const DefaultGitHubAPI = ghcr.DefaultAPI

// DefaultArtifactRegistryAPI is Artifact Registry's REST API.
const DefaultArtifactRegistryAPI = gar.DefaultAPI

// PlaceholderLabel marks wharf's placeholder images (provider.PlaceholderLabel).
const PlaceholderLabel = provider.PlaceholderLabel

// errTagMoved marks a failed delete that left the tag on its placeholder.
var errTagMoved = provider.ErrTagMoved

// WithHubAPI points Docker Hub listings at another base URL (tests).
func WithHubAPI(base string) Option { return func(c *Client) { c.apis.hub = base } }

// WithGitHubAPI points GitHub's packages API at another base URL (tests).
func WithGitHubAPI(base string) Option { return func(c *Client) { c.apis.github = base } }

// host is what a provider is handed of the client (provider.Host): the
// narrow part it may use, never the client itself.
type host struct{ c *core }

var _ provider.Host = host{}

func (h host) Classify(op, registry string, err error) error {
	return h.c.net.classify(op, registry, err)
}

func (h host) Puller(ctx context.Context, registry string) (*remote.Puller, error) {
	return h.c.net.puller(ctx, registry)
}

func (h host) ScopedClient(ctx context.Context, reg name.Registry, scope string) (*http.Client, error) {
	return h.c.net.scopedClient(ctx, reg, scope)
}

func (h host) ParseRegistry(registry string) (name.Registry, error) {
	return h.c.registries.parseRegistry(registry)
}

func (h host) Settings(registry string) config.Registry { return h.c.registries.of(registry) }

func (h host) APIBase(registry, def string) string { return h.c.registries.apiBase(registry, def) }

func (h host) WebAPI(vendor string) string {
	switch vendor {
	case "hub":
		return h.c.apis.hub
	case "github":
		return h.c.apis.github
	}
	return ""
}

func (h host) User(registry string) string { return h.c.User(registry) }

func (h host) Credentials(ctx context.Context, registry string) (*authn.AuthConfig, error) {
	return h.c.net.credentials(ctx, registry)
}

func (h host) Call(ctx context.Context, a provider.APICall, v any) (http.Header, error) {
	return h.c.call(ctx, a, v)
}

func (h host) Tokens() *provider.TokenCache { return h.c.apiTokens }

func (h host) Shared(key string, mk func() (any, error)) (any, error) {
	return h.c.shared.get(key, mk)
}

// sharedState is per-client state the providers keep (ECR's SDK clients).
type sharedState struct {
	mu sync.Mutex
	m  map[string]any
}

func (s *sharedState) get(key string, mk func() (any, error)) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[key]; ok {
		return v, nil
	}
	v, err := mk()
	if err != nil {
		return nil, err
	}
	if s.m == nil {
		s.m = map[string]any{}
	}
	s.m[key] = v
	return v, nil
}
