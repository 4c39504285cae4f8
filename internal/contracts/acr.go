package contracts

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ACR's credentials in the contract: an admin user's password (the password
// grant) and `az acr login`'s refresh token (the refresh_token grant, user
// 00000000-0000-0000-0000-000000000000).
const (
	ACRUser         = "acradmin"
	ACRPassword     = "acr-secret"    //nolint:gosec // a test server's made-up password
	ACRRefreshToken = "acr-refresh-1" //nolint:gosec // a test server's made-up token
	ACRAADUser      = "00000000-0000-0000-0000-000000000000"
)

// ACR is a contract server for Azure Container Registry's /acr/v1/ API:
// POST /oauth2/token (password and refresh_token grants, a token per scope),
// GET /acr/v1/_catalog, /acr/v1/{name}/_tags, /_tags/{tag} and /_manifests
// (paged with n and last, relative Link headers), DELETE
// /acr/v1/{name}/_tags/{tag} (202; 405 when the tag's deleteEnabled is
// false). Its registry API refuses DELETE, and a PUT to a tag whose
// writeEnabled is false.
type ACR struct {
	*Server
	mu    sync.Mutex
	locks map[string]map[string]bool // name:tag → attribute → value
	// repoLocked: repositories whose own deleteEnabled is false (their
	// tags' attributes still say true).
	repoLocked map[string]bool
}

// NewACR starts ACR's contract server; its API is on the registry host.
func NewACR(t testing.TB) *ACR {
	a := &ACR{locks: map[string]map[string]bool{}, repoLocked: map[string]bool{}}
	a.Server = New(t, a.api, a.refuse)
	return a
}

// Lock sets a tag's changeable attributes as `az acr repository update`
// does.
func (a *ACR) Lock(repo, tag string, deleteEnabled, writeEnabled bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.locks[repo+":"+tag] = map[string]bool{"deleteEnabled": deleteEnabled, "writeEnabled": writeEnabled}
}

// LockRepository sets a repository's own deleteEnabled false.
func (a *ACR) LockRepository(repo string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.repoLocked[repo] = true
}

func (a *ACR) repoDeletable(repo string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return !a.repoLocked[repo]
}

func (a *ACR) enabled(repo, tag, attr string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.locks[repo+":"+tag]
	return !ok || l[attr]
}

func (a *ACR) refuse(k *Server, w http.ResponseWriter, r *http.Request) bool {
	if RefuseDeletes(k, w, r) {
		return true
	}
	if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
		repo, ref := manifestPath(r.URL.Path)
		if !a.enabled(repo, ref, "writeEnabled") {
			acrError(w, http.StatusMethodNotAllowed, "OPERATION_IS_NOT_SUPPORTED", "The operation is disallowed on this registry, repository or image.")
			return true
		}
	}
	return false
}

func acrError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}

