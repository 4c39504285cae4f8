// Package contracts holds contract servers — fakes of the vendors' APIs,
// kept to the vendors' documents (the name: what they hold a provider to
// is the vendor's contract, not wharf's beliefs): the registries' own APIs
// (Docker Hub's, GitHub's, ACR's, Quay's, Artifact Registry's, ECR's) cannot
// be reached from the tests, so each provider is tested against a local
// server that speaks its API in the documented shapes, in front of
// go-containerregistry's in-process registry (the registry API those
// registries also speak). A server counts the requests it answers, by
// kind, so a test can say how many a listing took and that it sent no HEAD.
package contracts

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Server is a provider's contract server: the in-process registry behind
// the provider's API.
type Server struct {
	// Srv is the HTTP server; Srv.URL is the base of the provider's API.
	Srv *httptest.Server
	reg http.Handler
	// api answers the provider's own API and says whether r was one of its
	// routes; refuse answers what the provider's registry refuses of the
	// registry API (and says whether it did).
	api, refuse func(w http.ResponseWriter, r *http.Request) bool
	mu          sync.Mutex
	counts      map[string]int
	pushed      map[string]time.Time
	// failing is how many answers a fault (Hub's 429, ECR's throttling)
	// still takes (FailNext).
	failing int
}

// New starts a contract server: api answers the provider's own API and
// says whether r was one of its routes (nil: none); refuse answers what the
// provider's registry refuses of the registry API and says whether it did.
func New(t testing.TB, api, refuse func(k *Server, w http.ResponseWriter, r *http.Request) bool) *Server {
	t.Helper()
	k := &Server{reg: registry.New(registry.Logger(log.New(io.Discard, "", 0))), counts: map[string]int{}, pushed: map[string]time.Time{}}
	if api != nil {
		k.api = func(w http.ResponseWriter, r *http.Request) bool { return api(k, w, r) }
	}
	if refuse != nil {
		k.refuse = func(w http.ResponseWriter, r *http.Request) bool { return refuse(k, w, r) }
	}
	k.Srv = httptest.NewServer(http.HandlerFunc(k.serve))
	t.Cleanup(k.Srv.Close)
	return k
}

func (k *Server) serve(w http.ResponseWriter, r *http.Request) {
	if k.api != nil && k.api(w, r) {
		return
	}
	label := registryLabel(r)
	k.Add(label)
	if k.refuse != nil && k.refuse(w, r) {
		return
	}
	if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
		repo, ref := manifestPath(r.URL.Path)
		if !strings.HasPrefix(ref, "sha256:") {
			k.mu.Lock()
			k.pushed[repo+":"+ref] = time.Now().UTC()
			k.mu.Unlock()
		}
	}
	k.reg.ServeHTTP(w, r)
}

// registryLabel names a registry API request for the counts.
func registryLabel(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/v2/" || p == "/v2":
		return "ping"
	case p == "/v2/_catalog":
		return "catalog"
	case strings.Contains(p, "/manifests/"):
		return r.Method + " manifest"
	case strings.HasSuffix(p, "/tags/list"):
		return "tags/list"
	case strings.Contains(p, "/blobs/"):
		return r.Method + " blob"
	}
	return r.Method + " " + p
}

func manifestPath(p string) (repo, ref string) {
	i := strings.LastIndex(p, "/manifests/")
	return strings.TrimPrefix(p[:i], "/v2/"), p[i+len("/manifests/"):]
}

// Add counts a request of a kind (the API handlers count theirs).
func (k *Server) Add(label string) {
	k.mu.Lock()
	k.counts[label]++
	k.mu.Unlock()
}

// Count is how many requests of a kind the server answered since Reset.
func (k *Server) Count(label string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.counts[label]
}

// Counts are all the counts since Reset.
func (k *Server) Counts() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make(map[string]int, len(k.counts))
	for l, n := range k.counts {
		out[l] = n
	}
	return out
}

// FailNext makes the next n answers the server's API faults (each kind
// says which) fail.
func (k *Server) FailNext(n int) {
	k.mu.Lock()
	k.failing = n
	k.mu.Unlock()
}

// Failing reports whether this answer fails (FailNext), and counts it.
func (k *Server) Failing() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failing == 0 {
		return false
	}
	k.failing--
	return true
}

// Reset sets the counts to zero.
func (k *Server) Reset() {
	k.mu.Lock()
	k.counts = map[string]int{}
	k.mu.Unlock()
}

// Host is the server's host:port (a registry host for the client).
func (k *Server) Host() string { return strings.TrimPrefix(k.Srv.URL, "http://") }

