package registryclient_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

type identityToken string

func (t identityToken) Authorization() (*authn.AuthConfig, error) {
	return &authn.AuthConfig{Username: "alice", IdentityToken: string(t)}, nil
}

// A registry whose token server exchanges a refresh token (docker login's
// identity token, POSTed as a form) for an opaque access token — no JWT a
// pattern could spot — and whose API then refuses with both echoed bare:
// neither reaches the error, nor anything the client redacts.
func TestOpaqueTokensSentAreNeverInMessages(t *testing.T) {
	const refresh, access = "rt-0paque-refresh-value", "at-0paque-access-value"
	var srv *httptest.Server
	var posted url.Values
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/token" && r.Method == http.MethodPost:
			_ = r.ParseForm()
			posted = r.PostForm
			if r.PostForm.Get("refresh_token") != refresh {
				http.Error(w, `{"error":"invalid_grant"}`, http.StatusUnauthorized)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "expires_in": 300})
		case r.URL.Path == "/token":
			http.Error(w, "use the refresh token", http.StatusBadRequest)
		case r.Header.Get("Authorization") != "Bearer "+access:
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+srv.URL+`/token",service="opaque.test"`)
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			msg, _ := json.Marshal("denied: you sent " + access + " from grant refresh_token " + refresh)
			_, _ = w.Write([]byte(`{"errors":[{"code":"DENIED","message":` + string(msg) + `}]}`))
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := newClient(t, registryclient.WithKeychain(testenv.KeychainFor(host, identityToken(refresh))))
	_, err := c.Tags(testCtx(t), host+"/team/app")
	if err == nil {
		t.Fatal("the refusal was taken for a listing")
	}
	if posted.Get("grant_type") != "refresh_token" {
		t.Fatalf("the client did not exchange the refresh token (posted %v): the test does not test what it says", posted)
	}
	if !strings.Contains(err.Error(), "denied") {
		t.Errorf("the registry's refusal is not said: %v", err)
	}
	for _, s := range []string{access, refresh} {
		for _, form := range domain.SecretForms(s) {
			if strings.Contains(err.Error(), form) {
				t.Errorf("the error says %q: %v", form, err)
			}
			if got := c.Redact("x " + form + " y"); strings.Contains(got, form) {
				t.Errorf("Redact keeps %q: %q", form, got)
			}
		}
	}
}
