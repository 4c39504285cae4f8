package main

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/demo"
	"github.com/wharf-dev/wharf/registryclient"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/tui/theme"
)

// uiOptions decides what the app opens on: the demo registry when asked for
// or when the docker config names no registry with a catalog to browse
// (Docker Hub has none), else the first registry the config names.
func (a *app) uiOptions(ctx context.Context, wantDemo bool) (tui.Options, func(), error) {
	styles := theme.New(theme.Default(), a.env("NO_COLOR") != "")
	setup, err := a.registries()
	if err != nil {
		return tui.Options{}, nil, err
	}
	if !wantDemo {
		for _, r := range setup.known {
			if r.Host == registryclient.DockerHub {
				continue // Hub has no catalog to browse
			}
			c := setup.client
			return tui.Options{Registry: r.Host, Label: "from " + r.Source, Repos: c, Tags: c, Details: c, Styles: styles}, func() {}, nil
		}
	}
	reg, err := demo.Start(ctx)
	if err != nil {
		return tui.Options{}, nil, err
	}
	label := "embedded demo"
	if !wantDemo {
		label = "embedded demo: no registry in " + setup.docker.Path + " or " + registryclient.DefaultConfigPath(a.env)
	}
	c, err := registryclient.New()
	if err != nil {
		reg.Close()
		return tui.Options{}, nil, err
	}
	return tui.Options{Registry: reg.Host, Label: label, Repos: c, Tags: c, Details: c, Styles: styles}, reg.Close, nil
}

func (a *app) runUI(ctx context.Context, wantDemo bool) error {
	opts, closeFn, err := a.uiOptions(ctx, wantDemo)
	if err != nil {
		return err
	}
	defer closeFn()
	// The Local pane shows the engine's state itself, reachable or not.
	cache, err := a.openCache()
	if err != nil {
		return err
	}
	defer cache.Close()
	opts.Local, opts.LocalDetails = cache, cache
	p := tea.NewProgram(tui.New(opts), tea.WithContext(ctx))
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("running the app: %w", err)
	}
	return nil
}