// Inner asks the in-process registry directly (not counted).
func (k *Server) Inner(method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	k.reg.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

// Repos are the registry's repositories.
func (k *Server) Repos() []string {
	var body struct {
		Repositories []string `json:"repositories"`
	}
	_ = json.Unmarshal(k.Inner(http.MethodGet, "/v2/_catalog").Body.Bytes(), &body)
	// The in-process registry lists them in map order: a page must be
	// cut from a stable order, as the real APIs' are.
	slices.Sort(body.Repositories)
	return body.Repositories
}

// Tags are a repository's tags (nil when it has none).
func (k *Server) Tags(repo string) []string {
	var body struct {
		Tags []string `json:"tags"`
	}
	_ = json.Unmarshal(k.Inner(http.MethodGet, "/v2/"+repo+"/tags/list").Body.Bytes(), &body)
	return body.Tags
}

// Image is one manifest of a repository and the tags on it.
type Image struct {
	Digest string
	Tags   []string
}

// Images are a repository's tagged manifests, each with its tags, in the
// order of their first tag.
func (k *Server) Images(repo string) []Image {
	var out []Image
	at := map[string]int{}
	for _, t := range k.Tags(repo) {
		d := k.Digest(repo, t)
		i, ok := at[d]
		if !ok {
			i = len(out)
			at[d] = i
			out = append(out, Image{Digest: d})
		}
		out[i].Tags = append(out[i].Tags, t)
	}
	return out
}

// Digest is what tag points at ("" when nothing).
func (k *Server) Digest(repo, tag string) string {
	return k.Inner(http.MethodHead, "/v2/"+repo+"/manifests/"+tag).Header().Get("Docker-Content-Digest")
}

// Manifest is a manifest's bytes and media type.
func (k *Server) Manifest(repo, ref string) ([]byte, string) {
	rec := k.Inner(http.MethodGet, "/v2/"+repo+"/manifests/"+ref)
	if rec.Code != http.StatusOK {
		return nil, ""
	}
	return rec.Body.Bytes(), rec.Header().Get("Content-Type")
}

// Size is an image's config and layers added up.
func (k *Server) Size(repo, digest string) int64 {
	b, _ := k.Manifest(repo, digest)
	m, err := v1.ParseManifest(strings.NewReader(string(b)))
	if err != nil {
		return 0
	}
	size := m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
	}
	return size
}

// Described is what a registry's own API says of a manifest: what it is
// ("image", or "unrecognized" for an artifact, as Docker Hub says), its
// media type, its platform images (one for an image, each of an index's;
// none for an artifact) and its size (an index's platforms' added up).
type Described struct {
	ContentType, MediaType string
	Platforms              []PlatformImage
	Size                   int64
}

// PlatformImage is one platform's image of a manifest.
type PlatformImage struct {
	OS, Architecture, Variant, Digest string
	Size                              int64
}

// Describe reads a manifest (and an image's config) as the registries'
// APIs do before they answer.
func (k *Server) Describe(repo, digest string) Described {
	b, mt := k.Manifest(repo, digest)
	d := Described{ContentType: "image", MediaType: mt}
	if strings.Contains(mt, "index") || strings.Contains(mt, "manifest.list") {
		idx, err := v1.ParseIndexManifest(strings.NewReader(string(b)))
		if err != nil {
			return d
		}
		for _, m := range idx.Manifests {
			if m.Platform == nil || m.Platform.OS == "unknown" {
				continue
			}
			sz := k.Size(repo, m.Digest.String())
			d.Platforms = append(d.Platforms, PlatformImage{OS: m.Platform.OS, Architecture: m.Platform.Architecture, Variant: m.Platform.Variant, Digest: m.Digest.String(), Size: sz})
			d.Size += sz
		}
		return d
	}
	d.Size = k.Size(repo, digest)
	m, err := v1.ParseManifest(strings.NewReader(string(b)))
	if err != nil {
		return d
	}
	switch string(m.Config.MediaType) {
	case "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json":
	default:
		d.ContentType = "unrecognized"
		return d
	}
	cf, err := v1.ParseConfigFile(strings.NewReader(k.Inner(http.MethodGet, "/v2/"+repo+"/blobs/"+m.Config.Digest.String()).Body.String()))
	if err == nil && cf.OS != "" {
		d.Platforms = []PlatformImage{{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant, Digest: digest, Size: d.Size}}
	}
	return d
}

// Pushed is when tag was last pushed through the server.
func (k *Server) Pushed(repo, tag string) time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.pushed[repo+":"+tag]
}

// DeleteTag removes exactly one tag (the in-process registry keeps the
// manifest under its digest and its other tags).
func (k *Server) DeleteTag(repo, tag string) bool {
	return k.Inner(http.MethodDelete, "/v2/"+repo+"/manifests/"+tag).Code == http.StatusAccepted
}

// PutTag points tag at the manifest digest names.
func (k *Server) PutTag(repo, tag, digest string) bool {
	b, mt := k.Manifest(repo, digest)
	if b == nil {
		return false
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPut, "/v2/"+repo+"/manifests/"+tag, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", mt)
	k.reg.ServeHTTP(rec, req)
	if rec.Code == http.StatusCreated {
		k.mu.Lock()
		k.pushed[repo+":"+tag] = time.Now().UTC()
		k.mu.Unlock()
	}
	return rec.Code == http.StatusCreated
}

// RefuseDeletes answers a registry API DELETE as registries without one do
// (Hub, GHCR): the provider must take its own API's path.
func RefuseDeletes(_ *Server, w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodDelete {
		return false
	}
	w.WriteHeader(http.StatusMethodNotAllowed)
	_, _ = w.Write([]byte(`{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}`))
	return true
}
