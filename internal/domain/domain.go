// Package domain holds the plain types wharf's layers pass each other:
// registryclient and localcache return them, views display them — and the
// pure functions over them that more than one layer needs (tag order,
// digest groups). It imports nothing of Docker's or go-containerregistry's.
package domain

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// TagDigest is one tag of a repository and the digest it points at; Err is
// set when the digest could not be resolved.
type TagDigest struct {
	Tag    string
	Digest string
	Err    error
}

// TagInfo is one tag as a registry's tag listing describes it: the
// distribution API names only the tag; the registries with an API of
// their own (ECR, Docker Hub) say more.
type TagInfo struct {
	Tag string
	// Digest, Size and Pushed are zero when the listing does not say them.
	Digest string
	Size   int64
	Pushed time.Time
	// Platforms are an index's platform images, when the listing says them
	// (Docker Hub's does).
	Platforms []Platform
	// Immutable: the registry refuses to move or delete the tag (ACR's
	// write-enabled false, ECR's IMMUTABLE repositories).
	Immutable bool
}

// DigestGroup is a set of tags that point at one digest: one image.
type DigestGroup struct {
	Digest string
	Tags   []string
	// Signed is what companion tags say of the image ("sig+att"; "" none).
	Signed string `json:",omitempty"`
}

// Platform is one entry of a multi-platform index.
type Platform struct {
	OS, Architecture, Variant string
	Digest                    string
	Size                      int64
}

