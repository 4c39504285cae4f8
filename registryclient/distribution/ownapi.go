package distribution

import (
	"strings"

	"github.com/wharf-dev/wharf/registryclient/provider"
)

// OwnAPI is what the providers that speak their registry's own API share:
// the distribution API for images, the host they serve, no garbage
// collector to run (the registry frees its own storage), and deletes that
// go through that API whatever the registry API says of DELETE.
type OwnAPI struct {
	Distribution
	// Host is the registry host the provider serves.
	Host string
}

// NewOwnAPI is the base of a provider of host that speaks its own API.
func NewOwnAPI(h provider.Host, host string) OwnAPI {
	return OwnAPI{Distribution: Distribution{Client: h}, Host: host}
}

// Notes — the registry frees its own storage.
func (OwnAPI) Notes(provider.Capabilities) []string { return nil }

// CheckDelete — the provider's API deletes; a locked tag is Guard's.
func (OwnAPI) CheckDelete(provider.Capabilities) error { return nil }

// ConfiguredPage yields the repositories configured for the host, when there
// are any, as the listing's first page; false when yield asked to stop.
func (o OwnAPI) ConfiguredPage(yield func(provider.Page, error) bool) bool {
	r := o.Client.Settings(o.Host)
	if len(r.Repositories) == 0 {
		return true
	}
	return yield(provider.Page{Items: r.Repositories, Configured: true, Note: o.Host + ": configured repositories"}, nil)
}

// OnHost is the base URL of an API on the registry's own host (ACR's,
// Quay's), or the one `api:` names.
func (o OwnAPI) OnHost() string {
	scheme := "https"
	if reg, err := o.Client.ParseRegistry(o.Host); err == nil {
		scheme = reg.Scheme()
	}
	return o.Client.APIBase(o.Host, scheme+"://"+o.Host)
}

// The clouds' registries that wharf reaches through the distribution API
// alone: they list their repositories through their own APIs (and CLIs),
// not the catalog, so a refused catalog says which command lists them.

// GCRServes reports whether h is gcr.io: Google's older Container Registry (its repositories
// now live in Artifact Registry, whose gcloud command lists them): another
// kind than gar's *-docker.pkg.dev, and so another name.
func GCRServes(h string) bool { return h == "gcr.io" || strings.HasSuffix(h, ".gcr.io") }

// GCR is the provider of gcr.io.
func GCR(h provider.Host, _ string) provider.Provider {
	return cloud{Distribution{Client: h, Hint: " (Google Container Registry: `gcloud artifacts docker images list gcr.io/PROJECT` lists them)"}, "Google Container Registry"}
}

// GitLabServes reports whether h is one of GitLab's registries.
func GitLabServes(h string) bool {
	return h == "registry.gitlab.com" || strings.HasPrefix(h, "registry.gitlab.")
}

// GitLab is the provider of GitLab's registries.
func GitLab(h provider.Host, _ string) provider.Provider {
	return cloud{Distribution{Client: h, Hint: " (GitLab: each project's Deploy › Container Registry page shows them)"}, "GitLab"}
}

// cloud is a cloud's registry, reached through the distribution API.
type cloud struct {
	Distribution
	kind string
}

func (k cloud) Name() string { return k.kind }
