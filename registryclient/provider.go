package registryclient

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
)

// Provider is how wharf reaches one kind of registry: the distribution API
// for registry:2, distribution v3 and most others, and a registry's own API
// where that falls short (Docker Hub and GHCR list repositories through
// their web APIs). The Client picks one per host and asks it.
//
// Adding a kind is adding a file: a type that embeds distribution and
// overrides what its registry does differently, registered in the file's
// init with the hosts it serves, and a test against a server in the
// registry's documented shape.
//
// Two names: a kind's id is what `provider:` in config.yaml says and what
// it is registered as ("hub", "gar", "gcr"); Name is what people call it
// ("Docker Hub", "Google Artifact Registry"), for messages and doctor.
type Provider interface {
	// Name is the registry kind for people ("distribution", "Docker Hub").
	Name() string
	// Repositories lists the registry's repositories page by page.
	Repositories(ctx context.Context, host string) iter.Seq2[Page, error]
	// TagPages lists a repository's tags page by page, with what the
	// registry's API says of each (a digest, when it says one, spares the
	// HEAD that would find it).
	TagPages(ctx context.Context, repo name.Repository) iter.Seq2[[]domain.TagInfo, error]
	// DeleteTag removes exactly one tag (see DeleteRequest).
	DeleteTag(ctx context.Context, w *remote.Pusher, req DeleteRequest) (domain.DeletePath, error)
	// Notes are what a user of this kind of registry must know, given what
	// its probe found (distribution: deletes free no space until the
	// garbage collector runs).
	Notes(caps Capabilities) []string
	// BudgetReference is a reference whose HEAD tells the registry's
	// request budget and costs none of it ("" when there is none).
	BudgetReference() string
	// Paths say which way each action goes, given the probe (doctor shows
	// them).
	Paths(caps Capabilities) []domain.ActionPath
	// CheckDelete refuses, before anything is journaled, a delete this
	// registry will not take (distribution with deletes disabled).
	CheckDelete(caps Capabilities) error
	// Guard refuses, before anything is journaled or sent, a write to one
	// tag this registry will refuse (ACR's locked tags, ECR's immutable
	// ones), with the reason and how to change it.
	Guard(ctx context.Context, w TagWrite) error
	// PutTag points tag at a manifest the repository holds (retag, undo).
	PutTag(ctx context.Context, w *remote.Pusher, tag name.Tag, m remote.Taggable) error
}

// apiDeleter is a provider that deletes a tag through its registry's own
// API (for these credentials), not the distribution API: it names that
// API ("" when it does not, as Quay without an OAuth token).
type apiDeleter interface {
	deletesThroughAPI(ctx context.Context) string
}

// TagWrite is one write to a tag, as Guard is asked about it.
type TagWrite struct {
	Op  string
	Tag name.Tag
	// Delete: the tag is deleted; else it is pointed at a manifest.
	Delete bool
	// Exists: the tag exists now (a put moves it).
	Exists bool
}

// DeleteRequest is one tag delete as the client hands it to a provider.
type DeleteRequest struct {
	Tag name.Tag
	// Current is what the tag points at; Shared says other tags do too.
	Current *remote.Descriptor
	Shared  bool
	// Caps is what the registry's probe found.
	Caps Capabilities
	// Placeholder, when the provider points the tag at a placeholder on
	// its way, runs with the placeholder's digest first (the journal
	// records it, so a crash between the steps can be undone).
	Placeholder func(digest string) error
	// ProbeWrong runs when the registry refused a path the probe said it
	// takes (the cached probe is then forgotten).
	ProbeWrong func()
}

// providerEntry is a registered provider: the name a config gives its
// kind, the hosts it serves, and how to make it for a client.
type providerEntry struct {
	kind   string
	serves func(host string) bool
	make   func(c *Client, host string) Provider
}

var (
	providersMu sync.Mutex
	providers   []providerEntry
)

// register adds a provider kind (kind is what `provider:` in the config
// calls it); the first registered that serves a host is its provider,
// distribution when none does.
func register(kind string, serves func(host string) bool, newProvider func(c *Client, host string) Provider) {
	providersMu.Lock()
	defer providersMu.Unlock()
	providers = append(providers, providerEntry{kind: kind, serves: serves, make: newProvider})
}

// ProviderKinds are the names `provider:` takes in the config.
func ProviderKinds() []string {
	providersMu.Lock()
	defer providersMu.Unlock()
	kinds := []string{"distribution"}
	for _, p := range providers {
		kinds = append(kinds, p.kind)
	}
	slices.Sort(kinds)
	return kinds
}

// Provider is the provider that serves host: the kind its settings name,
// else the one whose hosts it is among, else distribution.
func (c *Client) Provider(host string) Provider {
	h := config.NormalizeHost(host)
	kind := c.registryOf(h).Provider
	providersMu.Lock()
	defer providersMu.Unlock()
	for _, p := range providers {
		if (kind == "" && p.serves(h)) || (kind != "" && kind == p.kind) {
			return p.make(c, h)
		}
	}
	return distribution{c: c}
}

// checkProvider refuses a registry whose settings name a kind wharf does
// not know.
func checkProvider(r config.Registry) error {
	if r.Provider == "" || slices.Contains(ProviderKinds(), r.Provider) {
		return nil
	}
	return fmt.Errorf("registry %s: provider %q: wharf knows %s", r.Host, r.Provider, strings.Join(ProviderKinds(), ", "))
}

// apiBase is the base URL of host's own API: the one its settings name,
// else def.
func (c *Client) apiBase(host, def string) string {
	if b := c.registryOf(host).API; b != "" {
		return strings.TrimSuffix(b, "/")
	}
	return def
}

// registryOf is the settings the client was given for host (zero when it
// has none).
func (c *Client) registryOf(host string) config.Registry {
	return c.registries[config.NormalizeHost(host)]
}

// ownAPI is what the providers that speak their registry's own API share:
// the distribution API for images, the host they serve, no garbage
// collector to run (the registry frees its own storage), and deletes that
// go through that API whatever the registry API says of DELETE.
type ownAPI struct {
	distribution
	host string
}

func newOwnAPI(c *Client, host string) ownAPI {
	return ownAPI{distribution: distribution{c: c}, host: host}
}

// Notes: the registry frees its own storage.
func (ownAPI) Notes(Capabilities) []string { return nil }

// CheckDelete: the provider's API deletes; a locked tag is Guard's.
func (ownAPI) CheckDelete(Capabilities) error { return nil }

// configured yields the repositories configured for the host, when there
// are any, as the listing's first page; false when yield asked to stop.
func (o ownAPI) configured(yield func(Page, error) bool) bool {
	r := o.c.registryOf(o.host)
	if len(r.Repositories) == 0 {
		return true
	}
	return yield(Page{Items: r.Repositories, Configured: true, Note: o.host + ": configured repositories"}, nil)
}

// onHost is the base URL of an API on the registry's own host (ACR's,
// Quay's), or the one `api:` names.
func (o ownAPI) onHost() string {
	scheme := "https"
	if reg, err := o.c.parseRegistry(o.host); err == nil {
		scheme = reg.Scheme()
	}
	return o.c.apiBase(o.host, scheme+"://"+o.host)
}
