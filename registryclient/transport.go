package registryclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/singleflight"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/deadline"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/registryclient/distribution"
)

// MaxRetryAfter is the longest a 429's Retry-After is waited out before the
// request fails with ErrRateLimited instead.
const MaxRetryAfter = 30 * time.Second

// rateLimitRetries is how often one request waits out a 429.
const rateLimitRetries = 3

// guard is the bottom of every registry transport wharf builds:
//   - a 429 on a GET or HEAD waits for Retry-After (bounded) and tries again,
//     so bulk digest resolution slows down instead of failing;
//   - identical token requests in flight are made once: go-containerregistry
//     refreshes a bearer token for every request that finds it expired, so K
//     requests in flight at expiry would otherwise fetch K tokens;
//   - the last Retry-After a host sent is kept for error messages, and the
//     last request budget it stated (ratelimit-limit/-remaining) for the
//     status bar and to slow background work down.
type guard struct {
	base http.RoundTripper
	// timeout bounds the wait for a response's headers (not the body: a
	// large blob may take long to arrive).
	timeout time.Duration
	tokens  singleflight.Group
	mu      sync.Mutex
	waits   map[string]time.Duration
	budgets map[string]RateBudget
	recent  map[string]*tokenResponse
	sleep   func(context.Context, time.Duration) error
	bus     *waitBus
	// sent keeps what requests carry as credentials, to redact.
	sent *sentSecrets
	// pings are the recent answers to an anonymous GET /v2/ by URL:
	// go-containerregistry pings before every new transport (the puller,
	// a catalog walk, a probe's scoped checks), and the answer — which
	// auth the registry wants — does not change within a minute.
	pings map[string]pingAnswer
}

// pingTTL is how long an answer to /v2/ is reused.
const pingTTL = time.Minute

type pingAnswer struct {
	at     time.Time
	status int
	header http.Header
	body   []byte
}

// isPing: go-containerregistry's anonymous GET /v2/ (the one that carries
// credentials, `docker login`'s check, is never answered from memory).
func isPing(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Path == "/v2/" && r.Header.Get("Authorization") == ""
}

// cachedPing answers a ping from a recent answer.
func (g *guard) cachedPing(r *http.Request) (*http.Response, bool) {
	g.mu.Lock()
	a, ok := g.pings[r.URL.String()]
	g.mu.Unlock()
	if !ok || time.Since(a.at) > pingTTL {
		return nil, false
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", a.status, http.StatusText(a.status)), StatusCode: a.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: a.header.Clone(), Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)),
		Request: r,
	}, true
}

// keepPing remembers a ping's answer (200 or 401: what auth it wants).
func (g *guard) keepPing(r *http.Request, resp *http.Response) *http.Response {
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnauthorized {
		return resp
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp
	}
	g.mu.Lock()
	g.pings[r.URL.String()] = pingAnswer{at: time.Now(), status: resp.StatusCode, header: resp.Header.Clone(), body: body}
	g.mu.Unlock()
	return resp
}

func newGuard(base http.RoundTripper, timeout time.Duration, bus *waitBus, sent *sentSecrets) *guard {
	return &guard{base: base, timeout: timeout, waits: map[string]time.Duration{}, budgets: map[string]RateBudget{}, recent: map[string]*tokenResponse{}, sleep: sleepCtx, bus: bus, pings: map[string]pingAnswer{}, sent: sent}
}

// timeoutError is a registry that did not answer within the guard's timeout.
type timeoutError struct{ after time.Duration }

func (e timeoutError) Error() string   { return fmt.Sprintf("no answer within %s", e.after) }
func (e timeoutError) Timeout() bool   { return true }
func (e timeoutError) Temporary() bool { return true }

