package domain

import "time"

// RepoSnapshot is what wharf last saw of a repository: its tag list and
// each tag's digest, with when each was fetched.
type RepoSnapshot struct {
	Repository string               `json:"repository"`
	Tags       []string             `json:"tags"`
	TagsAt     time.Time            `json:"tagsFetched"`
	Digests    map[string]string    `json:"digests"`
	DigestsAt  map[string]time.Time `json:"digestsFetched"`
}

// FreshDigest is tag's cached digest when it was fetched within maxAge of
// now ("" when there is none that young).
func (s RepoSnapshot) FreshDigest(tag string, maxAge time.Duration, now time.Time) string {
	d := s.Digests[tag]
	if d == "" || maxAge <= 0 {
		return ""
	}
	if at, ok := s.DigestsAt[tag]; !ok || now.Sub(at) > maxAge {
		return ""
	}
	return d
}

// CatalogSnapshot is a registry's repository list as wharf last fetched it
// whole.
type CatalogSnapshot struct {
	Host         string
	Repositories []string
	At           time.Time
}

// RegistrySettings are what wharf's config says of a registry.
type RegistrySettings struct {
	Host, Name   string
	Insecure     bool
	CAFile       string
	Repositories []string
	Namespaces   []string
}
