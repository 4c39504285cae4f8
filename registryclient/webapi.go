package registryclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tomnomnom/linkheader"
)

// apiCall is one request to a registry's own web API (Docker Hub's,
// GitHub's, ACR's, Quay's, Artifact Registry's).
type apiCall struct {
	// op says what the call is for, in errors ("list tags of myorg/api").
	op, registry string
	method, url  string
	// token is sent as a bearer token ("" for none); header adds more.
	token  string
	header http.Header
	// body is sent as JSON when not nil; form as a form.
	body any
	form url.Values
	// ok are the statuses that mean success (200 when none).
	ok []int
	// advice is what to do when the API refuses the credentials, where
	// `docker login` is not it.
	advice string
}

// call sends a web API request, decodes a JSON answer into v (when v is not
// nil and there is a body), and returns the answer's headers (for Link). A
// refusal is an *Error of the kind its status says, with the API's own
// message; 429s are waited out by the client's guard, as for registries.
func (c *Client) call(ctx context.Context, a apiCall, v any) (http.Header, error) {
	var body io.Reader
	switch {
	case a.body != nil:
		b, err := json.Marshal(a.body)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	case a.form != nil:
		body = strings.NewReader(a.form.Encode())
	}
	method := a.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, a.url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case a.body != nil:
		req.Header.Set("Content-Type", "application/json")
	case a.form != nil:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for k, vs := range a.header {
		req.Header[k] = vs
	}
	resp, err := (&http.Client{Transport: c.guard}).Do(req)
	if err != nil {
		return nil, c.classify(a.op, a.registry, err)
	}
	defer resp.Body.Close()
	ok := a.ok
	if len(ok) == 0 {
		ok = []int{http.StatusOK}
	}
	if !slices.Contains(ok, resp.StatusCode) {
		e := apiStatusError(a.op, a.registry, resp)
		if a.advice != "" && errors.Is(e.Kind, ErrUnauthorized) {
			e.Advice = a.advice
		}
		return nil, c.classify(a.op, a.registry, e)
	}
	if v == nil || resp.StatusCode == http.StatusNoContent {
		return resp.Header, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil && err != io.EOF {
		return nil, &Error{Op: a.op, Registry: a.registry, Kind: ErrServer, Detail: "malformed answer: " + err.Error(), Err: err}
	}
	return resp.Header, nil
}

// nextLink is the URL of the next page a Link header names ("" when it
// names none); a relative one (ACR sends those) is resolved against base.
func nextLink(h http.Header, base string) string {
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

// githubHeaders are the headers GitHub's REST API asks for.
func githubHeaders() http.Header {
	return http.Header{"Accept": {"application/vnd.github+json"}, "X-Github-Api-Version": {"2022-11-28"}}
}

// apiStatusError is a web API's refusal in the registry error shape, so
// Classify types it, with the API's own message when it sent one.
func apiStatusError(op, registry string, resp *http.Response) *Error {
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

// apiTokens keeps the web APIs' access tokens (ACR's, Artifact
// Registry's …) until shortly before they expire.
type apiTokens struct {
	mu sync.Mutex
	m  map[string]apiToken
}

type apiToken struct {
	token string
	until time.Time
}

func (t *apiTokens) get(key string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tok, ok := t.m[key]
	if !ok || time.Now().After(tok.until) {
		return "", false
	}
	return tok.token, true
}

func (t *apiTokens) put(key, token string, life time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]apiToken{}
	}
	t.m[key] = apiToken{token: token, until: time.Now().Add(life)}
}
