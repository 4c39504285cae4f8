package main

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/details"
	"github.com/wharf-dev/wharf/views/files"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// demoLabel starts the status bar's label of the embedded demo.
const demoLabel = "embedded demo"

// runUI opens the app on the first registry the config files name that has
// a catalog to browse (Docker Hub has none), or on the embedded demo when
// asked for or when they name none.
func (a *app) runUI(ctx context.Context, wantDemo bool) error {
	s, err := a.session()
	if err != nil {
		return err
	}
	defer s.Close()
	reg, ok := s.Browsable()
	label := "from " + reg.Source
	if wantDemo || !ok {
		label = demoLabel
		if !wantDemo {
			label = demoLabel + ": no registry in " + s.Docker.Path + " or " + config.Path(a.env)
		}
		if err := s.StartDemo(ctx); err != nil {
			return err
		}
		reg = s.Known[0]
	}
	// The Local pane shows the engine's state itself, reachable or not.
	eng, err := s.Engine()
	if err != nil {
		return err
	}
	defer eng.Close()
	opts := tui.Options{
		Remote: ops.NewRemote(s), Local: ops.NewLocal(s, eng),
		Registry: reg.Host, Label: label, PushTargets: []string{reg.Host}, Notes: s.Notes,
		Styles: theme.New(userTheme(s.Config.Theme), a.env("NO_COLOR") != ""),
		Keys:   s.Config.Bindings(),
	}
	if !s.Demo {
		opts.Registries = make([]string, 0, len(s.Known))
		for _, o := range s.Known {
			opts.Registries = append(opts.Registries, o.Host)
			if o.Host != reg.Host {
				opts.PushTargets = append(opts.PushTargets, o.Host)
			}
		}
	}
	p := tea.NewProgram(tui.New(opts), tea.WithContext(ctx))
	if _, err := p.Run(); err != nil {
		return fmt.Errorf("running the app: %w", err)
	}
	return nil
}

// userTheme is the default palette with the config file's colours.
func userTheme(t config.Theme) theme.Theme {
	return theme.Default().Colours(t.Accent, t.Muted, t.Danger, t.OK, t.Warn)
}

// What the app finds out by type, checked here at compile time: ops.Remote
// and ops.Local do all the app offers.
var (
	_ tui.Remote             = (*ops.Remote)(nil)
	_ tags.Changer           = (*ops.Remote)(nil)
	_ tags.PlaceholderSource = (*ops.Remote)(nil)
	_ tags.KnownSource       = (*ops.Remote)(nil)
	_ files.Source           = (*ops.Remote)(nil)
	_ files.Source           = (*ops.Local)(nil)
	_ files.ProgressSource   = (*ops.Remote)(nil)
	_ files.ProgressSource   = (*ops.Local)(nil)
	_ details.PackageLister  = (*ops.Remote)(nil)
	_ details.PackageLister  = (*ops.Local)(nil)
	_ details.VulnReader     = (*ops.Remote)(nil)
	_ details.DeepDiffer     = (*ops.Remote)(nil)
	_ tags.BulkDeleter       = (*ops.Remote)(nil)
	_ tags.BulkCopier        = (*ops.Remote)(nil)
	_ local.Batcher          = (*ops.Local)(nil)
	_ repos.KnownLister      = (*ops.Remote)(nil)
	_ repos.RepoDeleter      = (*ops.Remote)(nil)
	_ repos.RegistryEditor   = (*ops.Remote)(nil)
	_ details.Differ         = (*ops.Remote)(nil)
	_ details.ReferrerLister = (*ops.Remote)(nil)
	_ details.PlatformLister = (*ops.Remote)(nil)
	_ repos.Prober           = (*ops.Remote)(nil)
	_ tui.BudgetReader       = (*ops.Remote)(nil)
	_ tui.UserNamer          = (*ops.Remote)(nil)
	_ tui.RateWaiter         = (*ops.Remote)(nil)
	_ tui.Local              = (*ops.Local)(nil)
	_ local.Changer          = (*ops.Local)(nil)
	_ local.Syncer           = (*ops.Local)(nil)
	_ details.LocalDiffer    = (*ops.Local)(nil)
)