// roundTrip sends one request, giving up when its headers take longer than
// the timeout.
func (g *guard) roundTrip(r *http.Request) (*http.Response, error) {
	if g.timeout <= 0 {
		return g.base.RoundTrip(r)
	}
	ctx, cancel := context.WithCancel(r.Context())
	timer := time.AfterFunc(g.timeout, cancel)
	resp, err := g.base.RoundTrip(r.WithContext(ctx))
	fired := !timer.Stop()
	if err != nil {
		cancel()
		if fired && r.Context().Err() == nil {
			return nil, timeoutError{g.timeout}
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isTokenRequest: a GET of a bearer realm for a token — not registry API
// traffic, and asking for a service, as every client's token request does
// (go-containerregistry's always). A registry's own web API (Quay's, ACR's,
// Artifact Registry's, GitHub's) is no token server: its answers must
// never be handed to a later request.
func isTokenRequest(r *http.Request) bool {
	return r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/v2/") && r.URL.Query().Has("service")
}

// RoundTrip sends r through the guard and reports the operation's progress
// (internal/deadline): an answer (not a 429 or a 5xx), and every MiB of its
// body and its end, move the operation's deadline on; a 429 waited out, a
// retry or a body that trickles in do not.
func (g *guard) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	g.sent.note(r)
	deadline.Waiting(ctx, r.Method+" "+r.URL.Host+r.URL.Path)
	resp, err := g.roundTripGuarded(r)
	if err != nil || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return resp, err
	}
	deadline.Progress(ctx)
	resp.Body = &progressBody{ReadCloser: resp.Body, ctx: ctx}
	return resp, nil
}

// progressBody reports progress every MiB read and at the end.
type progressBody struct {
	io.ReadCloser
	ctx  context.Context
	read int64
}

const progressEvery = 1 << 20

func (b *progressBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.read/progressEvery != (b.read+int64(n))/progressEvery || errors.Is(err, io.EOF) {
		deadline.Progress(b.ctx)
	}
	b.read += int64(n)
	return n, err
}

func (g *guard) roundTripGuarded(r *http.Request) (*http.Response, error) {
	if isTokenRequest(r) {
		return g.sharedToken(r)
	}
	ping := isPing(r)
	if ping {
		if resp, ok := g.cachedPing(r); ok {
			return resp, nil
		}
	}
	for attempt := 0; ; attempt++ {
		resp, err := g.roundTrip(r)
		if err != nil {
			return resp, err
		}
		g.noteBudget(r.URL.Host, resp.Header)
		if resp.StatusCode != http.StatusTooManyRequests {
			if ping {
				return g.keepPing(r, resp), nil
			}
			return resp, nil
		}
		wait := retryAfter(resp.Header.Get("Retry-After"))
		g.noteWait(r.URL.Host, wait)
		retryable := r.Method == http.MethodGet || r.Method == http.MethodHead
		if !retryable || attempt >= rateLimitRetries || wait > MaxRetryAfter {
			return resp, nil
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if wait <= 0 {
			wait = time.Second << attempt
		}
		w := domain.RateWait{Registry: config.NormalizeHost(r.URL.Host), Until: time.Now().Add(wait), Retry: attempt + 1, Of: rateLimitRetries}
		if b, ok := g.budget(r.URL.Host); ok {
			w.Budget = &b
		}
		g.bus.announce(w)
		err = g.sleep(r.Context(), wait)
		w.Until = time.Time{}
		g.bus.announce(w)
		if err != nil {
			return nil, err
		}
	}
}

// tokenResponse is a token server's answer, kept to hand to every caller
// that asks for the same token at the same time, or just after.
type tokenResponse struct {
	status int
	proto  string
	header http.Header
	body   []byte
	until  time.Time
}

// tokenReuse is how long a fresh token answer is handed to callers that ask
// for the same one: requests that met a 401 a moment apart all refresh.
// Tokens live minutes; a token answer that lives less is not reused.
const tokenReuse = 5 * time.Second

func (g *guard) sharedToken(r *http.Request) (*http.Response, error) {
	key := r.URL.String() + "\x00" + r.Header.Get("Authorization")
	g.mu.Lock()
	cached := g.recent[key]
	g.mu.Unlock()
	if cached != nil && time.Now().Before(cached.until) {
		return cached.response(r), nil
	}
	v, err, _ := g.tokens.Do(key, func() (any, error) {
		resp, err := g.roundTrip(r)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		t := &tokenResponse{status: resp.StatusCode, proto: resp.Proto, header: resp.Header, body: body}
		if resp.StatusCode == http.StatusOK && tokenLifetime(body) > 4*tokenReuse {
			t.until = time.Now().Add(tokenReuse)
			g.mu.Lock()
			g.recent[key] = t
			g.mu.Unlock()
		}
		return t, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*tokenResponse).response(r), nil
}

// tokenLifetime reads expires_in from a token answer (60 s when absent, as
// the token specification says).
func tokenLifetime(body []byte) time.Duration {
	var t struct {
		ExpiresIn int `json:"expires_in"`
	}
	if json.Unmarshal(body, &t) != nil {
		return 0
	}
	if t.ExpiresIn <= 0 {
		return 60 * time.Second
	}
	return time.Duration(t.ExpiresIn) * time.Second
}

// response is a fresh copy of the answer for one caller.
func (t *tokenResponse) response(r *http.Request) *http.Response {
	return &http.Response{
		Status: strconv.Itoa(t.status) + " " + http.StatusText(t.status), StatusCode: t.status,
		Proto: t.proto, ProtoMajor: 1, ProtoMinor: 1,
		Header: t.header.Clone(), Body: io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)), Request: r,
	}
}

// waitBus tells whoever listens (the app's status bar) that a request is
// waiting out a 429, and when it is over.
type waitBus struct {
	mu   sync.Mutex
	subs []chan domain.RateWait
}

// announce never blocks: a listener that is behind misses a report (the
// app also ends a wait by its Until).
func (b *waitBus) announce(w domain.RateWait) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ch := range b.subs {
		select {
		case ch <- w:
		default:
		}
	}
}

