package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is what the proxy does to a matching request instead of, or on top
// of, forwarding it.
type Fault struct {
	// Status answers with this status (and Body, Header) without forwarding.
	Status int
	Header map[string]string
	Body   string
	// Delay waits before answering.
	Delay time.Duration
	// Reset closes the connection without an answer.
	Reset bool
	// Corrupt forwards the request but changes a byte of the answer's body,
	// keeping its length and headers (a manifest that does not match its
	// digest).
	Corrupt bool
	// Hang holds the request, unanswered, until the client gives up (or
	// the proxy stops); Hit, when set, is told each time one is held.
	Hang bool
	Hit  chan<- string
	// Echo answers Status with the request's Authorization header in the
	// error's message (a registry that repeats what it was sent); EchoAs,
	// when set, with what it makes of the header instead (the bare
	// base64 of a Basic credential, its URL-encoded form, a token …).
	Echo   bool
	EchoAs func(authorization string) string
	// Forward sends the request on, then answers Status instead of the
	// registry's answer: a change that happened, reported as failed. With
	// Hang, the request is sent on and the answer held.
	Forward bool
	// Truncate forwards and cuts the answer's body in half, keeping its
	// Content-Length (the connection drops mid-body); Trickle forwards and
	// sends the body a byte at a time, Trickle apart.
	Truncate bool
	Trickle  time.Duration
	// Rewrite forwards and sets these headers on the answer ("" removes
	// one): a registry that says it is other software.
	Rewrite map[string]string
	// Skip lets this many matching requests through before the fault
	// fires; Times fires it this many times, then forwards normally (0:
	// always).
	Skip  int
	Times int
}

type rule struct {
	match   func(*http.Request) bool
	fault   Fault
	fired   int
	skipped int
}

// Proxy sits in front of a registry: it forwards requests, counts them by
// kind, and injects faults. Tests use it to budget requests and to check
// every failure becomes the right typed error.
type Proxy struct {
	// Host is the proxy's host:port; use it as the registry host.
	Host   string
	srv    *httptest.Server
	mu     sync.Mutex
	counts map[string]int
	// seen are the requests so far, in the order they came: "METHOD path".
	seen   []string
	rules  []*rule
	target *Registry
	// release frees the requests held by Hang faults (the proxy stops).
	release chan struct{}
}

// StartProxy starts a proxy in front of a plain-HTTP registry of the
// environment; it stops with the test.
func StartProxy(tb testing.TB, target *Registry) *Proxy {
	tb.Helper()
	if target.Scheme() != "http" {
		tb.Fatalf("the proxy forwards plain HTTP; %s is %s", target.Kind, target.Scheme())
	}
	u, err := url.Parse(target.URL())
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{counts: map[string]int{}, target: target, release: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.count(r)
		if f := p.faultFor(r); f != nil {
			p.inject(w, r, rp, *f)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	p.Host = strings.TrimPrefix(p.srv.URL, "http://")
	tb.Cleanup(func() {
		close(p.release)
		p.srv.Close()
	})
	return p
}

// Repo is host/path through the proxy.
func (p *Proxy) Repo(path string) string { return p.Host + "/" + path }

// RequestKind names the kind of a registry request for counting: "ping",
// "HEAD manifest", "GET manifest", "GET blob", "GET tags", "GET catalog", …
func RequestKind(r *http.Request) string {
	path := r.URL.Path
	switch {
	case path == "/v2/" || path == "/v2":
		return "ping"
	case strings.Contains(path, "/manifests/"):
		return r.Method + " manifest"
	case strings.Contains(path, "/blobs/"):
		return r.Method + " blob"
	case strings.HasSuffix(path, "/tags/list"):
		return r.Method + " tags"
	case strings.HasSuffix(path, "/_catalog"):
		return r.Method + " catalog"
	}
	return r.Method + " " + path
}

func (p *Proxy) count(r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[RequestKind(r)]++
	p.seen = append(p.seen, r.Method+" "+r.URL.Path)
}

// Requests are the requests seen so far, in order, as "METHOD path".
func (p *Proxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}

// Counts returns the requests seen so far by kind.
func (p *Proxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.counts))
	for k, v := range p.counts {
		out[k] = v
	}
	return out
}

// ResetCounts forgets the requests counted so far.
func (p *Proxy) ResetCounts() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts = map[string]int{}
	p.seen = nil
}

// Inject adds a fault for requests that match; ClearFaults removes all.
func (p *Proxy) Inject(match func(*http.Request) bool, f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, &rule{match: match, fault: f})
}

// ClearFaults removes every fault.
func (p *Proxy) ClearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// OfKind matches requests of one RequestKind.
func OfKind(kind string) func(*http.Request) bool {
	return func(r *http.Request) bool { return RequestKind(r) == kind }
}

func (p *Proxy) faultFor(r *http.Request) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ru := range p.rules {
		if !ru.match(r) {
			continue
		}
		if ru.skipped < ru.fault.Skip {
			ru.skipped++
			continue
		}
		if ru.fault.Times == 0 || ru.fired < ru.fault.Times {
			ru.fired++
			f := ru.fault
			return &f
		}
	}
	return nil
}

func (p *Proxy) inject(w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy, f Fault) {
	if f.Hang {
		if f.Forward {
			// The registry acts on it; its answer never comes.
			rp.ServeHTTP(httptest.NewRecorder(), r)
		}
		if f.Hit != nil {
			select {
			case f.Hit <- r.Method + " " + r.URL.Path:
			default:
			}
		}
		// The body read, the server notices the client hanging up.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-p.release:
		}
		return
	}
	if f.Forward {
		rp.ServeHTTP(httptest.NewRecorder(), r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
		return
	}
	if f.Truncate || f.Trickle > 0 {
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		if f.Truncate {
			_, _ = w.Write(body[:len(body)/2])
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
				}
			}
			return
		}
		for i := range body {
			if _, err := w.Write(body[i : i+1]); err != nil {
				return
			}
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			select {
			case <-time.After(f.Trickle):
			case <-r.Context().Done():
				return
			case <-p.release:
				return
			}
		}
		return
	}
	if f.Rewrite != nil {
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		for k, v := range f.Rewrite {
			if v == "" {
				w.Header().Del(k)
			} else {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	if f.Echo || f.EchoAs != nil {
		sent := r.Header.Get("Authorization")
		if f.EchoAs != nil {
			sent = f.EchoAs(sent)
		}
		msg, _ := json.Marshal("not allowed (you sent " + sent + ")")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, `{"errors":[{"code":"DENIED","message":`+string(msg)+`}]}`)
		return
	}
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case f.Reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
			}
		}
	case f.Corrupt:
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		body := corrupt(rec.Body.Bytes())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	case f.Status != 0:
		for k, v := range f.Header {
			w.Header().Set(k, v)
		}
		if f.Body != "" && w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
	default:
		rp.ServeHTTP(w, r)
	}
}

// corrupt changes one digit of a "size" in a JSON manifest: still valid JSON
// of the same length, but other bytes than the digest names.
func corrupt(body []byte) []byte {
	i := bytes.Index(body, []byte(`"size":`))
	if i < 0 || i+7 >= len(body) {
		if len(body) > 0 {
			body[len(body)-1] ^= 1
		}
		return body
	}
	d := &body[i+7]
	if *d == '9' {
		*d = '1'
	} else {
		*d++
	}
	return body
}

// OfMethodPath matches requests of one method whose path contains part.
func OfMethodPath(method, part string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == method && strings.Contains(r.URL.Path, part) }
}
