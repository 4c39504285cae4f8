package registryclient

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/registryclient/distribution"
	"github.com/wharf-dev/wharf/registryclient/provider"
)

// providerEntry is a registered provider: the name a config gives its
// kind, the hosts it serves, and how to make it for a client.
type providerEntry struct {
	kind   string
	serves func(host string) bool
	make   func(h provider.Host, host string) Provider
}

var (
	providersMu sync.Mutex
	providers   []providerEntry
)

// register adds a provider kind (kind is what `provider:` in the config
// calls it); the first registered that serves a host is its provider,
// distribution when none does.
func register(kind string, serves func(host string) bool, newProvider func(h provider.Host, host string) Provider) {
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
func (c *core) Provider(registry string) Provider {
	h := config.NormalizeHost(registry)
	kind := c.registries.of(h).Provider
	providersMu.Lock()
	defer providersMu.Unlock()
	for _, p := range providers {
		if (kind == "" && p.serves(h)) || (kind != "" && kind == p.kind) {
			return p.make(host{c}, h)
		}
	}
	return distribution.New(host{c}, h)
}

// checkProvider refuses a registry whose settings name a kind wharf does
// not know.
func checkProvider(r config.Registry) error {
	if r.Provider == "" || slices.Contains(ProviderKinds(), r.Provider) {
		return nil
	}
	return fmt.Errorf("registry %s: provider %q: wharf knows %s", r.Host, r.Provider, strings.Join(ProviderKinds(), ", "))
}
