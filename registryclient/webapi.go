package registryclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/wharf-dev/wharf/registryclient/provider"
)

// call sends a web API request, decodes a JSON answer into v (when v is not
// nil and there is a body), and returns the answer's headers (for Link). A
// refusal is an *Error of the kind its status says, with the API's own
// message; 429s are waited out by the client's guard, as for registries.
func (c *core) call(ctx context.Context, a provider.APICall, v any) (http.Header, error) {
	var body io.Reader
	switch {
	case a.Body != nil:
		b, err := json.Marshal(a.Body)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	case a.Form != nil:
		body = strings.NewReader(a.Form.Encode())
	}
	method := a.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case a.Body != nil:
		req.Header.Set("Content-Type", "application/json")
	case a.Form != nil:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if a.Token != "" {
		req.Header.Set("Authorization", "Bearer "+a.Token)
	}
	for k, vs := range a.Header {
		req.Header[k] = vs
	}
	resp, err := (&http.Client{Transport: c.guard}).Do(req)
	if err != nil {
		return nil, c.net.classify(a.Op, a.Registry, err)
	}
	defer resp.Body.Close()
	ok := a.OK
	if len(ok) == 0 {
		ok = []int{http.StatusOK}
	}
	if !slices.Contains(ok, resp.StatusCode) {
		e := provider.APIStatusError(a.Op, a.Registry, resp)
		if a.Advice != "" && errors.Is(e.Kind, ErrUnauthorized) {
			e.Advice = a.Advice
		}
		return nil, c.net.classify(a.Op, a.Registry, e)
	}
	if v == nil || resp.StatusCode == http.StatusNoContent {
		return resp.Header, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil && err != io.EOF {
		return nil, &Error{Op: a.Op, Registry: a.Registry, Kind: ErrServer, Detail: "malformed answer: " + err.Error(), Err: err}
	}
	return resp.Header, nil
}
