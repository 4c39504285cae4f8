package registryclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/registryclient/distribution"
	"github.com/wharf-dev/wharf/registryclient/provider"
)

// Capabilities is what a probe found out about a registry.
type Capabilities = domain.Capabilities

// ProbeTTL is how long a probe's answer is trusted before Capabilities asks
// again; UnsureProbeTTL when it could not tell whether deletes work (a
// fault, a proxy): a passing fault is not remembered for a day.
const (
	ProbeTTL       = 24 * time.Hour
	UnsureProbeTTL = 5 * time.Minute
)

// probeDigest names no manifest: asking to delete it, or for its referrers,
// shows what the registry supports and changes nothing.
const probeDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// probeRepository is asked about when the registry shows no repository of
// its own.
const probeRepository = "wharf-probe/capabilities"

// deletesDisabledNote is what the probe says of a registry:2 with deletes
// turned off.
const deletesDisabledNote = "deletes are disabled (registry:2: storage.delete.enabled: false)"

// GCNote is what a user of a distribution registry must know of deletes
// (distribution.GCNote).
const GCNote = distribution.GCNote

// Capabilities returns what the registry can do: from memory, else from the
// disk cache when younger than ProbeTTL, else from a new probe.
func (c *Probes) Capabilities(ctx context.Context, host string) (Capabilities, error) {
	if caps, ok := c.CachedCapabilities(host); ok {
		return caps, nil
	}
	return c.Probe(ctx, host)
}

// CachedCapabilities returns a probe's answer without the network (memory,
// then the disk cache), when there is one younger than ProbeTTL.
func (c *Probes) CachedCapabilities(host string) (Capabilities, bool) {
	key := config.NormalizeHost(host)
	c.conns.mu.Lock()
	caps, ok := c.conns.probes[key]
	c.conns.mu.Unlock()
	if !ok && c.cache != nil {
		caps, ok = c.cache.Probe(key)
	}
	if !ok || time.Since(caps.ProbedAt) > caps.TTL(ProbeTTL, UnsureProbeTTL) {
		return Capabilities{}, false
	}
	c.conns.mu.Lock()
	c.conns.probes[key] = caps
	c.conns.mu.Unlock()
	return caps, true
}

// forgetProbe drops what the client knows of host's capabilities (a delete
// found the probe wrong): the next delete probes again.
func (c *Probes) forgetProbe(host string) {
	key := config.NormalizeHost(host)
	c.conns.mu.Lock()
	delete(c.conns.probes, key)
	c.conns.mu.Unlock()
	if c.cache != nil {
		c.cache.ForgetProbe(key)
	}
}

// Probe asks the registry afresh what it can do, with requests that change
// nothing: /v2/ (reachable, auth), /v2/_catalog with n=1 and n=1001 (catalog,
// page size and its cap), DELETE of a tag and of a digest that do not exist
// (404 means supported, 400 by-digest-only, 405 deletes disabled) and the
// referrers of that digest. A reachable registry's answer is cached; an
// unreachable one's is returned with Reachable false and the error.
func (c *Probes) Probe(ctx context.Context, host string) (Capabilities, error) {
	caps := Capabilities{
		Registry: config.NormalizeHost(host), ProbedAt: time.Now().UTC(),
		Catalog: domain.Unknown, CatalogPageHonoured: domain.Unknown,
		TagDelete: domain.Unknown, ManifestDelete: domain.Unknown, Referrers: domain.Unknown,
	}
	ping, err := c.Ping(ctx, host)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return caps, err
		}
		caps.Error = c.Redact(err.Error())
		return caps, nil
	}
	return c.ProbePinged(ctx, host, ping)
}

