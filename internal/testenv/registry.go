package testenv

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/crypto/bcrypt"

	"github.com/wharf-dev/wharf/internal/fixtures"
)

// Kind names a registry variant of the test environment.
type Kind string

// The registry variants. The first four are registry:2 (distribution 2.8 from
// Debian's docker-registry); V3 is distribution v3, which deletes manifests by
// tag and pages tag lists.
const (
	Anonymous Kind = "anonymous"
	Basic     Kind = "basic"
	TLS       Kind = "tls"
	Token     Kind = "token"
	V3        Kind = "v3"
)

// Kinds lists every registry variant, in the order tests report them.
var Kinds = []Kind{Anonymous, Basic, TLS, Token, V3}

// RegistryOptions chooses a variant and its settings.
type RegistryOptions struct {
	Kind Kind
	// DisableDelete leaves storage.delete off, as registry:2 ships.
	DisableDelete bool
	// TokenLifetime is how long tokens of the Token variant last (default
	// 5 minutes; the registry allows a minute of clock skew past it).
	TokenLifetime time.Duration
}

// Registry is one running registry server on 127.0.0.1.
type Registry struct {
	Kind Kind
	// Host is host:port, the registry part of a reference.
	Host string
	// CAFile is the PEM file of the CA that signed a TLS registry's certificate.
	CAFile string
	// DeleteEnabled mirrors storage.delete.enabled.
	DeleteEnabled bool
	dir           string
	ca            *authority
	tokens        *tokenServer
	proc          *process
	bin, cfg      string
}

// StartRegistry writes a config for the variant and runs the registry binary:
// docker-registry (2.8) for all but V3, distribution v3's registry for V3.
func StartRegistry(ctx context.Context, opts RegistryOptions) (*Registry, error) {
	bin, err := registryBinary(opts.Kind)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "wharf-registry-"+string(opts.Kind)+"-")
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	r := &Registry{Kind: opts.Kind, Host: addr, DeleteEnabled: !opts.DisableDelete, dir: dir}
	cfg, err := r.writeConfig(opts)
	if err != nil {
		r.cleanup()
		return nil, err
	}
	r.bin, r.cfg = bin, cfg
	if err := r.serve(ctx); err != nil {
		r.cleanup()
		return nil, err
	}
	return r, nil
}

// serve runs the registry on its address and waits until it answers.
func (r *Registry) serve(ctx context.Context) error {
	var err error
	r.proc, err = startProcess("registry "+string(r.Kind), filepath.Join(r.dir, "registry.log"), r.bin, "serve", r.cfg)
	if err != nil {
		return err
	}
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := r.proc.waitFor(waitCtx, r.ping); err != nil {
		_ = r.proc.stop(10 * time.Second)
		return err
	}
	return nil
}

// GarbageCollect stops the registry, runs its garbage collector (which
// frees the blobs no manifest references any more) and starts it again on
// the same address.
func (r *Registry) GarbageCollect(ctx context.Context) error {
	if err := r.proc.stop(10 * time.Second); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, r.bin, "garbage-collect", r.cfg).CombinedOutput()
	if err != nil {
		return fmt.Errorf("garbage-collect: %w\n%s", err, out)
	}
	return r.serve(ctx)
}

func registryBinary(k Kind) (string, error) {
	if k == V3 {
		return lookBinary("WHARF_REGISTRY_V3", filepath.Join(moduleRoot(), ".tools", "bin", "registry"))
	}
	return lookBinary("WHARF_REGISTRY_V2", "docker-registry")
}

// moduleRoot walks up from the working directory to the directory of go.mod.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func (r *Registry) writeConfig(opts RegistryOptions) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n")
	fmt.Fprintf(&b, "storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: %t\n", filepath.Join(r.dir, "data"), r.DeleteEnabled)
	fmt.Fprintf(&b, "http:\n  addr: %s\n  secret: wharf-test-secret\n", r.Host)
	switch r.Kind {
	case TLS:
		ca, err := newAuthority("wharf test CA")
		if err != nil {
			return "", err
		}
		r.ca = ca
		r.CAFile = filepath.Join(r.dir, "ca.pem")
		if err := os.WriteFile(r.CAFile, ca.pem, 0o600); err != nil {
			return "", err
		}
		cert, key := filepath.Join(r.dir, "server.pem"), filepath.Join(r.dir, "server-key.pem")
		if err := ca.issueServer(cert, key); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "  tls:\n    certificate: %s\n    key: %s\n", cert, key)
	case Basic:
		htpasswd := filepath.Join(r.dir, "htpasswd")
		if err := writeHtpasswd(htpasswd); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "auth:\n  htpasswd:\n    realm: wharf-test\n    path: %s\n", htpasswd)
	case Token:
		ts, err := newTokenServer()
		if err != nil {
			return "", err
		}
		if opts.TokenLifetime > 0 {
			ts.lifetime = opts.TokenLifetime
		}
		r.tokens = ts
		bundle := filepath.Join(r.dir, "token-root.pem")
		if err := os.WriteFile(bundle, ts.auth.pem, 0o600); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n",
			ts.realm(), tokenService, tokenIssuer, bundle)
	}
	path := filepath.Join(r.dir, "config.yml")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