func (a *ACR) api(k *Server, w http.ResponseWriter, r *http.Request) bool {
	p := r.URL.Path
	if r.Method == http.MethodPost && p == "/oauth2/token" {
		k.Add("api token")
		_ = r.ParseForm()
		f := r.PostForm
		ok := f.Get("service") == k.Host() && (f.Get("grant_type") == "password" && f.Get("username") == ACRUser && f.Get("password") == ACRPassword ||
			f.Get("grant_type") == "refresh_token" && f.Get("refresh_token") == ACRRefreshToken)
		if !ok {
			acrError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required, visit https://aka.ms/acr/authorization for more information.")
			return true
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "acr-access " + f.Get("scope")})
		return true
	}
	rest, isAPI := strings.CutPrefix(p, "/acr/v1/")
	if !isAPI {
		return false
	}
	scope := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer acr-access ")
	need := func(s string) bool {
		if scope != s {
			acrError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return false
		}
		return true
	}
	if rest == "_catalog" {
		k.Add("api catalog")
		if need("registry:catalog:*") {
			a.page(w, r, "/acr/v1/_catalog", k.Repos(), func(items []string) any { return map[string]any{"repositories": items} })
		}
		return true
	}
	var repo, route, tag string
	switch {
	case strings.Contains(rest, "/_tags/"):
		repo, tag, _ = strings.Cut(rest, "/_tags/")
		route = "tag"
	case strings.HasSuffix(rest, "/_tags"):
		repo, route = strings.TrimSuffix(rest, "/_tags"), "tags"
	case strings.HasSuffix(rest, "/_manifests"):
		repo, route = strings.TrimSuffix(rest, "/_manifests"), "manifests"
	default:
		acrError(w, http.StatusNotFound, "NAME_UNKNOWN", "no such route")
		return true
	}
	k.Add("api " + r.Method + " " + route)
	if r.Method == http.MethodDelete && route == "tag" {
		if !need("repository:" + repo + ":delete") {
			return true
		}
		if !a.enabled(repo, tag, "deleteEnabled") || !a.repoDeletable(repo) {
			acrError(w, http.StatusMethodNotAllowed, "OPERATION_IS_NOT_SUPPORTED", "The operation is disallowed on this registry, repository or image.")
			return true
		}
		if !k.DeleteTag(repo, tag) {
			acrError(w, http.StatusNotFound, "TAG_UNKNOWN", "the specified tag does not exist")
			return true
		}
		w.WriteHeader(http.StatusAccepted)
		return true
	}
	if !need("repository:" + repo + ":metadata_read") {
		return true
	}
	switch route {
	case "tag":
		if k.Digest(repo, tag) == "" {
			acrError(w, http.StatusNotFound, "TAG_UNKNOWN", "the specified tag does not exist")
			return true
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"registry": k.Host(), "imageName": repo, "tag": a.tag(k, repo, tag)})
	case "tags":
		a.page(w, r, "/acr/v1/"+repo+"/_tags", k.Tags(repo), func(items []string) any {
			var tags []map[string]any
			for _, t := range items {
				tags = append(tags, a.tag(k, repo, t))
			}
			return map[string]any{"registry": k.Host(), "imageName": repo, "tags": tags}
		})
	case "manifests":
		seen := map[string][]string{}
		var digests []string
		for _, im := range k.Images(repo) {
			seen[im.Digest] = im.Tags
			digests = append(digests, im.Digest)
		}
		slices.Sort(digests)
		a.page(w, r, "/acr/v1/"+repo+"/_manifests", digests, func(items []string) any {
			var ms []map[string]any
			for _, d := range items {
				ms = append(ms, map[string]any{
					"digest": d, "imageSize": k.Size(repo, d), "tags": seen[d], "mediaType": "application/vnd.oci.image.manifest.v1+json",
					"createdTime": time.Now().UTC().Format(time.RFC3339Nano), "lastUpdateTime": time.Now().UTC().Format(time.RFC3339Nano),
				})
			}
			return map[string]any{"registry": k.Host(), "imageName": repo, "manifests": ms}
		})
	}
	return true
}

func (a *ACR) tag(k *Server, repo, tag string) map[string]any {
	pushed := k.Pushed(repo, tag).Format(time.RFC3339Nano)
	return map[string]any{
		"name": tag, "digest": k.Digest(repo, tag), "createdTime": pushed, "lastUpdateTime": pushed, "signed": false,
		"changeableAttributes": map[string]bool{
			"deleteEnabled": a.enabled(repo, tag, "deleteEnabled"), "writeEnabled": a.enabled(repo, tag, "writeEnabled"),
			"readEnabled": true, "listEnabled": true,
		},
	}
}

// page answers one page of a sorted listing after ?last=, n at most (100
// when not given), with a relative Link to the next as ACR sends it.
func (a *ACR) page(w http.ResponseWriter, r *http.Request, path string, items []string, body func([]string) any) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n <= 0 {
		n = 100
	}
	n = min(n, 100)
	slices.Sort(items)
	if last := r.URL.Query().Get("last"); last != "" {
		i, _ := slices.BinarySearch(items, last)
		for i < len(items) && items[i] <= last {
			i++
		}
		items = items[i:]
	}
	if len(items) > n {
		items = items[:n]
		w.Header().Set("Link", fmt.Sprintf(`<%s?last=%s&n=%d&orderby=>; rel="next"`, path, url.QueryEscape(items[n-1]), n))
	}
	_ = json.NewEncoder(w).Encode(body(items))
}