// ProbePinged is Probe for a registry whose /v2/ was just asked (doctor
// pings first for its own report).
func (c *Probes) ProbePinged(ctx context.Context, host string, ping PingResult) (Capabilities, error) {
	caps := Capabilities{
		Registry: config.NormalizeHost(host), ProbedAt: time.Now().UTC(), Reachable: true,
		Catalog: domain.Unknown, CatalogPageHonoured: domain.Unknown,
		TagDelete: domain.Unknown, ManifestDelete: domain.Unknown, Referrers: domain.Unknown,
	}
	caps.Scheme, caps.Auth, caps.Realm, caps.Service = ping.Scheme, ping.Auth, ping.Realm, ping.Service
	caps.Server, caps.DistributionAPI = ping.Server, ping.DistributionAPI
	caps.TLS = c.tlsState(caps.Registry, ping.Scheme)
	if ping.LoginErr != nil {
		caps.Notes = append(caps.Notes, "the credentials were refused, so this is what an anonymous user may do: "+ping.LoginErr.Error())
	}
	reg, err := c.registries.parseRegistry(host)
	if err != nil {
		return caps, err
	}
	repo := c.probeCatalog(ctx, reg, ping.Scheme, &caps)
	c.probeRepository(ctx, reg.Repo(repo), ping.Scheme, &caps)
	prov := c.Provider(host)
	caps.Kind = prov.Name()
	if d, ok := prov.(provider.APIDeleter); ok {
		caps.DeleteVia = d.DeletesThroughAPI(ctx)
	}
	if caps.DeleteVia != "" {
		if caps.ManifestDelete == domain.Unsupported {
			// The registry API deletes nothing, but the kind's own API does.
			caps.Notes = slices.DeleteFunc(caps.Notes, func(n string) bool { return n == deletesDisabledNote })
			caps.Notes = append(caps.Notes, "the registry API deletes nothing here; wharf deletes a tag through "+caps.DeleteVia)
		}
	}
	caps.Notes = append(caps.Notes, prov.Notes(caps)...)
	caps.Paths = prov.Paths(caps)
	// What the registry said goes into the cache on disk: never a
	// credential.
	for i, n := range caps.Notes {
		caps.Notes[i] = c.Redact(n)
	}
	caps.Error = c.Redact(caps.Error)
	c.conns.mu.Lock()
	c.conns.probes[caps.Registry] = caps
	c.conns.mu.Unlock()
	if c.cache != nil {
		_ = c.cache.PutProbe(caps)
	}
	return caps, nil
}

// tlsState says how the connection to host is secured.
func (c *Probes) tlsState(host, scheme string) string {
	r := c.registries[host]
	switch {
	case scheme == "http":
		return domain.TLSPlainHTTP
	case r.Insecure:
		return domain.TLSInsecure
	case r.CAFile != "":
		return domain.TLSCustomCA
	}
	return domain.TLSVerified
}

// probeCatalog asks for one repository, then for more than registry:2
// allows, and returns a repository to probe further (one of the registry's
// own, a configured one, or a name of wharf's).
func (c *Probes) probeCatalog(ctx context.Context, reg name.Registry, scheme string, caps *Capabilities) string {
	repo := probeRepository
	if r := c.registries[caps.Registry]; len(r.Repositories) > 0 {
		repo = r.Repositories[0]
	}
	hc, err := c.net.scopedClient(ctx, reg, reg.Scope(transport.CatalogScope))
	if errors.Is(err, ErrDenied) || errors.Is(err, ErrUnauthorized) {
		caps.Catalog = domain.Unsupported
		caps.Notes = append(caps.Notes, "the catalog is refused to these credentials: repositories come from wharf's config")
		return repo
	}
	if err != nil {
		caps.Notes = append(caps.Notes, "catalog: "+err.Error())
		return repo
	}
	base := scheme + "://" + reg.RegistryStr() + "/v2/_catalog?n="
	resp, body, err := probeRequest(ctx, hc, http.MethodGet, base+"1")
	if err != nil {
		caps.Notes = append(caps.Notes, "catalog: "+err.Error())
		return repo
	}
	if resp.StatusCode != http.StatusOK {
		caps.Catalog = domain.Unsupported
		caps.Notes = append(caps.Notes, fmt.Sprintf("the catalog answers %d: repositories come from wharf's config (or Hub's and GitHub's APIs)", resp.StatusCode))
		return repo
	}
	caps.Catalog = domain.Supported
	var page struct {
		Repositories []string `json:"repositories"`
	}
	if err := json.Unmarshal(body, &page); err == nil {
		switch {
		case len(page.Repositories) > 1:
			caps.CatalogPageHonoured = domain.Unsupported
		case len(page.Repositories) == 1:
			caps.CatalogPageHonoured = domain.Supported
			repo = page.Repositories[0]
		}
	}
	over := distribution.PageSize + 1
	resp, body, err = probeRequest(ctx, hc, http.MethodGet, base+strconv.Itoa(over))
	if err == nil && resp.StatusCode == http.StatusBadRequest && strings.Contains(string(body), "PAGINATION_NUMBER_INVALID") {
		caps.PageSizeLimit = distribution.PageSize
		if caps.CatalogPageHonoured == domain.Unknown {
			caps.CatalogPageHonoured = domain.Supported
		}
	}
	return repo
}

