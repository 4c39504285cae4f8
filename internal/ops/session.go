// Package ops is what wharf does across the engine and the registries, for
// the CLI and the app alike: it opens a session (wharf's config, the docker
// credentials, the registry client, the journal, the engine), pushes with
// the journal and the overwrite guard, tags and pushes, pulls, compares the
// local tags with their registries, undoes journaled changes, and runs the
// embedded demo. The CLI's subcommands and the app's panes call the same
// functions, and the results carry their warnings, so both say the same
// words.
//
// It imports the clients (registryclient, localcache) and the journal, and
// nothing of the terminal: the views declare the interfaces they need and
// cmd/wharf hands them what this package builds.
package ops

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/deadline"
	"github.com/wharf-dev/wharf/internal/demo"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// Session is what every command and the app start from: wharf's config,
// the docker config, the registries they name, a client for them and the
// journal its changes go to.
type Session struct {
	Env    config.Env
	Config *config.Config
	Docker *config.Docker
	// Known are the registries wharf knows, configured ones first.
	Known  []config.Registry
	Client *registryclient.Client
	// Journal records every change before it is made; nil when it could not
	// be opened, and then nothing is changed (Notes says why).
	Journal *journal.Journal
	// Demo is set for the embedded demo registry: its changes go to a
	// journal of its own, and the engine's images are not compared with it.
	Demo bool
	// DemoHost is the demo registry's host:port.
	DemoHost string
	// Notes are what opening could not do but could go on without ("no
	// cache: …"); say them to the user.
	Notes []string
	close []func()
}

// Open reads both config files (a bad wharf config is an error naming the
// file, line and field), opens the cache and the journal, and makes the
// registry client.
func Open(env config.Env) (*Session, error) {
	cfg, err := config.Load(config.Path(env))
	if err != nil {
		return nil, err
	}
	dc, err := config.LoadCredentials(env)
	if err != nil {
		return nil, err
	}
	s := &Session{Env: env, Config: cfg, Docker: dc, Known: config.Known(cfg, dc)}
	opts := []registryclient.Option{registryclient.WithKeychain(dc.Keychain()), registryclient.WithRegistries(s.Known)}
	// The cache only makes things faster: without it wharf still works.
	if cache, err := registryclient.OpenCache(config.CacheDir(env), registryclient.DefaultCacheSize); err == nil {
		opts = append(opts, registryclient.WithCache(cache))
	} else {
		s.Notes = append(s.Notes, "no cache: "+err.Error())
	}
	// Changes are journaled so they can be undone; without a journal the
	// client refuses to change anything, and reading still works.
	if j, err := journal.Open(config.DataDir(env)); err == nil {
		s.Journal = j
		opts = append(opts, registryclient.WithJournal(j))
		s.Notes = append(s.Notes, unfinished(j)...)
	} else {
		s.Notes = append(s.Notes, "no journal, so no changes to registries: "+err.Error())
	}
	if cfg.DigestConcurrency > 0 {
		opts = append(opts, registryclient.WithDigestConcurrency(cfg.DigestConcurrency))
	}
	if cfg.RequestTimeout > 0 {
		opts = append(opts, registryclient.WithTimeout(cfg.RequestTimeout))
	}
	if s.Client, err = registryclient.New(opts...); err != nil {
		return nil, err
	}
	return s, nil
}

// StartDemo turns the session into one on the embedded demo registry,
// seeded with sample repositories: its changes go to a journal of its own,
// gone with the session. The config files it read still count (the docker
// credentials serve the engine's pushes and pulls).
func (s *Session) StartDemo(ctx context.Context) error {
	reg, err := demo.Start(ctx)
	if err != nil {
		return err
	}
	s.close = append(s.close, reg.Close)
	dir, err := os.MkdirTemp("", "wharf-demo-journal-")
	if err != nil {
		return err
	}
	s.close = append(s.close, func() { _ = os.RemoveAll(dir) })
	j, err := journal.Open(dir)
	if err != nil {
		return err
	}
	c, err := registryclient.New(registryclient.WithJournal(j))
	if err != nil {
		return err
	}
	s.Demo, s.DemoHost, s.Journal, s.Client = true, reg.Host, j, c
	s.Known = []config.Registry{{Name: reg.Host, Host: reg.Host, Source: "demo"}}
	return nil
}

// Budget is how long one of the session's operations may go without
// progress before it ends (internal/deadline): stall_timeout + 30s, so
// that reading back what was cut off still ends it within stall_timeout +
// 60s.
func (s *Session) Budget() time.Duration {
	if s.Config == nil {
		return deadline.Budget(0)
	}
	return deadline.Budget(s.Config.StallTimeout)
}

// Close ends what the session started (the demo registry).
func (s *Session) Close() {
	for i := len(s.close) - 1; i >= 0; i-- {
		s.close[i]()
	}
	s.close = nil
}

// Browsable is the first registry whose repositories can be listed without
// more setup (Docker Hub has no catalog), for the app to open on.
func (s *Session) Browsable() (config.Registry, bool) {
	for _, r := range s.Known {
		if r.Host != domain.DockerHub {
			return r, true
		}
	}
	return config.Registry{}, false
}

// Lookup is the known registry named host (by host or name), or one made
// up for an argument the user gave.
func (s *Session) Lookup(host string) config.Registry {
	for _, r := range s.Known {
		if r.Host == config.NormalizeHost(host) || r.Name == host {
			return r
		}
	}
	return config.Registry{Name: host, Host: host, Source: config.SourceArgument}
}

// Engine connects to the engine doctor would report, with registry
// credentials from the docker config for push and pull. It does not
// contact the engine: every call reports an engine that is down.
func (s *Session) Engine() (*localcache.Cache, error) {
	ep, err := localcache.ResolveEndpoint(s.Env)
	if err != nil {
		return nil, err
	}
	keychain := s.Docker.Keychain()
	return localcache.Open(ep, localcache.WithStallTimeout(s.Config.StallTimeout), localcache.WithAuth(func(_ context.Context, host string) (localcache.Auth, error) {
		reg, err := name.NewRegistry(host)
		if err != nil {
			return localcache.Auth{}, err
		}
		auth, err := keychain.Resolve(reg)
		if err != nil {
			return localcache.Auth{}, fmt.Errorf("credentials for %s: %w", host, err)
		}
		cfg, err := auth.Authorization()
		if err != nil {
			return localcache.Auth{}, err
		}
		return localcache.Auth{Username: cfg.Username, Password: cfg.Password, IdentityToken: cfg.IdentityToken, RegistryToken: cfg.RegistryToken}, nil
	}))
}

// unfinished says which journaled changes a process that is gone did not
// finish (it crashed or was killed between its steps), and how to put
// things back; and which lines of the journal had to be skipped.
func unfinished(j *journal.Journal) []string {
	entries, problems, err := j.Read()
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, p := range problems {
		out = append(out, "journal "+j.Path()+": "+p)
	}
	for _, e := range entries {
		if e.Outcome != "" || !e.Undone.IsZero() || e.Refused != "" || alive(e.PID) {
			continue
		}
		what := "the process stopped before it knew the outcome"
		if e.Placeholder != "" {
			what = "the tag may be left on wharf's placeholder " + domain.ShortDigest(e.Placeholder)
		}
		out = append(out, fmt.Sprintf("journal entry %d (%s) did not finish: %s; `wharf undo %d` puts back what it recorded", e.ID, e.Summary(), what, e.ID))
	}
	return out
}

// alive reports whether process pid is running (a change it journaled may
// still be under way).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	return syscall.Kill(pid, 0) == nil
}
