package domain

import (
	"fmt"
	"strings"
	"time"
)

// Support is what a probe found out about one capability of a registry.
type Support string

// The answers a probe can give. Unknown means the registry did not let wharf
// find out (usually: the credentials lack the rights to ask).
const (
	Supported   Support = "yes"
	Unsupported Support = "no"
	Unknown     Support = "unknown"
)

// How a registry's connection is secured.
const (
	TLSVerified  = "verified"
	TLSCustomCA  = "verified (ca_file)"
	TLSInsecure  = "not verified (insecure in config)"
	TLSPlainHTTP = "plain HTTP"
)

// Capabilities is what a registry can do, found out once by a probe and
// cached: delete-tag chooses its path by it, doctor and the Repositories
// pane show it.
type Capabilities struct {
	Registry  string    `json:"registry"`
	ProbedAt  time.Time `json:"probedAt"`
	Reachable bool      `json:"reachable"`
	// Error says why the registry could not be probed.
	Error string `json:"error,omitempty"`
	// Scheme is "https" or "http".
	Scheme string `json:"scheme,omitempty"`
	// TLS is one of the TLS* constants.
	TLS string `json:"tls,omitempty"`
	// Auth is "none", "basic" or "bearer"; Realm and Service are a bearer
	// challenge's parameters.
	Auth    string `json:"auth,omitempty"`
	Realm   string `json:"realm,omitempty"`
	Service string `json:"service,omitempty"`
	// Catalog: whether /v2/_catalog lists repositories for these
	// credentials.
	Catalog Support `json:"catalog"`
	// CatalogPageHonoured: whether a page size asked for is kept to.
	CatalogPageHonoured Support `json:"catalogPageHonoured"`
	// PageSizeLimit is the largest page size the registry accepts, when it
	// refuses larger ones (registry:2 ≥ 2.8: 1000); 0 when none was found.
	PageSizeLimit int `json:"pageSizeLimit,omitempty"`
	// TagDelete: DELETE of a manifest by tag (OCI distribution 1.1).
	TagDelete Support `json:"tagDelete"`
	// ManifestDelete: DELETE of a manifest by digest
	// (storage.delete.enabled on distribution).
	ManifestDelete Support `json:"manifestDelete"`
	// Referrers: the OCI 1.1 referrers API answers.
	Referrers Support `json:"referrers"`
	// Notes are what a user should know: why something is unknown, and that
	// a distribution registry frees no space until its garbage collector
	// runs.
	Notes []string `json:"notes,omitempty"`
}

// Badge is the short form shown next to a registry's name, e.g.
// "https verified · bearer · catalog · del:tag".
func (c Capabilities) Badge() string {
	if !c.Reachable {
		return "unreachable"
	}
	parts := []string{c.Scheme}
	if c.Scheme == "https" && c.TLS != TLSVerified {
		parts[0] += " (" + c.TLS + ")"
	}
	parts = append(parts, c.Auth)
	if c.Catalog == Supported {
		parts = append(parts, "catalog")
	} else {
		parts = append(parts, "no catalog")
	}
	switch {
	case c.ManifestDelete == Unsupported:
		parts = append(parts, "deletes off")
	case c.TagDelete == Supported:
		parts = append(parts, "delete by tag")
	case c.ManifestDelete == Supported:
		parts = append(parts, "delete by digest")
	default:
		parts = append(parts, "deletes ?")
	}
	if c.Referrers == Supported {
		parts = append(parts, "referrers")
	}
	return strings.Join(parts, " · ")
}

// Age says how long ago the probe ran, for "probed 3h ago".
func (c Capabilities) Age(now time.Time) string {
	d := now.Sub(c.ProbedAt)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

// RateBudget is a registry's request budget as its last answer stated it in
// the ratelimit-limit and ratelimit-remaining headers (Docker Hub's pull
// limit: "100;w=21600" is 100 pulls per 21600 seconds).
type RateBudget struct {
	Registry  string        `json:"registry"`
	Limit     int           `json:"limit"`
	Remaining int           `json:"remaining"`
	Window    time.Duration `json:"window"`
	// At is when the registry said so.
	At time.Time `json:"at"`
}

// Low: a tenth of the budget or less is left; background work slows down.
func (b RateBudget) Low() bool { return b.Limit > 0 && b.Remaining*10 <= b.Limit }

// String is the budget for the status bar, e.g. "pulls 87/100 per 6h".
func (b RateBudget) String() string {
	s := fmt.Sprintf("pulls %d/%d", b.Remaining, b.Limit)
	if b.Window > 0 {
		s += " per " + strings.TrimSuffix(strings.TrimSuffix(b.Window.Round(time.Minute).String(), "0s"), "0m")
	}
	return s
}
