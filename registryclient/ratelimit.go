package registryclient

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
)

// RateBudget is what a registry said of its request budget.
type RateBudget = domain.RateBudget

// DefaultPace is how far apart background digest requests start once a
// registry's budget is low.
const DefaultPace = time.Second

// WithPace sets how far apart background digest requests start once a
// registry's budget is low (tests make it short).
func WithPace(d time.Duration) Option { return func(c *Client) { c.pace = d } }

// parseRateBudget reads Docker Hub's ratelimit-limit and ratelimit-remaining
// headers ("100;w=21600"), which any registry may send.
func parseRateBudget(h http.Header, now time.Time) (RateBudget, bool) {
	limit, window, ok := parseRateHeader(h.Get("ratelimit-limit"))
	if !ok {
		return RateBudget{}, false
	}
	remaining, w2, ok := parseRateHeader(h.Get("ratelimit-remaining"))
	if !ok {
		return RateBudget{}, false
	}
	if window == 0 {
		window = w2
	}
	return RateBudget{Limit: limit, Remaining: remaining, Window: window, At: now.UTC()}, true
}

func parseRateHeader(v string) (n int, window time.Duration, ok bool) {
	if v == "" {
		return 0, 0, false
	}
	parts := strings.Split(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || n < 0 {
		return 0, 0, false
	}
	for _, p := range parts[1:] {
		if secs, found := strings.CutPrefix(strings.TrimSpace(p), "w="); found {
			if s, err := strconv.Atoi(secs); err == nil && s > 0 {
				window = time.Duration(s) * time.Second
			}
		}
	}
	return n, window, true
}

func (g *guard) noteBudget(host string, h http.Header) {
	b, ok := parseRateBudget(h, time.Now())
	if !ok {
		return
	}
	b.Registry = host
	g.mu.Lock()
	defer g.mu.Unlock()
	g.budgets[host] = b
}

func (g *guard) budget(host string) (RateBudget, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	b, ok := g.budgets[host]
	return b, ok
}

// RateBudget returns the request budget host last stated, if it ever did
// (Docker Hub does on every manifest request, HEAD included).
func (c *Probes) RateBudget(host string) (RateBudget, bool) {
	g, key, ok := c.net.guardOf(host)
	if !ok {
		return RateBudget{}, false
	}
	b, ok := g.budget(key)
	if ok {
		b.Registry = config.NormalizeHost(host)
	}
	return b, ok
}

// CheckRateBudget asks for the budget with one HEAD of reference's manifest
// (a HEAD costs no pull on Docker Hub), and returns what the answer said.
func (c *Reads) CheckRateBudget(ctx context.Context, reference string) (RateBudget, bool, error) {
	ref, err := c.registries.parseReference(reference)
	if err != nil {
		return RateBudget{}, false, invalidReference("check the rate limit", reference, err)
	}
	if _, err := c.Resolve(ctx, reference); err != nil {
		return RateBudget{}, false, err
	}
	b, ok := c.RateBudget(ref.Context().RegistryStr())
	return b, ok, nil
}

// AskRateBudget asks host for its budget when its provider knows a request
// that tells it for free (Docker Hub: a HEAD of Docker's test image), and
// returns what host last stated otherwise.
func (c *Reads) AskRateBudget(ctx context.Context, host string) (RateBudget, bool, error) {
	ref := c.Provider(host).BudgetReference()
	if ref == "" {
		b, ok := c.RateBudget(host)
		return b, ok, nil
	}
	return c.CheckRateBudget(ctx, ref)
}

// pacer spaces out background requests to a registry whose budget is low:
// one at a time, c.pace apart.
type pacer struct {
	mu   sync.Mutex
	last time.Time
}

// wait returns when the next background request to host may start, and
// the function to call when it is done: with the budget low, requests go
// one at a time, c.pace apart.
func (c *Probes) wait(ctx context.Context, host string) (done func(), err error) {
	b, ok := c.RateBudget(host)
	if !ok || !b.Low() {
		return func() {}, nil
	}
	c.pacer.mu.Lock()
	if d := c.pace - time.Since(c.pacer.last); d > 0 {
		if err := sleepCtx(ctx, d); err != nil {
			c.pacer.mu.Unlock()
			return nil, err
		}
	}
	return func() {
		c.pacer.last = time.Now()
		c.pacer.mu.Unlock()
	}, nil
}
