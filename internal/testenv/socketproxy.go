package testenv

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// SocketCounter sits in front of an engine's socket and counts the API
// calls that pass, by "METHOD /path" with the API version left out.
type SocketCounter struct {
	// Host is the DOCKER_HOST that reaches the engine through the counter.
	Host   string
	mu     sync.Mutex
	counts map[string]int
}

// CountEngineCalls starts a counter in front of e; it stops with the test.
func CountEngineCalls(tb testing.TB, e *Engine) *SocketCounter {
	tb.Helper()
	dir, err := os.MkdirTemp("", "wharf-count-")
	if err != nil {
		tb.Fatal(err)
	}
	sock := filepath.Join(dir, "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		tb.Fatal(err)
	}
	c := &SocketCounter{Host: "unix://" + sock, counts: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: "engine"})
	rp.FlushInterval = -1 // events stream
	rp.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", e.sock)
	}}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { //nolint:gosec // a test's loopback socket
		path := r.URL.Path
		if rest, ok := strings.CutPrefix(path, "/v"); ok {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				path = rest[i:]
			}
		}
		c.mu.Lock()
		c.counts[r.Method+" "+path]++
		c.mu.Unlock()
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() {
		_ = srv.Close()
		_ = os.RemoveAll(dir)
	})
	return c
}

// Count is how many calls of "METHOD /path" passed.
func (c *SocketCounter) Count(call string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[call]
}

// Reset forgets the counts.
func (c *SocketCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = map[string]int{}
}
