package registryclient

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"sort"

	"github.com/google/go-containerregistry/pkg/name"
)

// Where wharf learnt of a registry.
const (
	SourceConfig      = "config"
	SourceAuths       = "auths"
	SourceCredHelpers = "credHelpers"
	SourceAlways      = "always"
	SourceArgument    = "argument"
)

// Registry is a registry wharf knows, with its settings and where from.
type Registry struct {
	RegistryConfig
	// Source is SourceConfig, SourceAuths, SourceCredHelpers or SourceAlways.
	Source string
}

// Known merges wharf's config (first, its settings win), the registries the
// docker config names, and Docker Hub, which is always there.
func Known(cfg *Config, dc *DockerConfig) []Registry {
	var out []Registry
	seen := map[string]bool{}
	if cfg != nil {
		for _, rc := range cfg.Registries {
			host := normalizeHost(rc.Host)
			if seen[host] {
				continue
			}
			seen[host] = true
			rc.Host = host
			out = append(out, Registry{RegistryConfig: rc, Source: SourceConfig})
		}
	}
	if dc != nil {
		for _, r := range dc.Registries() {
			if !seen[r.Host] {
				seen[r.Host] = true
				out = append(out, r)
			}
		}
	} else if !seen[DockerHub] {
		out = append(out, Registry{RegistryConfig: RegistryConfig{Name: DockerHub, Host: DockerHub}, Source: SourceAlways})
	}
	sortRegistries(out)
	return out
}

// sortRegistries puts configured registries first (in file order), then
// Docker Hub, then the others by host.
func sortRegistries(rs []Registry) {
	rank := func(r Registry) int {
		switch {
		case r.Source == SourceConfig:
			return 0
		case r.Host == DockerHub:
			return 1
		}
		return 2
	}
	sort.SliceStable(rs, func(i, j int) bool {
		ri, rj := rank(rs[i]), rank(rs[j])
		if ri != rj || ri == 0 {
			return ri < rj
		}
		return rs[i].Host < rs[j].Host
	})
}

// hostTransport returns base adjusted for one registry: its CA trusted, or
// TLS verification skipped when it is configured insecure.
func hostTransport(base http.RoundTripper, r Registry) (http.RoundTripper, error) {
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
	if r, ok := c.registries[normalizeHost(host)]; ok && r.Insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}

// transportFor is the transport for a registry host.
func (c *Client) transportFor(host string) http.RoundTripper {
	if t, ok := c.transports[normalizeHost(host)]; ok {
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
	h := normalizeHost(host)
	_, ok := c.registries[h]
	return ok || h == DockerHub
}
