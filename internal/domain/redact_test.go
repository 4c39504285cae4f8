package domain_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wharf-dev/wharf/internal/domain"
)

func TestRedact(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
	for in, leak := range map[string]string{
		"unauthorized (you sent Basic cmVzZXQ6aHVudGVyMg==)":                        "cmVzZXQ6aHVudGVyMg==",
		`denied: {"Authorization":"Bearer abcdefghijklmnop"}`:                       "abcdefghijklmnop",
		"Authorization: Basic dXNlcjpwYXNz":                                         "dXNlcjpwYXNz",
		"token " + jwt + " expired":                                                 jwt,
		"bad request from https://user:hunter2@reg.example/v2/?access_token=s3cret": "hunter2",
		"the password s3cr3t-pass was refused":                                      "s3cr3t-pass",
	} {
		out := domain.Redact(in, "s3cr3t-pass")
		if strings.Contains(out, leak) {
			t.Errorf("%q leaks %q: %q", in, leak, out)
		}
		if !strings.Contains(out, "redacted") && !strings.Contains(in, "https://") {
			t.Errorf("%q: %q says nothing was taken out", in, out)
		}
	}
	if out := domain.Redact("manifest unknown: tag 1.0 not found", "x"); out != "manifest unknown: tag 1.0 not found" {
		t.Errorf("an innocent message changed: %q", out)
	}
}

// What a registry may echo of what wharf sent: the base64 pair with and
// without its scheme word, URL-encoded, tokens by their field's name.
func TestRedactTakesOutEveryEncoding(t *testing.T) {
	pair := base64.StdEncoding.EncodeToString([]byte("alice:hunter2-pw"))
	for in, leak := range map[string]string{
		"denied (you sent " + pair + ")":                                                           pair,
		"denied: credential=" + url.QueryEscape(pair):                                              url.QueryEscape(pair),
		"denied: Basic%20" + url.QueryEscape(pair):                                                 url.QueryEscape(pair),
		`{"refresh_token":"r3fr3sh-t0ken-value"}`:                                                  "r3fr3sh-t0ken-value",
		"grant_type=refresh_token&refresh_token=r3fr3sh-t0ken-v":                                   "r3fr3sh-t0ken-v",
		`{"access_token":"0paque.access.t0ken"}`:                                                   "0paque.access.t0ken",
		"bad credential " + base64.RawURLEncoding.EncodeToString([]byte("robot$ci:Pw/with+chars")): base64.RawURLEncoding.EncodeToString([]byte("robot$ci:Pw/with+chars")),
	} {
		if out := domain.Redact(in); strings.Contains(out, leak) {
			t.Errorf("%q leaks %q: %q", in, leak, out)
		}
	}
	// Secrets of the user's own, in whatever form the message has them.
	secret := "opaque token/with+chars=="
	for _, form := range domain.SecretForms(secret) {
		if out := domain.Redact("the registry said: "+form+" is wrong", secret); strings.Contains(out, form) {
			t.Errorf("form %q of the secret survives: %q", form, out)
		}
	}
	for _, innocent := range []string{
		"sha256:0c3f8a9bd22e5c7a1e2f4d6b8a0c2e4f6a8b0d2f4e6a8c0e2f4a6b8d0f2e4a6b",
		"application/vnd.oci.image.index.v1+json", "MANIFEST_UNKNOWN", "wharf-fixtures/app:build-12",
		"fetching token: Get https://auth.example/token?scope=x: 401",
	} {
		if out := domain.Redact(innocent); out != innocent && !strings.Contains(innocent, "?") {
			t.Errorf("an innocent message changed: %q → %q", innocent, out)
		}
	}
}

// FuzzRedact builds error bodies from the credentials in play — a user and
// password, a bearer token, a refresh token — in every form wharf sends or
// a registry may echo them, and checks none survives Redact.
func FuzzRedact(f *testing.F) {
	f.Add("alice", "hunter2-pw", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", "r3fr3sh-t0ken", 0)
	f.Add("robot$ci+bot", "p@ss:w/rd+=", "opaque-bearer-token", "ref/re+sh==", 3)
	f.Add("u", "longer password with spaces", "tok", "refresh", 7)
	f.Fuzz(func(t *testing.T, user, pass, bearer, refresh string, shape int) {
		for _, s := range []string{user, pass, bearer, refresh} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "[]\x00") {
				t.Skip()
			}
		}
		pair := user + ":" + pass
		b64 := base64.StdEncoding.EncodeToString([]byte(pair))
		secrets := []string{pass, pair, b64, bearer, refresh}
		sent := map[string]string{
			"basic":          "Basic " + b64,
			"bare pair":      b64,
			"url pair":       url.QueryEscape(b64),
			"pair":           pair,
			"password":       pass,
			"bearer":         "Bearer " + bearer,
			"bare bearer":    bearer,
			"refresh field":  `"refresh_token":"` + refresh + `"`,
			"refresh form":   "refresh_token=" + url.QueryEscape(refresh),
			"bare refresh":   refresh,
			"url password":   url.QueryEscape(pass),
			"json password":  strings.Trim(strconvQuote(pass), `"`),
			"raw url pair":   base64.RawURLEncoding.EncodeToString([]byte(pair)),
			"escaped bearer": url.PathEscape(bearer),
		}
		wrappers := []string{"denied: %s", `{"errors":[{"code":"DENIED","message":"you sent %s"}]}`, "%s", "unauthorized (%s).", "token=%s&x=1", "<html>%s</html>"}
		w := wrappers[(shape%len(wrappers)+len(wrappers))%len(wrappers)]
		for what, s := range sent {
			msg := strings.ReplaceAll(w, "%s", s)
			out := domain.Redact(msg, secrets...)
			for _, secret := range secrets {
				if len(secret) < 4 {
					continue
				}
				for _, form := range domain.SecretForms(secret) {
					if strings.Contains(out, form) {
						t.Fatalf("%s: form %q of a secret survives in %q (from %q)", what, form, out, msg)
					}
				}
			}
		}
	})
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
