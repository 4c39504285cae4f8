package main

import (
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/tui"
	"github.com/wharf-dev/wharf/views/details"
	"github.com/wharf-dev/wharf/views/files"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/tags"
)

// The app finds what the registries and the engine can do by the
// interfaces they implement (tui.Options): an ability lost here would
// vanish from the app without a word, so each one the app is handed is
// held at compile time.
var (
	_ tui.Remote             = (*ops.Remote)(nil)
	_ repos.KnownLister      = (*ops.Remote)(nil)
	_ repos.Prober           = (*ops.Remote)(nil)
	_ repos.RegistryEditor   = (*ops.Remote)(nil)
	_ repos.RepoDeleter      = (*ops.Remote)(nil)
	_ tags.Changer           = (*ops.Remote)(nil)
	_ tags.CreatedSource     = (*ops.Remote)(nil)
	_ tags.KnownSource       = (*ops.Remote)(nil)
	_ tags.Retainer          = (*ops.Remote)(nil)
	_ tags.ListedSource      = (*ops.Remote)(nil)
	_ tags.PlaceholderSource = (*ops.Remote)(nil)
	_ tags.FactsSource       = (*ops.Remote)(nil)
	_ tags.BulkDeleter       = (*ops.Remote)(nil)
	_ tags.BulkCopier        = (*ops.Remote)(nil)
	_ details.ReferrerLister = (*ops.Remote)(nil)
	_ details.DeepDiffer     = (*ops.Remote)(nil)
	_ details.VulnReader     = (*ops.Remote)(nil)
	_ details.PackageLister  = (*ops.Remote)(nil)
	_ details.Differ         = (*ops.Remote)(nil)
	_ details.PlatformLister = (*ops.Remote)(nil)
	_ files.Source           = (*ops.Remote)(nil)
	_ files.ProgressSource   = (*ops.Remote)(nil)
	_ tui.Redactor           = (*ops.Remote)(nil)
	_ tui.JournalWatcher     = (*ops.Remote)(nil)
	_ tui.UserNamer          = (*ops.Remote)(nil)
	_ tui.BudgetReader       = (*ops.Remote)(nil)
	_ tui.RateWaiter         = (*ops.Remote)(nil)

	_ tui.Local             = (*ops.Local)(nil)
	_ local.Changer         = (*ops.Local)(nil)
	_ local.Batcher         = (*ops.Local)(nil)
	_ local.Syncer          = (*ops.Local)(nil)
	_ details.LocalDiffer   = (*ops.Local)(nil)
	_ details.PackageLister = (*ops.Local)(nil)
	_ files.Source          = (*ops.Local)(nil)
	_ files.ProgressSource  = (*ops.Local)(nil)
)
