package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views/details"
	"github.com/wharf-dev/wharf/views/files"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// Options are what the app shows and where it gets it.
type Options struct {
	// Remote is the registries; Local the engine (see their docs for what
	// else each may do).
	Remote Remote
	Local  Local
	// Registry is the host whose repositories the app opens on, Label
	// what the status bar says of it ("demo", "from config"…).
	Registry string
	Label    string
	// Registries are the hosts the Repositories pane can switch between
	// (esc there lists them).
	Registries []string
	// PushTargets are the registries P offers, the usual one first.
	PushTargets []string
	Styles      *theme.Styles
	// Clock is what the app reads the time from (time.Now when nil);
	// tests fix it.
	Clock func() time.Time
	// Notes are what opening found the user must know (a change a crashed
	// wharf did not finish, no journal): the status bar and the errors page
	// say them.
	Notes []string
	// Keys are the user's key bindings (checked by CheckKeys first); the
	// help page shows them.
	Keys []domain.KeyBinding
}

// Redactor takes every credential it knows of, in every encoding, out of
// a message (registryclient's Client does).
type Redactor interface {
	Redact(msg string) string
}

// redactorOf is r's Redact, or domain.Redact (what looks like a
// credential) when it has none.
func redactorOf(r Remote) func(string) string {
	if x, ok := r.(Redactor); ok {
		return x.Redact
	}
	return func(s string) string { return domain.Redact(s) }
}

// Remote is the registries as the app reads them. A Remote that can do
// more says so by implementing more, and the app offers it:
//   - tags.Changer: retag, copy, delete a tag, undo (unless Writable()
//     says false, when it implements Writable);
//   - details.Differ, details.ReferrerLister, details.PlatformLister:
//     compare, signatures, the multi-arch explorer;
//   - repos.Prober: what each registry can do;
//   - BudgetReader: a registry's request budget in the status bar;
//   - UserNamer: who each registry is reached as;
//   - Redactor: takes the credentials it knows of out of a message.
type Remote interface {
	repos.Lister
	tags.Source
	details.Describer
}

// Local is the engine as the app reads it. It offers local.Changer (tag,
// untag, push, pull) and local.Syncer (marks against the registries,
// unless Syncs() says false, when it implements Syncs) when it implements
// them.
type Local interface {
	local.Source
	details.Describer
}

// JournalWatcher reports journal entries that are new or changed (a
// Remote that is one keeps the panes in step with other wharf processes
// and the CLI).
type JournalWatcher interface {
	JournalChanges(ctx context.Context) <-chan []domain.JournalEntry
}

// journalChangedMsg carries a batch of changed entries and the stream.
type journalChangedMsg struct {
	entries []domain.JournalEntry
	stream  <-chan []domain.JournalEntry
}

// watchJournal waits for the next batch of changed journal entries.
func watchJournal(stream <-chan []domain.JournalEntry) tea.Cmd {
	if stream == nil {
		return nil
	}
	return func() tea.Msg {
		es, ok := <-stream
		if !ok {
			return nil
		}
		return journalChangedMsg{entries: es, stream: stream}
	}
}

// UserNamer says who a registry is reached as ("" for anonymous); never a
// secret. It may ask a credential helper, so the app asks it in a command.
type UserNamer interface {
	User(host string) string
}

// changerOf is what may change r's registries, or nil (read-only).
func changerOf(r Remote) tags.Changer {
	ch, ok := r.(tags.Changer)
	if w, says := r.(interface{ Writable() bool }); !ok || says && !w.Writable() {
		return nil
	}
	return ch
}

// localChangerOf is what may change the engine, or nil.
func localChangerOf(l Local) local.Changer {
	ch, _ := l.(local.Changer)
	return ch
}

// syncerOf is what compares the engine with the registries, or nil.
func syncerOf(l Local) local.Syncer {
	s, ok := l.(local.Syncer)
	if y, says := l.(interface{ Syncs() bool }); !ok || says && !y.Syncs() {
		return nil
	}
	return s
}

// sourcesOf are what the Details pane reads from.
func sourcesOf(opts Options) details.Sources {
	src := details.Sources{Remote: opts.Remote, Local: opts.Local}
	src.Differ, _ = opts.Remote.(details.Differ)
	src.Referrers, _ = opts.Remote.(details.ReferrerLister)
	src.Platforms, _ = opts.Remote.(details.PlatformLister)
	src.LocalDiffer, _ = opts.Local.(details.LocalDiffer)
	src.Files, _ = opts.Remote.(files.Source)
	src.LocalFiles, _ = opts.Local.(files.Source)
	src.Packages, _ = opts.Remote.(details.PackageLister)
	src.LocalPackages, _ = opts.Local.(details.PackageLister)
	src.Vulns, _ = opts.Remote.(details.VulnReader)
	src.Deep, _ = opts.Remote.(details.DeepDiffer)
	return src
}

// userMsg says who a registry is reached as.
type userMsg struct {
	host, user string
}

// lookUpUser asks who host is reached as, off the UI goroutine: a
// credential helper may take seconds.
func lookUpUser(r Remote, host string) tea.Cmd {
	u, ok := r.(UserNamer)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		done := make(chan string, 1)
		go func() { done <- u.User(host) }()
		select {
		case name := <-done:
			return userMsg{host: host, user: name}
		case <-time.After(userLookupTimeout):
			return userMsg{host: host, user: "?"}
		}
	}
}

// userLookupTimeout is how long the status bar waits for a credential
// helper before it says it does not know.
const userLookupTimeout = 10 * time.Second

// budgetReaderOf is what tells registries' request budgets, or nil.
func budgetReaderOf(r Remote) BudgetReader {
	b, _ := r.(BudgetReader)
	return b
}
