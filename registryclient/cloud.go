package registryclient

import "strings"

// The clouds' registries list their repositories through their own APIs
// (and CLIs), not the catalog: until wharf speaks those APIs, they are
// distribution registries whose refused catalog says which command lists
// them.
func init() {
	for _, k := range []struct {
		id, kind, hint string
		serves         func(host string) bool
	}{
		// gcr.io is Google's older Container Registry (its repositories
		// now live in Artifact Registry, whose gcloud command lists them):
		// another kind than gar's *-docker.pkg.dev, and so another name.
		{"gcr", "Google Container Registry", "Google Container Registry: `gcloud artifacts docker images list gcr.io/PROJECT` lists them", func(h string) bool {
			return h == "gcr.io" || strings.HasSuffix(h, ".gcr.io")
		}},
		{"gitlab", "GitLab", "GitLab: each project's Deploy › Container Registry page shows them", func(h string) bool {
			return h == "registry.gitlab.com" || strings.HasPrefix(h, "registry.gitlab.")
		}},
	} {
		register(k.id, k.serves, func(c *Client, _ string) Provider {
			return cloud{distribution{c: c, hint: " (" + k.hint + ")"}, k.kind}
		})
	}
}

// cloud is a cloud's registry, reached through the distribution API.
type cloud struct {
	distribution
	kind string
}

func (k cloud) Name() string { return k.kind }
