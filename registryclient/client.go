package registryclient

import (
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Client reaches registries with the docker credentials of the user. It is
// safe for concurrent use.
type Client struct {
	keychain  authn.Keychain
	transport http.RoundTripper
	timeout   time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithKeychain sets where credentials come from (default: the docker config
// file and its credential helpers, as `docker login` left them).
func WithKeychain(k authn.Keychain) Option { return func(c *Client) { c.keychain = k } }

// WithTransport sets the base HTTP transport (for example one that trusts a
// private CA).
func WithTransport(t http.RoundTripper) Option { return func(c *Client) { c.transport = t } }

// WithTimeout bounds each request-response exchange (default 30s).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// New returns a Client.
func New(opts ...Option) *Client {
	c := &Client{keychain: authn.DefaultKeychain, transport: http.DefaultTransport, timeout: 30 * time.Second}
	for _, o := range opts {
		o(c)
	}
	return c
}
