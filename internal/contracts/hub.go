package contracts

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Hub is a contract server for Docker Hub: its registry API refuses
// DELETE (Hub's does), and its web API answers as Hub's documents —
// POST /v2/users/login, GET /v2/namespaces/{ns}/repositories and
// /v2/namespaces/{ns}/repositories/{name}/tags (100 a page, "next" links,
// each tag with digest, full_size, tag_last_pushed, content_type — image,
// or unrecognized for an artifact — and its platforms' images), DELETE
// /v2/repositories/{ns}/{name}/tags/{tag}/ (204) — with a JWT from the
// login. Tag pages answer 429 as FailNext says.
type Hub struct{ *Server }

// Hub's credentials in the contract: the docker login the API takes.
const (
	HubUser     = "hubuser"
	HubPassword = "hub-secret" //nolint:gosec // a test server's made-up password
	hubJWT      = "jwt-for-hubuser"
)

// NewHub starts Docker Hub's contract server; its API's base is h.Srv.URL.
func NewHub(t testing.TB) *Hub {
	h := &Hub{}
	h.Server = New(t, h.api, RefuseDeletes)
	return h
}

// Limit makes the next n tag pages answer 429 with an hour's Retry-After.
func (h *Hub) Limit(n int) { h.FailNext(n) }

func (h *Hub) api(k *Server, w http.ResponseWriter, r *http.Request) bool {
	p := r.URL.Path
	authed := r.Header.Get("Authorization") == "Bearer "+hubJWT
	deny := func() {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"authentication required"}`))
	}
	switch {
	case r.Method == http.MethodPost && p == "/v2/users/login":
		k.Add("api login")
		var creds map[string]string
		_ = json.NewDecoder(r.Body).Decode(&creds)
		if creds["username"] != HubUser || creds["password"] != HubPassword {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"detail":"Incorrect authentication credentials"}`))
			return true
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"token": hubJWT})
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/v2/namespaces/") && strings.HasSuffix(p, "/tags"):
		k.Add("api tags")
		if k.Failing() {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"message":"Too Many Requests"}`))
			return true
		}
		if !authed {
			deny()
			return true
		}
		parts := strings.Split(strings.TrimPrefix(p, "/v2/namespaces/"), "/")
		repo := parts[0] + "/" + parts[2]
		tags := k.Tags(repo)
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		size = min(max(size, 10), 100)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		from, to := min((page-1)*size, len(tags)), min(page*size, len(tags))
		res := map[string]any{"count": len(tags), "next": nil, "previous": nil}
		if to < len(tags) {
			res["next"] = fmt.Sprintf("%s%s?page=%d&page_size=%d", k.Srv.URL, p, page+1, size)
		}
		var results []map[string]any
		for _, tag := range tags[from:to] {
			d := k.Digest(repo, tag)
			pushed := k.Pushed(repo, tag).Format(time.RFC3339Nano)
			desc := k.Describe(repo, d)
			images := []map[string]any{}
			for _, p := range desc.Platforms {
				images = append(images, map[string]any{"architecture": p.Architecture, "os": p.OS, "variant": p.Variant, "digest": p.Digest, "size": p.Size, "status": "active", "last_pushed": pushed})
			}
			results = append(results, map[string]any{
				"name": tag, "digest": d, "full_size": desc.Size, "last_updated": pushed, "tag_last_pushed": pushed,
				"tag_last_pulled": nil, "media_type": desc.MediaType, "content_type": desc.ContentType, "tag_status": "active", "images": images,
			})
		}
		res["results"] = results
		_ = json.NewEncoder(w).Encode(res)
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/v2/namespaces/") && strings.HasSuffix(p, "/repositories"):
		k.Add("api repositories")
		if !authed {
			deny()
			return true
		}
		ns := strings.TrimSuffix(strings.TrimPrefix(p, "/v2/namespaces/"), "/repositories")
		var results []map[string]any
		for _, repo := range k.Repos() {
			if rest, ok := strings.CutPrefix(repo, ns+"/"); ok {
				results = append(results, map[string]any{"name": rest, "namespace": ns, "repository_type": "image"})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"count": len(results), "next": nil, "results": results})
	case r.Method == http.MethodDelete && strings.HasPrefix(p, "/v2/repositories/") && strings.Contains(p, "/tags/"):
		k.Add("api delete tag")
		if !authed {
			deny()
			return true
		}
		rest := strings.TrimSuffix(strings.TrimPrefix(p, "/v2/repositories/"), "/")
		repo, tag, _ := strings.Cut(rest, "/tags/")
		if !k.DeleteTag(repo, tag) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"tag not found"}`))
			return true
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		return false
	}
	return true
}
