package main

import (
	"fmt"

	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// registrySetup is what every registry command starts from: wharf's config,
// the docker config, the registries they name, and a client for them.
type registrySetup struct {
	config *registryclient.Config
	docker *registryclient.DockerConfig
	known  []registryclient.Registry
	client *registryclient.Client
}

// registries reads both config files; a bad wharf config is an error that
// names the file, line and field.
func (a *app) registries() (*registrySetup, error) {
	cfg, err := registryclient.LoadConfig(registryclient.DefaultConfigPath(a.env))
	if err != nil {
		return nil, err
	}
	dc, err := registryclient.LoadDockerConfig(localcache.DockerConfigDir(a.env))
	if err != nil {
		return nil, err
	}
	known := registryclient.Known(cfg, dc)
	opts := []registryclient.Option{registryclient.WithKeychain(dc.Keychain()), registryclient.WithRegistries(known)}
	// The cache only makes things faster: without it wharf still works.
	if cache, err := registryclient.OpenCache(registryclient.DefaultCacheDir(a.env), registryclient.DefaultCacheSize); err == nil {
		opts = append(opts, registryclient.WithCache(cache))
	} else {
		fmt.Fprintln(a.stderr, "wharf: no cache:", err)
	}
	// Changes are journaled so they can be undone; without a journal the
	// client refuses to change anything, and reading still works.
	if j, err := registryclient.OpenJournal(registryclient.DefaultDataDir(a.env)); err == nil {
		opts = append(opts, registryclient.WithJournal(j))
	} else {
		fmt.Fprintln(a.stderr, "wharf: no journal, so no changes to registries:", err)
	}
	if cfg.DigestConcurrency > 0 {
		opts = append(opts, registryclient.WithDigestConcurrency(cfg.DigestConcurrency))
	}
	c, err := registryclient.New(opts...)
	if err != nil {
		return nil, err
	}
	return &registrySetup{config: cfg, docker: dc, known: known, client: c}, nil
}
