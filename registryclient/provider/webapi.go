package provider

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tomnomnom/linkheader"
)

// APICall is one request to a registry's own web API (Docker Hub's,
// GitHub's, ACR's, Quay's, Artifact Registry's).
type APICall struct {
	// Op says what the call is for, in errors ("list tags of myorg/api").
	Op, Registry string
	Method, URL  string
	// Token is sent as a bearer token ("" for none); Header adds more.
	Token  string
	Header http.Header
	// Body is sent as JSON when not nil; Form as a form.
	Body any
	Form url.Values
	// OK are the statuses that mean success (200 when none).
	OK []int
	// Advice is what to do when the API refuses the credentials, where
	// `docker login` is not it.
	Advice string
}

// NextLink is the URL of the next page a Link header names ("" when it
// names none); a relative one (ACR sends those) is resolved against base.
func NextLink(h http.Header, base string) string {
	for _, l := range linkheader.Parse(h.Get("Link")) {
		if l.Rel == "next" {
			if strings.HasPrefix(l.URL, "/") {
				return base + l.URL
			}
			return l.URL
		}
	}
	return ""
}

// GitHubHeaders are the headers GitHub's REST API asks for.
func GitHubHeaders() http.Header {
	return http.Header{"Accept": {"application/vnd.github+json"}, "X-Github-Api-Version": {"2022-11-28"}}
}

// APIStatusError is a web API's refusal in the registry error shape, so
// Classify types it, with the API's own message when it sent one.
func APIStatusError(op, registry string, resp *http.Response) *Error {
	kind := ErrServer
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		kind = ErrUnauthorized
	case http.StatusForbidden:
		kind = ErrDenied
	case http.StatusNotFound:
		kind = ErrNotFound
	case http.StatusTooManyRequests:
		kind = ErrRateLimited
	case http.StatusConflict:
		kind = ErrConflict
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		kind = ErrUnsupported
	}
	detail := http.StatusText(resp.StatusCode)
	if m := apiMessage(resp.Body); m != "" {
		detail = m
	}
	return &Error{Op: op, Registry: registry, Kind: kind, Status: resp.StatusCode, Detail: detail}
}

// apiMessage is the message in a web API's error body: Docker Hub's and
// GitHub's {"message"}, Quay's {"error_message"} or {"detail"}, ACR's and
// Artifact Registry's {"errors":[{"message"}]} / {"error":{"message"}}.
func apiMessage(r io.Reader) string {
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil || len(b) == 0 {
		return ""
	}
	var body struct {
		Message      string `json:"message"`
		ErrorMessage string `json:"error_message"`
		Detail       string `json:"detail"`
		Errors       []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(b, &body) != nil {
		return ""
	}
	var nested struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body.Error, &nested)
	switch {
	case body.Message != "":
		return redact(body.Message)
	case body.ErrorMessage != "":
		return redact(body.ErrorMessage)
	case body.Detail != "":
		return redact(body.Detail)
	case len(body.Errors) > 0:
		return redact(strings.TrimSpace(body.Errors[0].Code + ": " + body.Errors[0].Message))
	case nested.Message != "":
		return redact(nested.Message)
	}
	return ""
}

// TokenCache keeps the web APIs' access tokens (ACR's, Artifact
// Registry's …) until shortly before they expire; one per client.
type TokenCache struct {
	mu sync.Mutex
	m  map[string]apiToken
}

type apiToken struct {
	token string
	until time.Time
}

// Get is the token kept under key, while it lives.
func (t *TokenCache) Get(key string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tok, ok := t.m[key]
	if !ok || time.Now().After(tok.until) {
		return "", false
	}
	return tok.token, true
}

// Put keeps token under key for life.
func (t *TokenCache) Put(key, token string, life time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]apiToken{}
	}
	t.m[key] = apiToken{token: token, until: time.Now().Add(life)}
}

// FirstTime is the first of an API's RFC 3339 times that reads (Hub's,
// ACR's and Artifact Registry's may be empty).
func FirstTime(ts ...string) time.Time {
	for _, s := range ts {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// InvalidReference is a reference a provider cannot read, as an error of
// the kind.
func InvalidReference(op, ref string, err error) error {
	return &Error{Op: op, Registry: ref, Kind: ErrInvalidReference, Detail: err.Error(), Err: err}
}
