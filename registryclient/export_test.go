package registryclient

import (
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
)

// WithCrashAfterJournal makes every change stop with err right after its
// journal entry is written, before the registry is asked: a crash.
func WithCrashAfterJournal(err error) Option {
	return func(c *Client) { c.afterJournal = func(domain.JournalEntry) error { return err } }
}

// ProviderHint is providerHint, for the table test of cloud hosts.
var ProviderHint = providerHint

// JournalOf is the journal a test client was made with.
func JournalOf(c *Client) *journal.Journal { return c.journal.(*journal.Journal) }
