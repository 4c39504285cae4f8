package registryclient

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/registryclient/provider"
)

// Client reaches registries with the docker credentials of the user. It is
// safe for concurrent use. Its methods are its parts': Reads (listings,
// digests, details, what is inside images), Changes (retag, copy, delete,
// undo, journaled and guarded) and Probes (ping, what a registry can do,
// request budgets), over one core (the settings, how registries are
// reached, the caches, the journal).
type Client struct {
	*core
	*Reads
	*Changes
	*Probes
}

// Reads are the client's reading of registries.
type Reads struct {
	*core
	*Probes
}

// Changes are the client's changes to registries, each journaled first
// and guarded (what it reads comes from Reads, what a registry can do
// from Probes).
type Changes struct {
	*core
	*Reads
	*Probes
}

// Probes ask registries what they are and can do.
type Probes struct {
	*core
}

// core is what the client's parts share: the settings, how registries are
// reached, the caches and the journal.
type core struct {
	keychain   authn.Keychain
	transport  http.RoundTripper
	timeout    time.Duration
	digestConc int
	// regs are the registries the client was given; registries and
	// transports the same by host, guard the transport of the others.
	regs       []config.Registry
	registries registries
	transports map[string]http.RoundTripper
	guard      *guard
	// waits tells subscribers of the 429s the guards are waiting out.
	waits *waitBus
	// conns keeps per host what is made once: pullers, pushers, probes.
	conns connections
	cache *DiskCache
	// listed are the digests the last tag listings gave (listed.go).
	listed listed
	// apiTokens are the web APIs' access tokens; shared what the
	// providers keep per client (the AWS SDK's clients).
	// clients by host.
	apiTokens *provider.TokenCache
	shared    sharedState
	// apis are the registries' own web APIs (Docker Hub's, GitHub's).
	apis webAPIs
	// pace spaces background requests out once a budget is low.
	pace  time.Duration
	pacer pacer
	// journal records each change first; afterJournal runs after each
	// journal write, before the change it records (tests stop there to
	// play a crash).
	journal Journal
	// sent are the credentials the client sent, to redact.
	sent *sentSecrets
	// net is how the client reaches registries (reach).
	net          *reach
	afterJournal func(domain.JournalEntry) error
}

// connections are what the client keeps per registry host.
type connections struct {
	mu      sync.Mutex
	pullers map[string]*remote.Puller
	pushers map[string]*remote.Pusher
	probes  map[string]Capabilities
	// secrets are the user's credentials per host, to redact.
	secrets map[string][]string
	// creds are the credentials the registries' own APIs were given, per
	// host, with when they were read (Client.credentials).
	creds map[string]readCreds
}

// webAPIs are the base URLs of the web APIs that list what a registry's
// catalog does not.
type webAPIs struct {
	hub, github string
}

// Option configures a Client.
type Option func(*Client)

// WithKeychain sets where credentials come from (default: the docker config
// file and its credential helpers, as `docker login` left them).
func WithKeychain(k authn.Keychain) Option { return func(c *Client) { c.keychain = k } }

// WithTransport sets the base HTTP transport (for example one that trusts a
// private CA).
func WithTransport(t http.RoundTripper) Option { return func(c *Client) { c.transport = t } }

// WithTimeout bounds how long a registry may take to start answering a
// request (default 30s).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithDigestConcurrency caps parallel HEAD requests (default 16).
func WithDigestConcurrency(n int) Option { return func(c *Client) { c.digestConc = n } }

// WithCache keeps what the client reads in a disk cache, and lets callers
// ask what it knows without the network (Known, CachedDescribe).
func WithCache(dc *DiskCache) Option { return func(c *Client) { c.cache = dc } }

// WithRegistries gives the client the known registries' settings (CA
// files, insecure, configured repositories).
func WithRegistries(rs []config.Registry) Option { return func(c *Client) { c.regs = rs } }

// New returns a Client. It fails only when a registry's ca_file cannot be
// read or its settings name a provider wharf does not know.
func New(opts ...Option) (*Client, error) {
	c := &Client{core: &core{
		keychain: authn.DefaultKeychain, transport: defaultTransport(), timeout: 30 * time.Second, digestConc: DefaultDigestConcurrency,
		apis: webAPIs{hub: DefaultHubAPI, github: DefaultGitHubAPI}, pace: DefaultPace,
	}}
	for _, o := range opts {
		o(c)
	}
	c.waits = &waitBus{}
	c.apiTokens = &provider.TokenCache{}
	c.sent = &sentSecrets{}
	if c.journal != nil {
		c.journal = redactingJournal{Journal: c.journal, redact: c.Redact}
	}
	c.conns = connections{pullers: map[string]*remote.Puller{}, pushers: map[string]*remote.Pusher{}, probes: map[string]Capabilities{}, secrets: map[string][]string{}, creds: map[string]readCreds{}}
	c.registries = registries{}
	c.transports = map[string]http.RoundTripper{}
	for _, r := range c.regs {
		host := config.NormalizeHost(r.Host)
		if err := checkProvider(r); err != nil {
			return nil, err
		}
		c.registries[host] = r
		t, err := hostTransport(c.transport, r)
		if err != nil {
			return nil, err
		}
		c.transports[host] = newGuard(t, c.timeout, c.waits, c.sent)
	}
	c.guard = newGuard(c.transport, c.timeout, c.waits, c.sent)
	c.net = &reach{keychain: c.keychain, transports: c.transports, guard: c.guard, conns: &c.conns, sent: c.sent}
	c.Probes = &Probes{core: c.core}
	c.Reads = &Reads{core: c.core, Probes: c.Probes}
	c.Changes = &Changes{core: c.core, Reads: c.Reads, Probes: c.Probes}
	return c, nil
}

// Registries are the registries the client was given.
func (c *core) Registries() []config.Registry { return c.regs }

// defaultTransport keeps enough idle connections per registry for the
// parallel HEADs to reuse them (net/http keeps 2 by default).
func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4 * DefaultDigestConcurrency
	return t
}

// User is the name the client reaches host as, from the docker credentials
// ("" when anonymous, "token" for a token without a user name). It never
// returns a secret.
func (c *core) User(host string) string {
	cfg, err := c.net.credentials(context.Background(), config.NormalizeHost(host))
	switch {
	case err != nil || cfg == nil:
		return ""
	case cfg.Username != "":
		return cfg.Username
	case cfg.IdentityToken != "" || cfg.RegistryToken != "":
		return "token"
	}
	return ""
}

// reach is how the client reaches registries: the credentials, each
// host's transport (its guard at the bottom), what it keeps per host, and
// what it sent, to redact. The parts that read, write and probe share it.
type reach struct {
	keychain   authn.Keychain
	transports map[string]http.RoundTripper
	guard      *guard
	conns      *connections
	sent       *sentSecrets
}
