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
)

// GitHub's credentials in the contract: the user and the token `docker
// login ghcr.io` stores, which GitHub's API takes as a bearer token.
const (
	GitHubUser  = "octocat"
	GitHubToken = "ghp_contract" //nolint:gosec // a test server's made-up token
)

// GitHub is a contract server for GHCR: its registry API refuses DELETE,
// and GitHub's packages API answers GET /user/packages?package_type=container,
// GET /orgs/{org}/packages/container/{name}/versions (404: not an
// organisation), GET and DELETE /user/packages/container/{name}/versions[/{id}]
// — a version being one manifest digest with its tags, paged with Link
// headers — for the token's user, with the X-GitHub-Api-Version header
// required.
type GitHub struct {
	*Server
	mu  sync.Mutex
	ids map[string]int64 // repo@digest → version id
	// Deleted are the versions deleted, by digest.
	Deleted []string
}

// NewGitHub starts GHCR's contract server; its API's base is g.Srv.URL.
func NewGitHub(t testing.TB) *GitHub {
	g := &GitHub{ids: map[string]int64{}}
	g.Server = New(t, g.api, RefuseDeletes)
	return g
}

func githubError(w http.ResponseWriter, status int, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func (g *GitHub) id(repo, digest string) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := repo + "@" + digest
	if id, ok := g.ids[key]; ok {
		return id
	}
	id := int64(1000 + len(g.ids))
	g.ids[key] = id
	return id
}

// versions are a repository's package versions: one per digest its tags
// point at, newest id first.
func (g *GitHub) versions(k *Server, repo string) []map[string]any {
	var out []map[string]any
	for _, im := range k.Images(repo) {
		out = append(out, map[string]any{
			"id": g.id(repo, im.Digest), "name": im.Digest, "package_html_url": "https://github.com/" + repo,
			"metadata": map[string]any{"package_type": "container", "container": map[string]any{"tags": im.Tags}},
		})
	}
	slices.SortFunc(out, func(a, b map[string]any) int { return int(b["id"].(int64) - a["id"].(int64)) })
	return out
}

func (g *GitHub) api(k *Server, w http.ResponseWriter, r *http.Request) bool {
	p := r.URL.EscapedPath()
	if !strings.HasPrefix(p, "/user/") && !strings.HasPrefix(p, "/orgs/") && !strings.HasPrefix(p, "/users/") {
		return false
	}
	k.Add("api " + r.Method + " " + strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)[0])
	if r.Header.Get("Authorization") != "Bearer "+GitHubToken {
		githubError(w, http.StatusUnauthorized, "Bad credentials")
		return true
	}
	if r.Header.Get("X-GitHub-Api-Version") == "" {
		githubError(w, http.StatusBadRequest, "X-GitHub-Api-Version missing")
		return true
	}
	if p == "/user/packages" {
		var pkgs []map[string]any
		for _, repo := range k.Repos() {
			if name, ok := strings.CutPrefix(repo, GitHubUser+"/"); ok {
				pkgs = append(pkgs, map[string]any{"id": len(pkgs) + 1, "name": name, "package_type": "container", "owner": map[string]any{"login": GitHubUser}})
			}
		}
		_ = json.NewEncoder(w).Encode(pkgs)
		return true
	}
	rest, ok := strings.CutPrefix(p, "/user/packages/container/")
	if !ok {
		githubError(w, http.StatusNotFound, "Not Found")
		return true
	}
	esc, tail, _ := strings.Cut(rest, "/versions")
	pkg, _ := url.PathUnescape(esc)
	repo := GitHubUser + "/" + pkg
	vs := g.versions(k, repo)
	if r.Method == http.MethodDelete {
		k.Add("api delete version")
		id, _ := strconv.ParseInt(strings.TrimPrefix(tail, "/"), 10, 64)
		for _, v := range vs {
			if v["id"].(int64) != id {
				continue
			}
			d := v["name"].(string)
			for _, t := range v["metadata"].(map[string]any)["container"].(map[string]any)["tags"].([]string) {
				k.DeleteTag(repo, t)
			}
			k.DeleteTag(repo, d)
			g.mu.Lock()
			g.Deleted = append(g.Deleted, d)
			g.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
			return true
		}
		githubError(w, http.StatusNotFound, "Not Found")
		return true
	}
	// Two versions a page, so Link is followed.
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	from, to := min((page-1)*2, len(vs)), min(page*2, len(vs))
	if to < len(vs) {
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?per_page=2&page=%d>; rel="next"`, k.Srv.URL, p, page+1))
	}
	_ = json.NewEncoder(w).Encode(vs[from:to])
	return true
}