// String is os/arch[/variant], or "" when the manifest names no platform.
func (p Platform) String() string {
	if p.OS == "" && p.Architecture == "" {
		return ""
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// Layer is one layer of an image manifest.
type Layer struct {
	Digest    string
	Size      int64
	MediaType string
	// Title is the file name an artifact's layer carries
	// (org.opencontainers.image.title).
	Title string `json:",omitempty"`
}

// HistoryEntry is one step of an image's history.
type HistoryEntry struct {
	CreatedBy  string
	EmptyLayer bool
	// Created, Size, Comment and ID are known for local images (the engine's
	// history); ID is "<missing>" for steps built elsewhere.
	Created time.Time
	Size    int64
	Comment string
	ID      string
}

// Details describes a manifest: an image, or an index of platforms. For a
// local image, ID, RepoTags and RepoDigests are set too.
type Details struct {
	Reference   string
	ID          string
	RepoTags    []string
	RepoDigests []string
	Digest      string
	MediaType   string
	// Size is the manifest's size plus, for an image, its config and
	// compressed layers.
	Size      int64
	Platforms []Platform
	// Image facts, when the manifest is an image (or the chosen platform's).
	Created  time.Time
	OS, Arch string
	Labels   map[string]string
	// Annotations are the manifest's (or index's) OCI annotations.
	Annotations map[string]string
	Env         []string
	Entrypoint  []string
	Cmd         []string
	Layers      []Layer
	History     []HistoryEntry
	// ArtifactType is set for what is not a container image (a Helm chart,
	// a signature, an SBOM): the manifest's artifactType, else its
	// config's or its first layer's media type. Such a manifest has no
	// created time or platform; its layers are its files.
	ArtifactType string `json:",omitempty"`
	// Subject is the digest of the manifest an artifact is about.
	Subject string `json:",omitempty"`
	// Notes are what the reader must know about this reading, e.g. that
	// the tag given with a digest names another image by now.
	Notes []string `json:",omitempty"`
	// DiffIDs are the image's layers uncompressed (its config's
	// rootfs.diff_ids): what a local image and a remote one share.
	DiffIDs []string `json:",omitempty"`
	// ConfigDigest is a remote image's config digest: a local image's ID
	// when the engine holds the same image.
	ConfigDigest string `json:",omitempty"`
	// What docker image inspect adds for an image's config.
	User, WorkingDir string   `json:",omitempty"`
	ExposedPorts     []string `json:",omitempty"`
	Volumes          []string `json:",omitempty"`
	// Local is what the engine knows of a local image, nil for a remote one.
	Local *LocalFacts `json:",omitempty"`
}

// LocalFacts are a local image's facts beyond its config: what uses it,
// what it shares, where it came from.
type LocalFacts struct {
	// Parent is the image it was built on by the classic builder ("" when
	// none is recorded).
	Parent string `json:",omitempty"`
	// Containers use the image (running or not).
	Containers []ContainerUse `json:",omitempty"`
	// SharedSize is the part of Size in layers other images use too, -1
	// when the engine does not say; removing the image frees Size minus it.
	SharedSize int64
	// LayerSizes reports whether the layers' sizes are known: the engine
	// sizes steps, not layers, and a step of size 0 may or may not have
	// made one (WORKDIR does), so they are known when the counts agree.
	LayerSizes bool
	// RepoDigests says, for each of the image's repo digests, whether its
	// registry still has that digest: "in the registry", "gone from the
	// registry", or why it could not be told.
	RepoDigests map[string]string `json:",omitempty"`
}

// ContainerUse is a container that uses an image.
type ContainerUse struct {
	Name, State string
}

// IsArtifact reports a manifest that is not a container image.
func (d Details) IsArtifact() bool { return d.ArtifactType != "" }

// PlatformString is the image's os/arch, or "" when its config names none.
func (d Details) PlatformString() string {
	return Platform{OS: d.OS, Architecture: d.Arch}.String()
}

// ArtifactLabel is an artifact's short name with its media type, e.g.
// "Helm chart (application/vnd.cncf.helm.config.v1+json)"; the media type
// alone when it has no short name.
func ArtifactLabel(mediaType string) string {
	if name := ArtifactName(mediaType); name != mediaType {
		return name + " (" + mediaType + ")"
	}
	return mediaType
}

// ArtifactName is a short name for an artifact's media type (Helm chart,
// cosign signature, SBOM (SPDX), …), or the media type itself.
func ArtifactName(mediaType string) string {
	mt, _, _ := strings.Cut(mediaType, ";")
	switch {
	case mt == "application/vnd.cncf.helm.config.v1+json" || strings.HasPrefix(mt, "application/vnd.cncf.helm.chart"):
		return "Helm chart"
	case strings.HasPrefix(mt, "application/vnd.dev.cosign.simplesigning") || mt == "application/vnd.dev.cosign.artifact.sig.v1+json":
		return "cosign signature"
	case strings.HasPrefix(mt, "application/vnd.dev.sigstore.bundle"):
		return "Sigstore bundle"
	case mt == "application/vnd.cncf.notary.signature":
		return "Notation signature"
	case strings.HasPrefix(mt, "application/spdx") || strings.HasPrefix(mt, "text/spdx"):
		return "SBOM (SPDX)"
	case strings.HasPrefix(mt, "application/vnd.cyclonedx"):
		return "SBOM (CycloneDX)"
	case strings.HasPrefix(mt, "application/vnd.in-toto"):
		return "in-toto attestation"
	case strings.HasPrefix(mt, "application/vnd.wasm") || mt == "application/wasm" || strings.HasPrefix(mt, "application/vnd.module.wasm"):
		return "WASM module"
	case strings.HasPrefix(mt, "application/vnd.oci.image.layer") || strings.HasPrefix(mt, "application/vnd.docker.image.rootfs"):
		return "files"
	}
	return mt
}

// IsIndex reports whether the manifest lists platforms.
func (d Details) IsIndex() bool { return len(d.Platforms) > 0 }

// ShortDigest is the first 12 hex characters of a sha256 digest.
func ShortDigest(d string) string {
	const prefix = "sha256:"
	if len(d) > len(prefix)+12 && d[:len(prefix)] == prefix {
		return d[len(prefix) : len(prefix)+12]
	}
	return d
}

// HumanSize formats bytes the way docker does (kB, MB, GB; powers of 1000).
func HumanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.3g%cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// LocalImage is one image in the engine's cache with every tag that points
// at it: the engine's own grouping by image ID.
type LocalImage struct {
	ID          string
	RepoTags    []string
	RepoDigests []string
	Created     time.Time
	Size        int64
	// SharedSize is the part of Size in layers other images use too; -1
	// when the engine does not say (API < 1.42).
	SharedSize int64
	Labels     map[string]string
	// Containers names the containers (running or not) that use the image.
	Containers []string
	// Dangling is an image with no tag left (<none>:<none>) that is not an
	// intermediate build layer.
	Dangling bool
	// Intermediate is a classic builder's step: untagged, the parent of
	// another image; listed only when all images are asked for (docker
	// images -a).
	Intermediate bool `json:",omitempty"`
}

// LayerChange is a layer in a diff of two images.
type LayerChange struct {
	Digest string
	Size   int64
}

// ValueChange is a config value that differs (Old or New empty when it was
// added or removed).
type ValueChange struct {
	Key, Old, New string
}

// Diff compares two references: for indexes, their platforms; for images,
// their layers, config and history.
type Diff struct {
	A, B             Details
	PlatformsAdded   []Platform
	PlatformsRemoved []Platform
	// PlatformsChanged are platforms in both whose digests differ.
	PlatformsChanged []string
	LayersAdded      []LayerChange
	LayersRemoved    []LayerChange
	LayersShared     []LayerChange
	// Config lists changed labels ("label:KEY"), env ("env:NAME"),
	// entrypoint, cmd, os/arch.
	Config []ValueChange
	// HistoryAdded and HistoryRemoved are created_by lines in one image only.
	HistoryAdded, HistoryRemoved []string
}

// Same reports whether the two are the same image: the same manifest, or
// — a local image against a remote one — the same config (the local
// image's ID is its config's digest).
func (d Diff) Same() bool {
	if d.A.Digest != "" && d.A.Digest == d.B.Digest {
		return true
	}
	a, b := d.A.ImageID(), d.B.ImageID()
	return a != "" && a == b
}

// ImageID is a local image's ID, or a remote image's config digest.
func (d Details) ImageID() string {
	if d.ID != "" {
		return d.ID
	}
	return d.ConfigDigest
}

// Referrer is an artifact that refers to an image: a signature, an
// attestation, an SBOM, or another artifact.
type Referrer struct {
	Digest       string
	ArtifactType string
	MediaType    string
	Size         int64
	// Kind is "signature", "attestation", "sbom" or "artifact".
	Kind string
	// Tag is set for cosign-style tags (sha256-<hex>.sig, .att, .sbom); empty
	// when the referrers API (or its tag schema) listed it.
	Tag string
}

// CatalogPage is one page of a registry's repositories, delivered as it
// arrives so the first page shows at once.
type CatalogPage struct {
	Items []string
	// Configured is set when the registry refused its catalog and the
	// items are the repositories wharf's config names; Note says why.
	Configured bool
	Note       string
}

// LocalListing is the engine's image cache: one entry per image ID with all
// its tags, newest first, and what cleaning up dangling images could
// reclaim.
type LocalListing struct {
	Images []LocalImage
	// Dangling counts the dangling images; Reclaimable adds up their sizes
	// less what they share with other images when the engine says (API ≥
	// 1.42), else it is an upper bound.
	Dangling    int
	Reclaimable int64
}

// DanglingImage is a dangling image a cleanup would consider.
type DanglingImage struct {
	ID      string
	Size    int64
	Created time.Time
	// BlockedBy names the containers that keep the image; the engine does
	// not prune it while they exist.
	BlockedBy []string
}

// PrunePlan is what a dangling-image cleanup would do.
type PrunePlan struct {
	// Remove are the images the cleanup removes; Blocked those it keeps.
	Remove  []DanglingImage
	Blocked []DanglingImage
	// Total adds up the sizes of Remove (an upper bound on the space freed:
	// layers shared with other images stay).
	Total int64
}

// PruneResult is what a cleanup did.
type PruneResult struct {
	// Removed are the image IDs the engine deleted.
	Removed        []string
	SpaceReclaimed int64
}

// EngineEvent tells a view the engine's images changed, or that the engine
// went away (Err set) or came back.
type EngineEvent struct {
	Kind string // "image", "disconnected", "reconnected"
	Err  error
}

// SortImages puts images in the one order wharf shows them in, the same on
// every listing: newest first; images made at the same instant (zero or
// reproducible times: ko, bazel, nix, SOURCE_DATE_EPOCH) by name, tagged
// before dangling; then by ID. The engine's own order for ties changes from
// one listing to the next.
func SortImages(images []LocalImage) {
	sort.Slice(images, func(i, j int) bool {
		a, b := images[i], images[j]
		if !a.Created.Equal(b.Created) {
			return a.Created.After(b.Created)
		}
		an, bn := firstTag(a), firstTag(b)
		if (an == "") != (bn == "") {
			return an != ""
		}
		if an != bn {
			return an < bn
		}
		return a.ID < b.ID
	})
}

func firstTag(img LocalImage) string {
	if len(img.RepoTags) == 0 {
		return ""
	}
	return slices.Min(img.RepoTags)
}

// ImageFacts are what a tag's row shows of the image its digest names.
type ImageFacts struct {
	// Created is the image's creation time (an index's newest platform's);
	// zero when its config does not say.
	Created time.Time
	// Size is the compressed size: config and layers, the platforms' added
	// up for an index.
	Size int64
	// Platforms are os/arch[/variant], one for an image, each of an
	// index's (attestation manifests left out).
	Platforms []string
	// Artifact is the artifact type of what is not a container image.
	Artifact string
}

// KeyBinding is one of the user's key bindings from the config file: the
// keys an action of a view answers to, and where the file says so.
type KeyBinding struct {
	View, Action string
	Keys         []string
	// Line is its line in the config file.
	Line int
}

// Field is the binding's place in the config file ("keys.tags.delete").
func (b KeyBinding) Field() string { return "keys." + b.View + "." + b.Action }
