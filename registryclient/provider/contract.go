// Package provider is the contract between registryclient's Client and the
// registry kinds it reaches: the Provider interface each kind implements,
// its requests and optional abilities, the Host a provider is handed (what
// it may ask of the client: an authenticated puller, the web API doer, the
// token cache, the registry's settings), and the typed errors every kind
// returns. The kinds live in packages of their own beside it
// (registryclient/distribution, hub, ghcr, quay, acr, gar, ecr); none of
// them, nor this package, imports registryclient.
package provider

import (
	"context"
	"errors"
	"iter"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/vulns"
)

// Capabilities are what a registry's probe found.
type Capabilities = domain.Capabilities

// Page is one page of a listing of repositories.
type Page = domain.CatalogPage

// PlaceholderLabel marks the placeholder images a tag delete points a tag at
// for a moment (registry:2's case); its value is the tag and a timestamp, so
// each placeholder has a digest of its own.
const PlaceholderLabel = "dev.wharf.placeholder"

// ErrTagMoved marks a failed delete that left the tag on its placeholder.
var ErrTagMoved = errors.New("the tag points at a placeholder")

// Host is what a provider asks of the client that made it, for one
// registry host or another: never the client itself.
type Host interface {
	// Classify is Classify with what the client knows of the failure
	// (its credentials taken out, a rate limit's wait).
	Classify(op, host string, err error) error
	// Puller reads host's registry API with the user's credentials.
	Puller(ctx context.Context, host string) (*remote.Puller, error)
	// ScopedClient is an HTTP client for reg's registry API with a token
	// for scope.
	ScopedClient(ctx context.Context, reg name.Registry, scope string) (*http.Client, error)
	// ParseRegistry reads host as a registry (plain HTTP for loopback and
	// insecure ones).
	ParseRegistry(host string) (name.Registry, error)
	// Settings are what wharf's config says of host (zero for none).
	Settings(host string) config.Registry
	// APIBase is the base URL of host's own API: what its settings name,
	// else def.
	APIBase(host, def string) string
	// WebAPI is the base URL of a vendor API wharf was pointed at ("hub",
	// "github"; tests point them at contract servers).
	WebAPI(vendor string) string
	// User is who host is reached as ("" anonymous, "token" for a token).
	User(host string) string
	// Credentials are the docker credentials for host (nil: anonymous).
	Credentials(ctx context.Context, host string) (*authn.AuthConfig, error)
	// Call sends a web API request (see APICall) and decodes its JSON
	// answer into v.
	Call(ctx context.Context, a APICall, v any) (http.Header, error)
	// Tokens keeps the web APIs' access tokens for the client.
	Tokens() *TokenCache
	// Shared is per-client state a provider keeps under key (ECR's SDK
	// clients), made once with make.
	Shared(key string, mk func() (any, error)) (any, error)
}

// RawManifest is manifest bytes as go-containerregistry writes them: put
// exactly as they are, so the digest does not change.
type RawManifest struct {
	Bytes []byte
	Type  types.MediaType
}

// RawManifest returns the bytes.
func (r RawManifest) RawManifest() ([]byte, error) { return r.Bytes, nil }

// MediaType returns the media type.
func (r RawManifest) MediaType() (types.MediaType, error) { return r.Type, nil }

// ManifestOf is d's manifest as it was read.
func ManifestOf(d *remote.Descriptor) RawManifest { return RawManifest{d.Manifest, d.MediaType} }

// Provider is how wharf reaches one kind of registry: the distribution API
// for registry:2, distribution v3 and most others, and a registry's own API
// where that falls short (Docker Hub and GHCR list repositories through
// their web APIs). The Client picks one per host and asks it.
//
// Adding a kind is adding a package under registryclient/: a type that
// embeds distribution.Distribution (or distribution.OwnAPI) and overrides
// what its registry does differently, made from a Host; one line in
// registryclient's kinds.go registers it with the hosts it serves; and a
// test against a server in the registry's documented shape.
//
// Two names: a kind's id is what `provider:` in config.yaml says and what
// it is registered as ("hub", "gar", "gcr"); Name is what people call it
// ("Docker Hub", "Google Artifact Registry"), for messages and doctor.
type Provider interface {
	// Name is the registry kind for people ("distribution", "Docker Hub").
	Name() string
	// Repositories lists the registry's repositories page by page.
	Repositories(ctx context.Context, host string) iter.Seq2[Page, error]
	// TagPages lists a repository's tags page by page, with what the
	// registry's API says of each (a digest, when it says one, spares the
	// HEAD that would find it).
	TagPages(ctx context.Context, repo name.Repository) iter.Seq2[[]domain.TagInfo, error]
	// DeleteTag removes exactly one tag (see DeleteRequest).
	DeleteTag(ctx context.Context, w *remote.Pusher, req DeleteRequest) (domain.DeletePath, error)
	// Notes are what a user of this kind of registry must know, given what
	// its probe found (distribution: deletes free no space until the
	// garbage collector runs).
	Notes(caps Capabilities) []string
	// BudgetReference is a reference whose HEAD tells the registry's
	// request budget and costs none of it ("" when there is none).
	BudgetReference() string
	// Paths say which way each action goes, given the probe (doctor shows
	// them).
	Paths(caps Capabilities) []domain.ActionPath
	// CheckDelete refuses, before anything is journaled, a delete this
	// registry will not take (distribution with deletes disabled).
	CheckDelete(caps Capabilities) error
	// Guard refuses, before anything is journaled or sent, a write to one
	// tag this registry will refuse (ACR's locked tags, ECR's immutable
	// ones), with the reason and how to change it.
	Guard(ctx context.Context, w TagWrite) error
	// PutTag points tag at a manifest the repository holds (retag, undo).
	PutTag(ctx context.Context, w *remote.Pusher, tag name.Tag, m remote.Taggable) error
}

// APIDeleter is a provider that deletes a tag through its registry's own
// API (for these credentials), not the distribution API: it names that
// API ("" when it does not, as Quay without an OAuth token).
type APIDeleter interface {
	DeletesThroughAPI(ctx context.Context) string
}

// SettingsReader is a provider whose API tells a repository's settings
// (ECR: tag mutability, lifecycle policy).
type SettingsReader interface {
	Lifecycle(ctx context.Context, repo name.Repository) (domain.RepositorySettings, error)
}

// ScanReader is a provider whose registry scans images (ECR).
type ScanReader interface {
	ScanFindings(ctx context.Context, repo name.Repository, digest string) (vulns.Report, bool, error)
}

// CatalogHinter is a provider that says, when its registry refuses the
// catalog, where its repositories are listed.
type CatalogHinter interface {
	CatalogHint() string
}

// TagWrite is one write to a tag, as Guard is asked about it.
type TagWrite struct {
	Op  string
	Tag name.Tag
	// Delete: the tag is deleted; else it is pointed at a manifest.
	Delete bool
	// Exists: the tag exists now (a put moves it).
	Exists bool
}

// DeleteRequest is one tag delete as the client hands it to a provider.
type DeleteRequest struct {
	Tag name.Tag
	// Current is what the tag points at; Shared says other tags do too.
	Current *remote.Descriptor
	Shared  bool
	// Caps is what the registry's probe found.
	Caps Capabilities
	// Placeholder, when the provider points the tag at a placeholder on
	// its way, runs with the placeholder's digest first (the journal
	// records it, so a crash between the steps can be undone).
	Placeholder func(digest string) error
	// ProbeWrong runs when the registry refused a path the probe said it
	// takes (the cached probe is then forgotten).
	ProbeWrong func()
}