func (b *waitBus) subscribe(ctx context.Context) <-chan domain.RateWait {
	ch := make(chan domain.RateWait, 16)
	b.mu.Lock()
	b.subs = append(b.subs, ch)
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		defer b.mu.Unlock()
		b.subs = slices.DeleteFunc(b.subs, func(c chan domain.RateWait) bool { return c == ch })
		close(ch)
	}()
	return ch
}

// RateWaits reports each wait for a registry's 429 as it starts (Until
// set) and ends (Until zero), until ctx ends.
func (c *core) RateWaits(ctx context.Context) <-chan domain.RateWait {
	return c.waits.subscribe(ctx)
}

func (g *guard) noteWait(host string, d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.waits[host] = d
}

func (g *guard) lastWait(host string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waits[host]
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// retryStatusCodes are what go-containerregistry may retry by itself: not
// 429 (the guard waits for Retry-After) and not 500 (a registry's own
// failure, reported at once).
var retryStatusCodes = []int{http.StatusRequestTimeout, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

// remoteOptions are the go-containerregistry options for a registry host.
func (r *reach) remoteOptions(ctx context.Context, host string) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(r.keychain),
		remote.WithTransport(r.transportFor(host)),
		remote.WithPageSize(distribution.PageSize),
		remote.WithRetryStatusCodes(retryStatusCodes...),
		remote.WithRetryBackoff(remote.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 2}),
	}
}

// guardOf is the guard at the bottom of host's transport and the key it
// files host's answers under (the host requests go to).
func (r *reach) guardOf(host string) (*guard, string, bool) {
	g, ok := r.transportFor(host).(*guard)
	if !ok {
		return nil, "", false
	}
	key := host
	if reg, err := name.NewRegistry(host); err == nil {
		key = reg.RegistryStr()
	}
	return g, key, true
}

// classify is Classify plus what the client knows of the failure: for a
// rate limit, how long the registry asked to wait.
func (r *reach) classify(op, host string, err error) error {
	err = Classify(op, host, err)
	var e *Error
	if errors.As(err, &e) && e.Detail != "" {
		// A registry may echo what it was sent: the user's own credentials
		// never leave in a message.
		// A fresh slice: secretsOf's is the one kept for host, shared by
		// every caller.
		e.Detail = domain.Redact(e.Detail, slices.Concat(r.secretsOf(host), r.sent.all())...)
	}
	if errors.As(err, &e) && errors.Is(e.Kind, ErrRateLimited) {
		if g, key, ok := r.guardOf(host); ok {
			if e.RetryAfter == 0 {
				e.RetryAfter = g.lastWait(key)
			}
			if b, ok := g.budget(key); ok {
				e.Budget = &b
			}
		}
	}
	return err
}

// secretsOf are the user's credentials for host, to take out of messages;
// asked once per host (a credential helper may be slow).
func (r *reach) secretsOf(host string) []string {
	key := config.NormalizeHost(host)
	r.conns.mu.Lock()
	if s, ok := r.conns.secrets[key]; ok {
		r.conns.mu.Unlock()
		return s
	}
	r.conns.mu.Unlock()
	var out []string
	if cfg, err := r.credentials(context.Background(), host); err == nil && cfg != nil {
		secrets := []string{cfg.Password, cfg.Auth, cfg.IdentityToken, cfg.RegistryToken}
		if cfg.Username != "" && cfg.Password != "" {
			// What a Basic credential sends is the pair's base64:
			// domain.Redact takes out every encoding of the pair.
			secrets = append(secrets, cfg.Username+":"+cfg.Password)
		}
		for _, s := range secrets {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	r.conns.mu.Lock()
	r.conns.secrets[key] = out
	r.conns.mu.Unlock()
	return out
}
