package contracts

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// GARToken is the access token docker-credential-gcloud gives in the
// contract (user oauth2accesstoken).
const GARToken = "ya29.contract-token" //nolint:gosec // a test server's made-up token

// GAR is a contract server for Google Artifact Registry's REST API (v1),
// with Google's token endpoint at /token for service-account keys:
// GET /v1/projects/{p}/locations/{l}/repositories (format DOCKER),
// …/repositories/{r}/dockerImages (pageSize, pageToken — at most three a
// page here, so paging is followed; each image with uri, tags,
// imageSizeBytes as a string, uploadTime), DELETE
// …/repositories/{r}/packages/{image}/tags/{tag}. Images live at
// {host}/{p}/{r}/{image}. Errors are Google's {"error":{code,message,status}}.
// Its registry API refuses DELETE.
type GAR struct{ *Server }

// NewGAR starts Artifact Registry's contract server; its API's base is
// g.Srv.URL.
func NewGAR(t testing.TB) *GAR {
	g := &GAR{}
	g.Server = New(t, g.api, RefuseDeletes)
	return g
}

func googleError(w http.ResponseWriter, status int, state, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": status, "message": msg, "status": state}})
}

func (g *GAR) api(k *Server, w http.ResponseWriter, r *http.Request) bool {
	p := r.URL.EscapedPath()
	if r.Method == http.MethodPost && p == "/token" {
		// Google's OAuth token endpoint, as a service account's key file
		// (application default credentials) asks it: a signed JWT.
		k.Add("api token")
		_ = r.ParseForm()
		if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || strings.Count(r.PostForm.Get("assertion"), ".") != 2 {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "Invalid JWT"})
			return true
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": GARToken, "expires_in": 3600, "token_type": "Bearer"})
		return true
	}
	rest, ok := strings.CutPrefix(p, "/v1/projects/")
	if !ok {
		return false
	}
	if r.Header.Get("Authorization") != "Bearer "+GARToken {
		k.Add("api refused")
		googleError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
		return true
	}
	// {p}/locations/{l}/repositories[/{r}/dockerImages | /{r}/packages/{pkg}/tags/{tag}]
	parts := strings.Split(rest, "/")
	if len(parts) < 4 || parts[1] != "locations" || parts[3] != "repositories" {
		googleError(w, http.StatusNotFound, "NOT_FOUND", "no such route")
		return true
	}
	project := parts[0]
	switch {
	case len(parts) == 4:
		k.Add("api repositories")
		seen := map[string]bool{}
		var repos []map[string]any
		for _, repo := range k.Repos() {
			seg := strings.Split(repo, "/")
			if len(seg) >= 3 && seg[0] == project && !seen[seg[1]] {
				seen[seg[1]] = true
				repos = append(repos, map[string]any{"name": "projects/" + project + "/locations/" + parts[2] + "/repositories/" + seg[1], "format": "DOCKER", "mode": "STANDARD_REPOSITORY"})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"repositories": repos})
	case len(parts) == 6 && parts[5] == "dockerImages":
		k.Add("api dockerImages")
		prefix := project + "/" + parts[4] + "/"
		var images []map[string]any
		for _, repo := range k.Repos() {
			if !strings.HasPrefix(repo, prefix) {
				continue
			}
			for _, im := range k.Images(repo) {
				d := im.Digest
				up := k.Pushed(repo, im.Tags[0]).Format(time.RFC3339Nano)
				images = append(images, map[string]any{
					"name": "projects/" + project + "/locations/" + parts[2] + "/repositories/" + parts[4] + "/dockerImages/" + url.PathEscape(strings.TrimPrefix(repo, prefix)) + "@" + d,
					"uri":  k.Host() + "/" + repo + "@" + d, "tags": im.Tags, "imageSizeBytes": strconv.FormatInt(k.Size(repo, d), 10),
					"uploadTime": up, "updateTime": up, "mediaType": "application/vnd.oci.image.manifest.v1+json",
				})
			}
		}
		slices.SortFunc(images, func(a, b map[string]any) int { return strings.Compare(a["uri"].(string), b["uri"].(string)) })
		size, _ := strconv.Atoi(r.URL.Query().Get("pageSize"))
		size = min(max(size, 1), 3)
		from, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Query().Get("pageToken"), "pt-"))
		from = min(from, len(images))
		to := min(from+size, len(images))
		out := map[string]any{"dockerImages": images[from:to]}
		if to < len(images) {
			out["nextPageToken"] = "pt-" + strconv.Itoa(to)
		}
		_ = json.NewEncoder(w).Encode(out)
	case len(parts) == 9 && parts[5] == "packages" && parts[7] == "tags" && r.Method == http.MethodDelete:
		k.Add("api DELETE tag")
		pkg, _ := url.PathUnescape(parts[6])
		tag, _ := url.PathUnescape(parts[8])
		if !k.DeleteTag(project+"/"+parts[4]+"/"+pkg, tag) {
			googleError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.")
			return true
		}
		_, _ = w.Write([]byte("{}"))
	default:
		googleError(w, http.StatusNotFound, "NOT_FOUND", "no such route")
	}
	return true
}
