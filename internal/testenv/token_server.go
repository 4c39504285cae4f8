package testenv

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Users of the authenticated registry variants. Admin may do everything;
// Reader may pull but not push or delete, which is what the token server
// enforces (the htpasswd variant only authenticates).
const (
	AdminUser      = "admin"
	AdminPassword  = "admin-secret"
	ReaderUser     = "reader"
	ReaderPassword = "reader-secret"
)

const (
	tokenService = "wharf-test-registry"
	tokenIssuer  = "wharf-testenv"
)

// grants says which actions a user may take on a resource type.
var grants = map[string]map[string][]string{
	AdminUser:  {"repository": {"pull", "push", "delete", "*"}, "registry": {"*"}},
	ReaderUser: {"repository": {"pull"}},
}

var passwords = map[string]string{AdminUser: AdminPassword, ReaderUser: ReaderPassword}

// tokenServer issues JWTs the way Docker Hub's and GHCR's token endpoints do:
// for the scopes a user is granted, signed by a key whose certificate is the
// registry's root bundle. A request for an action the user lacks is refused:
// 401 for an anonymous caller, 403 DENIED for a known one.
type tokenServer struct {
	srv      *httptest.Server
	auth     *authority
	lifetime time.Duration
	issued   atomic.Int64
}

func newTokenServer() (*tokenServer, error) {
	a, err := newAuthority("wharf token signer")
	if err != nil {
		return nil, err
	}
	ts := &tokenServer{auth: a, lifetime: 5 * time.Minute}
	ts.srv = httptest.NewServer(http.HandlerFunc(ts.serveToken))
	return ts, nil
}

// realm names the token server by "localhost", not its IP: go-containerregistry
// refuses a realm on a private or loopback IP literal that is not the
// registry's own host:port (an SSRF guard), but allows host names.
func (ts *tokenServer) realm() string {
	return "http://localhost:" + strconv.Itoa(ts.srv.Listener.Addr().(*net.TCPAddr).Port) + "/token"
}

func (ts *tokenServer) close() { ts.srv.Close() }

type accessEntry struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// parseScope splits "repository:team/app:pull,push" into its parts; the name
// may itself hold colons, the type and actions may not.
func parseScope(s string) (accessEntry, bool) {
	first := strings.IndexByte(s, ':')
	last := strings.LastIndexByte(s, ':')
	if first < 0 || last <= first {
		return accessEntry{}, false
	}
	return accessEntry{Type: s[:first], Name: s[first+1 : last], Actions: strings.Split(s[last+1:], ",")}, true
}

func writeRegistryError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="wharf-test-token"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]string{{"code": code, "message": message}},
	})
}

func (ts *tokenServer) serveToken(w http.ResponseWriter, r *http.Request) {
	user, pass, hasCreds := r.BasicAuth()
	if hasCreds && passwords[user] != pass {
		writeRegistryError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid username or password")
		return
	}
	if !hasCreds {
		user = ""
	}
	var access []accessEntry
	for _, raw := range r.URL.Query()["scope"] {
		for _, one := range strings.Fields(raw) {
			want, ok := parseScope(one)
			if !ok {
				writeRegistryError(w, http.StatusBadRequest, "UNSUPPORTED", "malformed scope "+one)
				return
			}
			allowed := grants[user][want.Type]
			for _, action := range want.Actions {
				if slices.Contains(allowed, action) {
					continue
				}
				if user == "" {
					writeRegistryError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
				} else {
					writeRegistryError(w, http.StatusForbidden, "DENIED", "requested access to the resource is denied")
				}
				return
			}
			access = append(access, want)
		}
	}
	token, err := ts.sign(user, access)
	ts.issued.Add(1)
	if err != nil {
		writeRegistryError(w, http.StatusInternalServerError, "UNKNOWN", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token":        token,
		"access_token": token,
		"expires_in":   int(ts.lifetime.Seconds()),
		"issued_at":    time.Now().UTC().Format(time.RFC3339),
	})
}

func (ts *tokenServer) sign(user string, access []accessEntry) (string, error) {
	jti := make([]byte, 8)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	now := time.Now()
	if access == nil {
		access = []accessEntry{}
	}
	// aud as a plain string: registry 2.8 reads it as one.
	claims := jwt.MapClaims{
		"iss":    tokenIssuer,
		"sub":    user,
		"aud":    tokenService,
		"exp":    now.Add(ts.lifetime).Unix(),
		"nbf":    now.Add(-time.Minute).Unix(),
		"iat":    now.Unix(),
		"jti":    hex.EncodeToString(jti),
		"access": access,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["x5c"] = []string{base64.StdEncoding.EncodeToString(ts.auth.cert.Raw)}
	return tok.SignedString(ts.auth.key)
}