// probeRepository asks, about a tag and a digest that do not exist in repo,
// whether they could be deleted, and for the digest's referrers.
func (c *Probes) probeRepository(ctx context.Context, repo name.Repository, scheme string, caps *Capabilities) {
	hc, err := c.net.scopedClient(ctx, repo.Registry, repo.Scope(transport.DeleteScope))
	if err != nil {
		// A token server may refuse delete rights outright: pull is enough
		// for the referrers.
		hc, err = c.net.scopedClient(ctx, repo.Registry, repo.Scope(transport.PullScope))
	}
	if err != nil {
		caps.Notes = append(caps.Notes, "repository checks: "+err.Error())
		return
	}
	base := scheme + "://" + repo.RegistryStr() + "/v2/" + repo.RepositoryStr()
	tag := "wharf-probe-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	resp, body, err := probeRequest(ctx, hc, http.MethodDelete, base+"/manifests/"+tag)
	if err != nil {
		caps.Notes = append(caps.Notes, c.probeFailed("delete by tag", repo.RegistryStr(), err))
	} else {
		switch {
		case resp.StatusCode == http.StatusNotFound && !registryAnswer(body):
			// A 404 without a registry's error body is a proxy's or a
			// router's: it says nothing of deletes.
			caps.Notes = append(caps.Notes, "delete by tag: unknown, a 404 without a registry error (a proxy in front?)")
		case resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusAccepted:
			caps.TagDelete = domain.Supported
		case resp.StatusCode == http.StatusBadRequest, resp.StatusCode == http.StatusMethodNotAllowed, resp.StatusCode == http.StatusNotImplemented:
			caps.TagDelete = domain.Unsupported
		default:
			caps.Notes = append(caps.Notes, rightsNote("delete by tag", resp.StatusCode))
		}
	}
	resp, body, err = probeRequest(ctx, hc, http.MethodDelete, base+"/manifests/"+probeDigest)
	if err != nil {
		caps.Notes = append(caps.Notes, c.probeFailed("delete by digest", repo.RegistryStr(), err))
	} else {
		switch {
		case resp.StatusCode == http.StatusNotFound && !registryAnswer(body):
			caps.Notes = append(caps.Notes, "delete by digest: unknown, a 404 without a registry error (a proxy in front?)")
		case resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusAccepted:
			caps.ManifestDelete = domain.Supported
		case resp.StatusCode == http.StatusMethodNotAllowed:
			caps.ManifestDelete = domain.Unsupported
			caps.TagDelete = domain.Unsupported
			caps.Notes = append(caps.Notes, deletesDisabledNote)
		default:
			caps.Notes = append(caps.Notes, rightsNote("delete by digest", resp.StatusCode))
		}
	}
	resp, body, err = probeRequest(ctx, hc, http.MethodGet, base+"/referrers/"+probeDigest)
	if err != nil {
		caps.Notes = append(caps.Notes, c.probeFailed("referrers", repo.RegistryStr(), err))
	} else {
		switch {
		case resp.StatusCode == http.StatusOK:
			caps.Referrers = domain.Supported
		case resp.StatusCode == http.StatusNotFound && strings.Contains(string(body), "NAME_UNKNOWN"):
			// The route exists (a registry without the API answers from
			// its router, not with a registry error) but the repository
			// does not: ask again once there is one.
			caps.Notes = append(caps.Notes, "referrers: unknown until the registry holds a repository")
		case resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusMethodNotAllowed, resp.StatusCode == http.StatusBadRequest:
			caps.Referrers = domain.Unsupported
		default:
			caps.Notes = append(caps.Notes, rightsNote("referrers", resp.StatusCode))
		}
	}
}

// probeFailed says why a check could not tell: a token server that
// refuses the scope fails the request before it is sent.
func (c *Probes) probeFailed(what, host string, err error) string {
	err = c.net.classify("probe", host, err)
	switch {
	case errors.Is(err, ErrDenied):
		return rightsNote(what, http.StatusForbidden)
	case errors.Is(err, ErrUnauthorized):
		return rightsNote(what, http.StatusUnauthorized)
	}
	return what + ": unknown: " + err.Error()
}

func rightsNote(what string, status int) string {
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return fmt.Sprintf("%s: unknown, these credentials may not ask (%d)", what, status)
	}
	return fmt.Sprintf("%s: unknown, the registry answered %d", what, status)
}

// registryAnswer reports whether a body is a registry's error answer
// ({"errors":[{"code":…}]}), not a proxy's or router's.
func registryAnswer(body []byte) bool {
	var e struct {
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	return json.Unmarshal(body, &e) == nil && len(e.Errors) > 0 && e.Errors[0].Code != ""
}

// probeRequest sends one request and reads a little of the answer.
func probeRequest(ctx context.Context, hc *http.Client, method, u string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, body, err
}

// scopedClient is an HTTP client that authenticates to reg with the user's
// credentials for scope, the way go-containerregistry does.
func (r *reach) scopedClient(ctx context.Context, reg name.Registry, scope string) (*http.Client, error) {
	host := reg.RegistryStr()
	auth, err := authn.Resolve(ctx, r.keychain, reg)
	if err != nil {
		return nil, err
	}
	rt, err := transport.NewWithContext(ctx, reg, auth, r.transportFor(host), []string{scope})
	if err != nil {
		return nil, r.classify("authenticate", host, err)
	}
	return &http.Client{Transport: rt}, nil
}
