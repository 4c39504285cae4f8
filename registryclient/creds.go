package registryclient

import (
	"context"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// credLife is how long the credentials read for a registry's own API serve
// before they are read again: a credential helper may take seconds, and a
// listing and a delete ask for them several times.
const credLife = time.Minute

// readCreds are a host's credentials as read at a time (nil: anonymous).
type readCreds struct {
	cfg *authn.AuthConfig
	at  time.Time
}

// credentials are the docker credentials for host; nil when there are
// none (anonymous). They are read at most once a credLife (a failure is
// not kept).
func (r *reach) credentials(ctx context.Context, host string) (*authn.AuthConfig, error) {
	r.conns.mu.Lock()
	rc, ok := r.conns.creds[host]
	r.conns.mu.Unlock()
	if ok && time.Since(rc.at) < credLife {
		return rc.cfg, nil
	}
	reg, err := name.NewRegistry(host)
	if err != nil {
		return nil, err
	}
	auth, err := authn.Resolve(ctx, r.keychain, reg)
	if err != nil {
		return nil, err
	}
	var cfg *authn.AuthConfig
	if auth != authn.Anonymous {
		if cfg, err = auth.Authorization(); err != nil {
			return nil, err
		}
	}
	r.conns.mu.Lock()
	r.conns.creds[host] = readCreds{cfg: cfg, at: time.Now()}
	r.conns.mu.Unlock()
	return cfg, nil
}
