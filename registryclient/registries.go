package registryclient

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
)

// hostTransport returns base adjusted for one registry: its CA trusted, or
// TLS verification skipped when it is configured insecure.
func hostTransport(base http.RoundTripper, r config.Registry) (http.RoundTripper, error) {
	if r.CAFile == "" && !r.Insecure {
		return base, nil
	}
	ht, ok := base.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("registry %s: ca_file and insecure need an *http.Transport, have %T", r.Host, base)
	}
	ht = ht.Clone()
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if ht.TLSClientConfig != nil {
		tc = ht.TLSClientConfig.Clone()
	}
	if r.CAFile != "" {
		pem, err := os.ReadFile(r.CAFile)
		if err != nil {
			return nil, fmt.Errorf("registry %s: ca_file: %w", r.Host, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if tc.RootCAs != nil {
			pool = tc.RootCAs.Clone()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("registry %s: ca_file %s holds no PEM certificate", r.Host, r.CAFile)
		}
		tc.RootCAs = pool
	}
	if r.Insecure {
		tc.InsecureSkipVerify = true //nolint:gosec // only for registries the user configured as insecure
	}
	ht.TLSClientConfig = tc
	return ht, nil
}

// nameOptions are the go-containerregistry parsing options for a host:
// plain HTTP allowed only for registries configured insecure.
func (c *Client) nameOptions(host string) []name.Option {
	if r, ok := c.registries[config.NormalizeHost(host)]; ok && r.Insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}

// transportFor is the transport for a registry host.
func (c *Client) transportFor(host string) http.RoundTripper {
	if t, ok := c.transports[config.NormalizeHost(host)]; ok {
		return t
	}
	return c.guard
}

func (c *Client) parseRegistry(host string) (name.Registry, error) {
	return name.NewRegistry(host, c.nameOptions(host)...)
}

func (c *Client) parseRepository(repo string) (name.Repository, error) {
	r, err := name.NewRepository(repo)
	if err != nil {
		return r, err
	}
	return name.NewRepository(repo, c.nameOptions(r.RegistryStr())...)
}

func (c *Client) parseReference(ref string) (name.Reference, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return r, err
	}
	return name.ParseReference(ref, c.nameOptions(r.Context().RegistryStr())...)
}

// Knows reports whether host is one of the client's registries (Docker Hub
// always is).
func (c *Client) Knows(host string) bool {
	h := config.NormalizeHost(host)
	_, ok := c.registries[h]
	return ok || h == domain.DockerHub
}
