package registryclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/wharf-dev/wharf/internal/domain"
)

// getJSON GETs a web API's JSON (Docker Hub's, GitHub's) into v with a
// bearer token ("" for none), and returns the answer's headers (for Link).
func (c *Client) getJSON(ctx context.Context, u, token, registry string, v any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if strings.Contains(u, "github") || registry == domain.GHCR {
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	}
	resp, err := (&http.Client{Transport: c.guard}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, apiStatusError(registry, resp)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return nil, fmt.Errorf("reading %s's answer: %w", registry, err)
	}
	return resp.Header, nil
}

// apiStatusError is a web API's refusal in the registry error shape, so
// Classify types it.
func apiStatusError(registry string, resp *http.Response) error {
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
	}
	return &Error{Op: "list repositories", Registry: registry, Kind: kind, Status: resp.StatusCode, Detail: http.StatusText(resp.StatusCode)}
}
