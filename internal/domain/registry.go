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

// TTL is how long the probe is trusted: sure, or unsure when it could not
// tell whether deletes work.
func (c Capabilities) TTL(sure, unsure time.Duration) time.Duration {
	if c.TagDelete == Unknown || c.ManifestDelete == Unknown {
		return unsure
	}
	return sure
}

// Capabilities is what a registry can do, found out once by a probe and
// cached: delete-tag chooses its path by it, doctor and the Repositories
// pane show it.
type Capabilities struct {
	Registry string `json:"registry"`
	// Kind is the kind of registry wharf reaches it as ("distribution",
	// "Docker Hub", …).
	Kind      string    `json:"kind,omitempty"`
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
	// Server and DistributionAPI are what /v2/ says of the software: its
	// Server header and its Docker-Distribution-Api-Version header.
	Server          string `json:"server,omitempty"`
	DistributionAPI string `json:"distributionApi,omitempty"`
	// Notes are what a user should know: why something is unknown, and that
	// a distribution registry frees no space until its garbage collector
	// runs.
	Notes []string `json:"notes,omitempty"`
	// Paths say which way each action goes on this kind of registry (its
	// own API, or the distribution API and how).
	Paths []ActionPath `json:"paths,omitempty"`
	// DeleteVia names the API a tag delete goes through when it is the
	// registry's own ("Docker Hub's API"), not the distribution API.
	DeleteVia string `json:"deleteVia,omitempty"`
}

// ActionPath is the way one action goes on a registry: "delete tag" through
// "Docker Hub's API: DELETE /v2/repositories/{namespace}/{name}/tags/{tag}/".
type ActionPath struct {
	Action string `json:"action"`
	Path   string `json:"path"`
}

// RunsDistribution reports whether the registry looks like distribution
// (registry:2, v3, or a registry built on it): it speaks the distribution
// API and no Server header names other software (Artifactory, Nexus,
// Harbor, Quay, zot, …). A generic web server in front (nginx) does not
// count against it.
func (c Capabilities) RunsDistribution() bool {
	if c.DistributionAPI == "" {
		return false
	}
	server := strings.ToLower(c.Server)
	for _, other := range []string{"artifactory", "jfrog", "nexus", "harbor", "quay", "zot", "azure", "google", "amazon", "gitea", "forgejo"} {
		if strings.Contains(server, other) {
			return false
		}
	}
	return true
}

