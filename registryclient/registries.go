package registryclient

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
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
// registries are the settings the client was given, by normalised host:
// how it reads a reference (plain HTTP for an insecure registry) and what
// each registry's own API is.
type registries map[string]config.Registry

// of is the settings for host (zero when it has none).
func (rs registries) of(host string) config.Registry {
	return rs[config.NormalizeHost(host)]
}

// apiBase is the base URL of host's own API: the one its settings name,
// else def.
func (rs registries) apiBase(host, def string) string {
	if b := rs.of(host).API; b != "" {
		return strings.TrimSuffix(b, "/")
	}
	return def
}

func (rs registries) nameOptions(host string) []name.Option {
	if r, ok := rs[config.NormalizeHost(host)]; ok && r.Insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}

// transportFor is the transport for a registry host.
func (r *reach) transportFor(host string) http.RoundTripper {
	if t, ok := r.transports[config.NormalizeHost(host)]; ok {
		return t
	}
	return r.guard
}

func (rs registries) parseRegistry(host string) (name.Registry, error) {
	return name.NewRegistry(host, rs.nameOptions(host)...)
}

// parseRepository reads a repository as docker does (internal/ref): a
// reference docker refuses, or one with a tag or digest, is refused
// before any request.
func (rs registries) parseRepository(repo string) (name.Repository, error) {
	r, err := ref.ParseRepository(repo)
	if err != nil {
		return name.Repository{}, err
	}
	return rs.repositoryOf(r)
}

// repositoryOf is go-containerregistry's repository for what ref parsed:
// built, never parsed again (its own grammar is not docker's).
func (rs registries) repositoryOf(r ref.Reference) (name.Repository, error) {
	reg, err := rs.parseRegistry(r.Domain())
	if err != nil {
		return name.Repository{}, &ref.Error{Input: r.Domain(), Reason: "not a registry host: " + err.Error()}
	}
	return reg.Repo(r.Path()), nil
}

// parseReference reads a reference as docker does. With both a tag and a
// digest, the digest decides what is read (docker's rule); writes refuse
// such a reference (parseChange, unambiguous). A bare name means latest.
func (rs registries) parseReference(s string) (name.Reference, error) {
	r, err := ref.Parse(s)
	if err != nil {
		return nil, err
	}
	return rs.referenceOf(r)
}

func (rs registries) referenceOf(r ref.Reference) (name.Reference, error) {
	repo, err := rs.repositoryOf(r)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Digest() != "":
		return repo.Digest(r.Digest()), nil
	case r.Tag() != "":
		return repo.Tag(r.Tag()), nil
	}
	return repo.Tag("latest"), nil
}

// unambiguous is s parsed for a write: name:tag@digest is refused, as the
// tag may name another image than the digest by now.
func (rs registries) unambiguous(s string) (name.Reference, error) {
	r, err := ref.Parse(s)
	if err != nil {
		return nil, err
	}
	if r.Ambiguous() {
		return nil, &ref.Error{Input: s, Reason: "names both a tag and a digest, which may be two images by now: give name:tag or name@digest"}
	}
	return rs.referenceOf(r)
}

// Knows reports whether host is one of the client's registries (Docker Hub
// always is).
func (c *Client) Knows(host string) bool {
	h := config.NormalizeHost(host)
	_, ok := c.registries[h]
	return ok || h == domain.DockerHub
}
