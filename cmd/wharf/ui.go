package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/demo"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/theme"
	"github.com/wharf-dev/wharf/views/tags"
)

// uiOptions decides what the app opens on: the demo registry when asked for
// or when the docker config names no registry with a catalog to browse
// (Docker Hub has none), else the first registry the config names.
func (a *app) uiOptions(ctx context.Context, wantDemo bool) (tui.Options, *registryclient.Client, func(), error) {
	styles := theme.New(theme.Default(), a.env("NO_COLOR") != "")
	setup, err := a.registries()
	if err != nil {
		return tui.Options{}, nil, nil, err
	}
	if !wantDemo {
		for _, r := range setup.known {
			if r.Host == registryclient.DockerHub {
				continue // Hub has no catalog to browse
			}
			c := setup.client
			targets := []string{r.Host}
			for _, o := range setup.known {
				if o.Host != r.Host {
					targets = append(targets, o.Host)
				}
			}
			hosts := make([]string, 0, len(setup.known))
			for _, o := range setup.known {
				hosts = append(hosts, o.Host)
			}
			return tui.Options{Registry: r.Host, Label: "from " + r.Source, Repos: c, Tags: c, Changer: changerOf(c), Details: c, Differ: c, Referrers: c, Platforms: c, Prober: c, Budget: c, Styles: styles, PushTargets: targets, User: c.User(r.Host), UserOf: c.User, Registries: hosts}, c, func() {}, nil
		}
	}
	reg, err := demo.Start(ctx)
	if err != nil {
		return tui.Options{}, nil, nil, err
	}
	label := demoLabel
	if !wantDemo {
		label = demoLabel + ": no registry in " + setup.docker.Path + " or " + registryclient.DefaultConfigPath(a.env)
	}
	// The demo's changes go to a journal of its own, gone with the demo.
	dir, err := os.MkdirTemp("", "wharf-demo-journal-")
	if err != nil {
		reg.Close()
		return tui.Options{}, nil, nil, err
	}
	closeAll := func() { reg.Close(); _ = os.RemoveAll(dir) }
	j, err := registryclient.OpenJournal(dir)
	if err != nil {
		closeAll()
		return tui.Options{}, nil, nil, err
	}
	c, err := registryclient.New(registryclient.WithJournal(j))
	if err != nil {
		closeAll()
		return tui.Options{}, nil, nil, err
	}
	return tui.Options{Registry: reg.Host, Label: label, Repos: c, Tags: c, Changer: changerOf(c), Details: c, Differ: c, Referrers: c, Platforms: c, Prober: c, Budget: c, Styles: styles, PushTargets: []string{reg.Host}}, c, closeAll, nil
}

// demoLabel starts the status bar's label of the embedded demo.
const demoLabel = "embedded demo"

// localSync compares the engine's tags with their registries for the
// Local pane.
type localSync struct {
	cache *localcache.Cache
	c     *registryclient.Client
}

func (l localSync) SyncStatus(ctx context.Context) ([]domain.SyncStatus, error) {
	return syncStatus(ctx, l.cache, l.c, nil, false)
}

// changerOf is the Tags pane's way to change the registry, or nil (a
// read-only app) when the client has no journal.
func changerOf(c *registryclient.Client) tags.Changer {
	if c.Journal() == nil {
		return nil
	}
	return remoteChanges{c}
}

// remoteChanges adapts registryclient to the Tags pane's Changer.
type remoteChanges struct{ c *registryclient.Client }

func (r remoteChanges) DeleteTag(ctx context.Context, ref string) (domain.DeleteResult, error) {
	return r.c.DeleteTag(ctx, ref)
}

func (r remoteChanges) Retag(ctx context.Context, src, tag string, overwrite bool) (domain.WriteResult, error) {
	return r.c.Retag(ctx, src, tag, overwrite)
}

func (r remoteChanges) Copy(ctx context.Context, src, dest string, overwrite bool, progress func(domain.CopyProgress)) (domain.WriteResult, error) {
	return r.c.Copy(ctx, src, dest, registryclient.CopyOptions{Overwrite: overwrite, Progress: progress})
}

// UndoLast undoes the newest journal entry not undone yet.
func (r remoteChanges) UndoLast(ctx context.Context) (domain.UndoResult, error) {
	e, err := r.c.Journal().Last()
	if err != nil {
		return domain.UndoResult{}, err
	}
	return r.c.Undo(ctx, e, false)
}

func (a *app) runUI(ctx context.Context, wantDemo bool) error {
	opts, client, closeFn, err := a.uiOptions(ctx, wantDemo)
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
	opts.LocalChanger = localChanges{c: cache, rc: client}
	// The demo's registry holds none of the engine's images: no marks
	// there, and no requests to Docker Hub for them.
	if !strings.HasPrefix(opts.Label, demoLabel) {
		opts.Syncer = localSync{cache: cache, c: client}
	}
	p := tea.NewProgram(tui.New(opts), tea.WithContext(ctx))
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("running the app: %w", err)
	}
	return nil
}
