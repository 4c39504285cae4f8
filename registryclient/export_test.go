package registryclient

import (
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/registryclient/ecr"
	"github.com/wharf-dev/wharf/registryclient/provider"
)

// WithCrashAfterJournal makes every change stop with err right after its
// journal entry is written, before the registry is asked: a crash.
func WithCrashAfterJournal(err error) Option {
	return func(c *Client) { c.afterJournal = func(domain.JournalEntry) error { return err } }
}

// HintOf is what host's provider says, when host refuses its catalog,
// about where its repositories are listed.
func HintOf(c *Client, host string) string {
	if h, ok := c.Provider(host).(provider.CatalogHinter); ok {
		return h.CatalogHint()
	}
	return ""
}

// JournalOf is the journal a test client was made with.
func JournalOf(c *Client) *journal.Journal {
	if r, ok := c.journal.(redactingJournal); ok {
		return r.Journal.(*journal.Journal)
	}
	return c.journal.(*journal.Journal)
}

// ParsedReference is how the client reads s: the registry, the repository
// and the tag or digest it asks for, or why not.
func ParsedReference(c *Client, s string) (registry, repository, identifier string, err error) {
	r, err := c.registries.parseReference(s)
	if err != nil {
		return "", "", "", err
	}
	return r.Context().RegistryStr(), r.Context().RepositoryStr(), r.Identifier(), nil
}

// ParsedRepository is how the client reads s as a repository.
func ParsedRepository(c *Client, s string) (registry, repository string, err error) {
	r, err := c.registries.parseRepository(s)
	if err != nil {
		return "", "", err
	}
	return r.RegistryStr(), r.RepositoryStr(), nil
}

// ECRAccountRegion are the account and region an ECR host names.
var ECRAccountRegion = ecr.AccountRegion
