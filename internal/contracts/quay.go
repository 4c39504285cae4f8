package contracts

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Quay's credentials in the contract: an OAuth token, which docker login
// takes with the user $oauthtoken and the API as a bearer token.
const (
	QuayOAuthUser = "$oauthtoken"
	QuayToken     = "quay-oauth-token" //nolint:gosec // a test server's made-up token
	QuayUser      = "quayuser"
)

// Quay is a contract server for Quay's /api/v1: GET /api/v1/user/,
// /api/v1/repository?namespace= (next_page tokens),
// /api/v1/repository/{ns}/{name}/tag/ (limit, page, has_additional; each
// tag with manifest_digest, size, start_ts, last_modified), DELETE
// /api/v1/repository/{ns}/{name}/tag/{tag} (204). Without the token the
// API answers 401. Its registry API refuses DELETE.
type Quay struct {
	*Server
	// Public: tag listings answer without the token (a public repository).
	Public bool
}

// NewQuay starts Quay's contract server; its API is on the registry host.
func NewQuay(t testing.TB) *Quay {
	q := &Quay{}
	q.Server = New(t, q.api, RefuseDeletes)
	return q
}

func quayError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "error_message": msg, "title": "error", "detail": msg})
}

func (q *Quay) api(k *Server, w http.ResponseWriter, r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/")
	if !ok {
		return false
	}
	public := q.Public && r.Method == http.MethodGet && strings.Contains(rest, "/tag/")
	if r.Header.Get("Authorization") != "Bearer "+QuayToken && !public {
		k.Add("api refused")
		quayError(w, http.StatusUnauthorized, "Requires authentication")
		return true
	}
	switch {
	case rest == "user/":
		k.Add("api user")
		_ = json.NewEncoder(w).Encode(map[string]any{"username": QuayUser, "anonymous": false})
	case rest == "repository":
		k.Add("api repositories")
		ns := r.URL.Query().Get("namespace")
		var repos []map[string]any
		for _, repo := range k.Repos() {
			if name, ok := strings.CutPrefix(repo, ns+"/"); ok {
				repos = append(repos, map[string]any{"namespace": ns, "name": name, "kind": "image", "is_public": false})
			}
		}
		// Two to a page, so next_page is followed.
		from := 0
		if np := r.URL.Query().Get("next_page"); np != "" {
			from, _ = strconv.Atoi(strings.TrimPrefix(np, "np-"))
		}
		from = min(from, len(repos))
		to := min(from+2, len(repos))
		page := map[string]any{"repositories": repos[from:to]}
		if to < len(repos) {
			page["next_page"] = "np-" + strconv.Itoa(to)
		}
		_ = json.NewEncoder(w).Encode(page)
	case strings.HasPrefix(rest, "repository/") && strings.Contains(rest, "/tag/"):
		repo, tag, _ := strings.Cut(strings.TrimPrefix(rest, "repository/"), "/tag/")
		if r.Method == http.MethodDelete {
			k.Add("api DELETE tag")
			if !k.DeleteTag(repo, tag) {
				quayError(w, http.StatusNotFound, "Not Found")
				return true
			}
			w.WriteHeader(http.StatusNoContent)
			return true
		}
		k.Add("api tags")
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		limit = min(max(limit, 1), 100)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		all := k.Tags(repo)
		from, to := min((page-1)*limit, len(all)), min(page*limit, len(all))
		var tags []map[string]any
		for _, t := range all[from:to] {
			d := k.Digest(repo, t)
			pushed := k.Pushed(repo, t)
			tags = append(tags, map[string]any{
				"name": t, "reversion": false, "start_ts": pushed.Unix(), "manifest_digest": d, "is_manifest_list": false,
				"size": k.Size(repo, d), "last_modified": pushed.Format("Mon, 02 Jan 2006 15:04:05 -0700"),
			})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"tags": tags, "page": page, "has_additional": to < len(all)})
	default:
		quayError(w, http.StatusNotFound, "Not Found")
	}
	return true
}