// Badge is the short form shown next to a registry's name, e.g.
// "https verified · bearer · catalog · del:tag".
func (c Capabilities) Badge() string {
	if !c.Reachable {
		return "unreachable"
	}
	var parts []string
	if c.Kind != "" && c.Kind != "distribution" {
		parts = append(parts, c.Kind)
	}
	scheme := c.Scheme
	if c.Scheme == "https" && c.TLS != TLSVerified {
		scheme += " (" + c.TLS + ")"
	}
	parts = append(parts, scheme)
	parts = append(parts, c.Auth)
	if c.Catalog == Supported {
		parts = append(parts, "catalog")
	} else {
		parts = append(parts, "no catalog")
	}
	switch {
	case c.DeleteVia != "":
		parts = append(parts, "deletes via its API")
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

// Age says how long ago the probe ran, e.g. "3h ago".
func (c Capabilities) Age(now time.Time) string { return HumanAge(now.Sub(c.ProbedAt)) + " ago" }

// HumanAge is a duration as people read an age: "<1m", "5m", "3h", "2d".
func HumanAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "<1m"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
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

// Low reports whether a tenth of the budget or less is left (background
// work slows down then).
func (b RateBudget) Low() bool { return b.Limit > 0 && b.Remaining*10 <= b.Limit }

// String is the budget for the status bar, e.g. "pulls 87/100 per 6h".
func (b RateBudget) String() string {
	s := fmt.Sprintf("pulls %d/%d", b.Remaining, b.Limit)
	if b.Window > 0 {
		s += " per " + strings.TrimSuffix(strings.TrimSuffix(b.Window.Round(time.Minute).String(), "0s"), "0m")
	}
	return s
}

// RateWait is wharf waiting out a registry's 429 (Too Many Requests)
// before it asks again.
type RateWait struct {
	Registry string
	// Until is when the request is sent again; zero when the wait is over.
	Until time.Time
	// Retry counts the waits of this one request (1 for the first), of
	// Of at the most before it fails.
	Retry, Of int
	// Budget is what the registry last said of its limit, when it did.
	Budget *RateBudget
}

// Text says it for the status bar at now: whose limit, how long still,
// and why, e.g. "rate limited by docker.io, retrying in 12 s (pulls
// 0/100 per 6h)".
func (w RateWait) Text(now time.Time) string {
	left := max(w.Until.Sub(now).Round(time.Second), 0)
	s := fmt.Sprintf("rate limited by %s, retrying in %d s", w.Registry, int(left/time.Second))
	why := "the registry answered 429 Too Many Requests"
	if w.Budget != nil && w.Budget.Limit > 0 {
		why = w.Budget.String()
	}
	if w.Retry > 1 {
		why += fmt.Sprintf(", wait %d of %d", w.Retry, max(w.Of, w.Retry))
	}
	return s + " (" + why + ")"
}

// SyncState is how a local tag stands against the same tag in its registry.
type SyncState string

// The states of a local tag against its registry.
const (
	// SyncUpToDate: the local image's digest for the repository is the
	// remote tag's.
	SyncUpToDate SyncState = "up to date"
	// SyncStale: the remote tag holds another image (see SyncStatus.Moved).
	SyncStale SyncState = "stale"
	// SyncLocalOnly: the registry has no such tag.
	SyncLocalOnly SyncState = "local only"
	// SyncRemoteOnly: a tag of the repository that is not local.
	SyncRemoteOnly SyncState = "remote only"
	// SyncUnknown: the registry could not be asked (Err says why).
	SyncUnknown SyncState = "unknown"
)

// SyncStatus is one tag's state between the engine and its registry.
type SyncStatus struct {
	// Reference is the tag in full, e.g. "registry.local:5000/app:1.0";
	// Local is how the engine names it ("app:1.0" for Docker Hub's).
	Reference  string    `json:"reference"`
	Local      string    `json:"local,omitempty"`
	Repository string    `json:"repository"`
	Tag        string    `json:"tag"`
	State      SyncState `json:"state"`
	// LocalID is the local image; LocalDigest its manifest digest in this
	// repository ("" when it was never pushed there or pulled from it).
	LocalID      string    `json:"localID,omitempty"`
	LocalDigest  string    `json:"localDigest,omitempty"`
	RemoteDigest string    `json:"remoteDigest,omitempty"`
	LocalCreated time.Time `json:"localCreated,omitzero"`
	// RemoteCreated is known for stale tags.
	RemoteCreated time.Time `json:"remoteCreated,omitzero"`
	// Moved: stale because the remote tag moved since the local image came
	// from (or went to) the registry; else the local image was built here
	// and never pushed.
	Moved bool   `json:"moved,omitempty"`
	Err   string `json:"error,omitempty"`
}

// Sync actions: what brings a tag in line.
const (
	SyncPull = "pull"
	SyncPush = "push"
)

// Action is what brings the tag in line: pull the newer remote image, push
// the local one, or nothing.
func (s SyncStatus) Action() string {
	switch {
	case s.State == SyncRemoteOnly, s.State == SyncStale && s.Moved:
		return SyncPull
	case s.State == SyncLocalOnly, s.State == SyncStale:
		return SyncPush
	}
	return ""
}

// Mark is the one-character sign of the state in the Local pane.
func (s SyncState) Mark() string {
	switch s {
	case SyncUpToDate:
		return "="
	case SyncStale:
		return "≠"
	case SyncLocalOnly:
		return "+"
	case SyncRemoteOnly:
		return "-"
	case SyncUnknown:
		return "?"
	}
	return " "
}

// Kinds of artifact that refer to an image.
const (
	KindSignature   = "signature"
	KindAttestation = "attestation"
	KindSBOM        = "sbom"
	// KindReferrers is the OCI referrers tag schema's fallback tag
	// (sha256-<hex>, an index of what refers to the image) on registries
	// without the referrers API.
	KindReferrers = "referrers"
)

// cosignSuffixes are the tags cosign puts next to an image, by kind; the
// bare sha256-<hex> last, the referrers tag schema's.
var cosignSuffixes = []struct{ suffix, kind string }{
	{".sig", KindSignature}, {".att", KindAttestation}, {".sbom", KindSBOM}, {"", KindReferrers},
}

// CosignSuffix is the tag suffix cosign uses for kind ("" for others).
func CosignSuffix(kind string) string {
	for _, s := range cosignSuffixes {
		if s.kind == kind {
			return s.suffix
		}
	}
	return ""
}

// CosignSubject says whether a tag is a companion tag of an image — cosign's
// sha256-<hex>.sig/.att/.sbom, or the referrers tag schema's sha256-<hex> —
// and of which digest. Companions live and die with their image.
func CosignSubject(tag string) (digest, kind string, ok bool) {
	for _, s := range cosignSuffixes {
		hex, found := strings.CutSuffix(tag, s.suffix)
		if !found {
			continue
		}
		hex, found = strings.CutPrefix(hex, "sha256-")
		if found && len(hex) == 64 && strings.Trim(hex, "0123456789abcdef") == "" {
			return "sha256:" + hex, s.kind, true
		}
	}
	return "", "", false
}

// CosignFold is a tag list with cosign's companion tags taken out.
type CosignFold struct {
	// Tags are the ordinary tags, in the order given.
	Tags []string
	// Companions are the companion tags by the digest they belong to, and
	// Kinds what they say of it (KindSignature, KindAttestation, KindSBOM).
	Companions map[string][]string
	Kinds      map[string]map[string]bool
}

// FoldCosign takes cosign's sha256-<hex>.sig/.att/.sbom tags out of tags
// and files them under the digest they belong to.
func FoldCosign(tags []string) CosignFold {
	f := CosignFold{Companions: map[string][]string{}, Kinds: map[string]map[string]bool{}}
	for _, t := range tags {
		d, kind, ok := CosignSubject(t)
		if !ok {
			f.Tags = append(f.Tags, t)
			continue
		}
		f.Companions[d] = append(f.Companions[d], t)
		if f.Kinds[d] == nil {
			f.Kinds[d] = map[string]bool{}
		}
		f.Kinds[d][kind] = true
	}
	return f
}

// Registry hosts wharf treats specially.
const (
	// DockerHub is how wharf names Docker Hub's registry.
	DockerHub = "docker.io"
	// GHCR is GitHub's container registry.
	GHCR = "ghcr.io"
)

// HubBudgetReference is what Docker documents for reading Docker Hub's pull
// budget with a HEAD, which costs no pull.
const HubBudgetReference = "docker.io/ratelimitpreview/test:latest"

// Badge is the short mark of the kinds of artifact an image has, in a
// fixed order: "sig", "att", "sbom" joined by "+" ("sig+att").
func Badge(kinds map[string]bool) string {
	var parts []string
	for _, k := range []struct{ kind, short string }{{KindSignature, "sig"}, {KindAttestation, "att"}, {KindSBOM, "sbom"}, {KindReferrers, "ref"}} {
		if kinds[k.kind] {
			parts = append(parts, k.short)
		}
	}
	return strings.Join(parts, "+")
}

// PlatformImage is one platform's image of an index, with what it shares
// with the index's other platforms.
type PlatformImage struct {
	Platform Platform `json:"platform"`
	// Size is the image's manifest, config and compressed layers.
	Size   int64   `json:"size"`
	Layers []Layer `json:"layers"`
	// Shared counts the layers another platform of the index has too, and
	// SharedSize their bytes (stored once in the registry).
	Shared     int   `json:"shared"`
	SharedSize int64 `json:"sharedSize"`
}

// ShareLayers fills each platform's Shared and SharedSize.
func ShareLayers(ps []PlatformImage) {
	owners := map[string]int{}
	for _, p := range ps {
		seen := map[string]bool{}
		for _, l := range p.Layers {
			if !seen[l.Digest] {
				seen[l.Digest] = true
				owners[l.Digest]++
			}
		}
	}
	for i := range ps {
		ps[i].Shared, ps[i].SharedSize = 0, 0
		for _, l := range ps[i].Layers {
			if owners[l.Digest] > 1 {
				ps[i].Shared++
				ps[i].SharedSize += l.Size
			}
		}
	}
}

// RepositorySettings are what a registry's own API says decides what a
// repository keeps (ECR: its tag mutability and lifecycle policy).
type RepositorySettings struct {
	Repository string `json:"repository"`
	Kind       string `json:"kind"`
	// TagMutability is MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION or
	// MUTABLE_WITH_EXCLUSION; MutabilityExclusions the exclusions' filters.
	TagMutability        string   `json:"tagMutability,omitempty"`
	MutabilityExclusions []string `json:"mutabilityExclusions,omitempty"`
	ScanOnPush           bool     `json:"scanOnPush,omitempty"`
	// LifecyclePolicy is the policy's text ("" when there is none).
	LifecyclePolicy string `json:"lifecyclePolicy,omitempty"`
}
