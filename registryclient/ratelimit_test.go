package registryclient_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/registryclient"
)

// hubRegistryFake answers manifest HEADs the way Docker Hub's registry
// documents it: every answer states the pull budget in ratelimit-limit and
// ratelimit-remaining ("<n>;w=<seconds>"); once nothing is left it answers
// 429 TOOMANYREQUESTS. It records how many HEADs were in flight at once.
type hubRegistryFake struct {
	srv       *httptest.Server
	remaining atomic.Int64
	inFlight  atomic.Int64
	mu        sync.Mutex
	maxFlight int64
	starts    []time.Time
}

func newHubRegistryFake(t *testing.T, remaining int64) *hubRegistryFake {
	t.Helper()
	f := &hubRegistryFake{}
	f.remaining.Store(remaining)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		if !strings.Contains(r.URL.Path, "/manifests/") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		n := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		f.mu.Lock()
		f.maxFlight = max(f.maxFlight, n)
		f.starts = append(f.starts, time.Now())
		f.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		left := f.remaining.Load()
		w.Header().Set("ratelimit-limit", "100;w=21600")
		w.Header().Set("ratelimit-remaining", fmt.Sprintf("%d;w=21600", left))
		w.Header().Set("docker-ratelimit-source", "203.0.113.7")
		if left == 0 {
			w.Header().Set("Retry-After", "3600")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = fmt.Fprint(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}`)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
		w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("ab", 32))
		w.Header().Set("Content-Length", "500")
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *hubRegistryFake) host() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func numberedTags(n int) []string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("v%d", i)
	}
	return tags
}

// Contract test: the budget is read from a HEAD, which costs no pull.
func TestRateBudgetFromAHEADContract(t *testing.T) {
	f := newHubRegistryFake(t, 87)
	c := newClient(t)
	b, ok, err := c.CheckRateBudget(testCtx(t), f.host()+"/ratelimitpreview/test:latest")
	if err != nil || !ok {
		t.Fatalf("check: %+v %v %v", b, ok, err)
	}
	if b.Limit != 100 || b.Remaining != 87 || b.Window != 6*time.Hour || b.Low() {
		t.Errorf("budget %+v", b)
	}
	if got := b.String(); got != "pulls 87/100 per 6h" {
		t.Errorf("budget reads %q", got)
	}
}

// Contract test: with plenty left, digests resolve in parallel; with a
// tenth or less left, one at a time and paced, so the budget is not spent
// by background work.
func TestDigestsSlowDownWhenTheBudgetIsLowContract(t *testing.T) {
	for _, tc := range []struct {
		name      string
		remaining int64
		parallel  bool
	}{{"plenty", 80, true}, {"low", 9, false}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newHubRegistryFake(t, tc.remaining)
			const pace = 30 * time.Millisecond
			c := newClient(t, registryclient.WithPace(pace))
			ctx := testCtx(t)
			// The first answer states the budget.
			if _, _, err := c.CheckRateBudget(ctx, f.host()+"/library/app:latest"); err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			f.maxFlight, f.starts = 0, nil
			f.mu.Unlock()
			var resolved atomic.Int64
			err := c.Digests(ctx, f.host()+"/library/app", numberedTags(12), func(td domain.TagDigest) {
				if td.Err == nil {
					resolved.Add(1)
				}
			})
			if err != nil || resolved.Load() != 12 {
				t.Fatalf("resolved %d of 12: %v", resolved.Load(), err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if tc.parallel && f.maxFlight < 2 {
				t.Errorf("plenty of budget, but at most %d request in flight", f.maxFlight)
			}
			if !tc.parallel {
				if f.maxFlight != 1 {
					t.Errorf("low budget, but %d requests in flight at once", f.maxFlight)
				}
				for i := 1; i < len(f.starts); i++ {
					if gap := f.starts[i].Sub(f.starts[i-1]); gap < pace {
						t.Errorf("requests %d and %d started %s apart, want at least %s", i-1, i, gap, pace)
					}
				}
			}
		})
	}
}

// Contract test: a 429 with the budget spent is explained in words, with
// what is left and when to try again.
func TestRateLimitExplainedInWordsContract(t *testing.T) {
	f := newHubRegistryFake(t, 0)
	c := newClient(t)
	_, err := c.Resolve(testCtx(t), f.host()+"/library/app:latest")
	var e *registryclient.Error
	if !errors.As(err, &e) || !errors.Is(err, registryclient.ErrRateLimited) {
		t.Fatalf("resolve: %v, want ErrRateLimited", err)
	}
	for _, want := range []string{"request limit is used up", "pulls 0/100 per 6h", "try again in 1h0m0s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	// The same answer from Docker Hub names it and says what helps.
	hub := &registryclient.Error{Registry: "index.docker.io", Kind: registryclient.ErrRateLimited, Budget: e.Budget, RetryAfter: time.Hour}
	for _, want := range []string{"Docker Hub's pull limit is used up", "docker login", "HEAD"} {
		if !strings.Contains(hub.Error(), want) {
			t.Errorf("%q does not say %q", hub, want)
		}
	}
}