func writeHtpasswd(path string) error {
	var b strings.Builder
	for _, user := range []string{AdminUser, ReaderUser} {
		hash, err := bcrypt.GenerateFromPassword([]byte(passwords[user]), bcrypt.MinCost)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s:%s\n", user, hash)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// Scheme is "https" for the TLS variant and "http" for the others.
func (r *Registry) Scheme() string {
	if r.Kind == TLS {
		return "https"
	}
	return "http"
}

// URL is the registry's base URL, e.g. http://127.0.0.1:41234.
func (r *Registry) URL() string { return r.Scheme() + "://" + r.Host }

// Transport is an HTTP transport that trusts the registry's CA when it has one.
func (r *Registry) Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if r.ca != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: r.ca.pool(), MinVersion: tls.VersionTLS12}
	}
	return t
}

// Auth returns the credentials of user for this registry; "" is anonymous.
func (r *Registry) Auth(user string) authn.Authenticator {
	if user == "" {
		return authn.Anonymous
	}
	return &authn.Basic{Username: user, Password: passwords[user]}
}

// Keychain returns a keychain that gives user's credentials for this
// registry and anonymous access elsewhere.
func (r *Registry) Keychain(user string) authn.Keychain {
	return KeychainFor(r.Host, r.Auth(user))
}

// KeychainFor gives auth for one host (a registry, or a proxy in front of
// one) and anonymous access elsewhere.
func KeychainFor(host string, auth authn.Authenticator) authn.Keychain {
	return hostKeychain{host: host, auth: auth}
}

type hostKeychain struct {
	host string
	auth authn.Authenticator
}

func (k hostKeychain) Resolve(res authn.Resource) (authn.Authenticator, error) {
	if res.RegistryStr() == k.host {
		return k.auth, nil
	}
	return authn.Anonymous, nil
}

// Password returns the password the environment gave user.
func Password(user string) string { return passwords[user] }

// NeedsAuth reports whether the variant refuses anonymous access.
func (r *Registry) NeedsAuth() bool { return r.Kind == Basic || r.Kind == Token }

// RemoteOptions are go-containerregistry options that reach this registry as
// user (the admin for variants that need credentials when user is "").
func (r *Registry) RemoteOptions(ctx context.Context, user string) []remote.Option {
	if user == "" && r.NeedsAuth() {
		user = AdminUser
	}
	return []remote.Option{remote.WithContext(ctx), remote.WithTransport(r.Transport()), remote.WithAuth(r.Auth(user))}
}

// Repo returns the full repository name host/path in this registry.
func (r *Registry) Repo(path string) string { return r.Host + "/" + path }

func (r *Registry) ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL()+"/v2/", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: r.Transport()}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnauthorized {
		return fmt.Errorf("GET /v2/: %s", resp.Status)
	}
	return nil
}

// Stop stops the registry and its token server and removes its storage.
func (r *Registry) Stop() error {
	var err error
	if r.proc != nil {
		err = r.proc.stop(10 * time.Second)
	}
	r.cleanup()
	return err
}

func (r *Registry) cleanup() {
	if r.tokens != nil {
		r.tokens.close()
	}
	_ = os.RemoveAll(r.dir)
}

// TokenRealm is the token server's URL (Token variant only).
func (r *Registry) TokenRealm() string {
	if r.tokens == nil {
		return ""
	}
	return r.tokens.realm()
}

// TokensIssued counts the tokens the Token variant's server has issued.
func (r *Registry) TokensIssued() int64 {
	if r.tokens == nil {
		return 0
	}
	return r.tokens.issued.Load()
}

// Seed pushes the standard fixture catalog (fixtures.Standard) as the admin.
func (r *Registry) Seed(ctx context.Context) error {
	if err := fixtures.Push(ctx, r.Host, fixtures.Standard(), r.RemoteOptions(ctx, "")...); err != nil {
		return fmt.Errorf("seeding the %s registry: %w", r.Kind, err)
	}
	return nil
}
