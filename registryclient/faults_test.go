package registryclient_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

func registryError(code, msg string) string {
	return `{"errors":[{"code":"` + code + `","message":"` + msg + `"}]}`
}

// Every failure a registry can hand back becomes the right typed error, and
// nothing partial is passed off as complete.
func TestFaultsBecomeTypedErrors(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	for _, tc := range []struct {
		name  string
		kind  string
		fault testenv.Fault
		want  error
		text  string
	}{
		{"401", "GET tags", testenv.Fault{Status: 401, Body: registryError("UNAUTHORIZED", "authentication required")}, registryclient.ErrUnauthorized, "docker login " + proxy.Host},
		{"403", "GET tags", testenv.Fault{Status: 403, Body: registryError("DENIED", "requested access to the resource is denied")}, registryclient.ErrDenied, "do not allow this"},
		{"404", "GET tags", testenv.Fault{Status: 404, Body: registryError("NAME_UNKNOWN", "repository name not known to registry")}, registryclient.ErrNotFound, "repository name not known"},
		{"429 too long to wait", "GET tags", testenv.Fault{Status: 429, Header: map[string]string{"Retry-After": "120"}, Body: registryError("TOOMANYREQUESTS", "slow down")}, registryclient.ErrRateLimited, "try again in 2m0s"},
		{"500", "GET tags", testenv.Fault{Status: 500, Body: registryError("UNKNOWN", "storage failed")}, registryclient.ErrServer, "try again later"},
		{"timeout", "GET tags", testenv.Fault{Delay: 3 * time.Second}, registryclient.ErrTimeout, "did not answer in time"},
		{"reset", "GET tags", testenv.Fault{Reset: true}, registryclient.ErrUnreachable, ""},
		{"malformed JSON", "GET tags", testenv.Fault{Status: 200, Body: `{"name":"fixtures/app","tags":["1.0",`}, registryclient.ErrServer, "malformed answer"},
		{"not JSON", "GET tags", testenv.Fault{Status: 200, Body: `<html>proxy error</html>`}, registryclient.ErrServer, "malformed answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy.ClearFaults()
			proxy.Inject(testenv.OfKind(tc.kind), tc.fault)
			c := newClient(t, registryclient.WithTimeout(time.Second))
			tags, err := c.Tags(testCtx(t), proxy.Repo("fixtures/app"))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tags != nil {
				t.Errorf("a failed listing returned %d tags", len(tags))
			}
			if !strings.Contains(err.Error(), tc.text) || !strings.Contains(err.Error(), proxy.Host) {
				t.Errorf("message %q lacks %q or the registry", err, tc.text)
			}
		})
	}
	proxy.ClearFaults()
}

// A 429 with a short Retry-After is waited out: resolution slows down and
// completes.
func TestRateLimitIsWaitedOut(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	proxy.Inject(testenv.OfKind("HEAD manifest"), testenv.Fault{Status: 429, Header: map[string]string{"Retry-After": "1"}, Times: 2})
	c := newClient(t)
	start := time.Now()
	var mu sync.Mutex
	var got []domain.TagDigest
	err := c.Digests(testCtx(t), proxy.Repo("fixtures/app"), []string{"1.0.0", "stable"}, func(td domain.TagDigest) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, td)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, td := range got {
		if td.Err != nil {
			t.Errorf("%s: %v after waiting out the rate limit", td.Tag, td.Err)
		}
	}
	if time.Since(start) < time.Second {
		t.Errorf("finished in %s: the Retry-After was not honoured", time.Since(start))
	}
	if n := proxy.Counts()["HEAD manifest"]; n != 4 {
		t.Errorf("%d HEADs, want 2 refused and 2 answered", n)
	}
}

// While wharf waits out a 429 it says so to whoever listens (the app's
// status bar): whose limit, until when, and what the registry said of it;
// and when the wait is over.
func TestRateWaitsAreReported(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	proxy.Inject(testenv.OfKind("HEAD manifest"), testenv.Fault{Status: 429, Times: 1, Header: map[string]string{
		"Retry-After": "1", "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "0;w=21600",
	}})
	c := newClient(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	waits := c.RateWaits(ctx)
	start := time.Now()
	if _, err := c.Resolve(testCtx(t), proxy.Repo("fixtures/app:1.0.0")); err != nil {
		t.Fatal(err)
	}
	cancel()
	var got []domain.RateWait
	for w := range waits {
		got = append(got, w)
	}
	if len(got) != 2 {
		t.Fatalf("reported %+v, want the wait's start and end", got)
	}
	if w := got[0]; w.Registry != proxy.Host || w.Until.Before(start.Add(900*time.Millisecond)) || w.Until.After(start.Add(2*time.Second)) || w.Retry != 1 {
		t.Errorf("start of the wait: %+v (asked at %s)", w, start)
	}
	if text := got[0].Text(start); !strings.Contains(text, "rate limited by "+proxy.Host+", retrying in 1 s (pulls 0/100 per 6h)") {
		t.Errorf("the status bar would say %q", text)
	}
	if !got[1].Until.IsZero() || got[1].Registry != proxy.Host {
		t.Errorf("end of the wait: %+v", got[1])
	}
}

// A manifest whose bytes do not match its digest is refused.
func TestCorruptManifestIsRefused(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	proxy.Inject(testenv.OfKind("GET manifest"), testenv.Fault{Corrupt: true})
	app, _ := fixtures.Image(fixtures.App)
	d, _ := app.Digest()
	c := newClient(t)
	for _, ref := range []string{proxy.Repo("fixtures/app:1.0.0"), proxy.Repo("fixtures/app@" + d.String())} {
		if _, err := c.Describe(testCtx(t), ref); !errors.Is(err, registryclient.ErrCorrupt) {
			t.Errorf("describe %s with a corrupt manifest: %v, want ErrCorrupt", ref, err)
		}
	}
}

// Resolving N tags' digests costs one ping, N HEADs and no manifest GETs;
// through the token registry, one token however many requests there are.
func TestDigestRequestBudget(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	pushManyTags(t, reg, "it/budget", 200)
	tags, err := newClient(t).Tags(testCtx(t), proxy.Repo("it/budget"))
	if err != nil {
		t.Fatal(err)
	}
	proxy.ResetCounts()
	c := newClient(t)
	n := 0
	var mu sync.Mutex
	if err := c.Digests(testCtx(t), proxy.Repo("it/budget"), tags, func(domain.TagDigest) { mu.Lock(); n++; mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	counts := proxy.Counts()
	want := map[string]int{"ping": 1, "HEAD manifest": len(tags)}
	if n != len(tags) || len(counts) != len(want) || counts["ping"] != 1 || counts["HEAD manifest"] != len(tags) {
		t.Errorf("requests %v for %d tags, want %v", counts, len(tags), want)
	}
}

// K requests in flight when a token expires cause one token fetch, not K.
// The expiry is played by the proxy: it answers 16 parallel HEADs with the
// registry's own 401 challenge, as a registry does once a token expired.
func TestExpiredTokenIsRefreshedOnce(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Token)
	proxy := testenv.StartProxy(t, reg)
	c := newClient(t, registryclient.WithKeychain(testenv.KeychainFor(proxy.Host, reg.Auth(testenv.AdminUser))))
	tags := []string{"1", "1.0", "1.0.0", "latest", "stable", "0.9.0", "1.1.0-rc.1"}
	var all []string
	for range 8 {
		all = append(all, tags...)
	}
	var mu sync.Mutex
	var failed []error
	each := func(td domain.TagDigest) {
		if td.Err != nil {
			mu.Lock()
			failed = append(failed, td.Err)
			mu.Unlock()
		}
	}
	before := reg.TokensIssued()
	if err := c.Digests(testCtx(t), proxy.Repo("fixtures/app"), all, each); err != nil {
		t.Fatal(err)
	}
	first := reg.TokensIssued() - before
	// Past the few seconds a fresh token answer is shared.
	time.Sleep(6 * time.Second)

	challenge := `Bearer realm="` + reg.TokenRealm() + `",service="wharf-test-registry",scope="repository:fixtures/app:pull",error="invalid_token"`
	proxy.Inject(testenv.OfKind("HEAD manifest"), testenv.Fault{
		Status: http.StatusUnauthorized, Delay: 200 * time.Millisecond, Times: 16,
		Header: map[string]string{"WWW-Authenticate": challenge}, Body: registryError("UNAUTHORIZED", "token expired"),
	})
	if err := c.Digests(testCtx(t), proxy.Repo("fixtures/app"), all, each); err != nil {
		t.Fatal(err)
	}
	second := reg.TokensIssued() - before - first
	if len(failed) > 0 {
		t.Errorf("%d tags failed, first: %v", len(failed), failed[0])
	}
	if first != 1 || second != 1 {
		t.Errorf("tokens fetched: %d for the first pass, %d after 16 requests met an expired token; want 1 and 1", first, second)
	}
}

// Leaving a view cancels what is still queued: those tags are never asked
// for, and the ones asked first are the ones given first.
func TestDigestsStopWhenCancelled(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	pushManyTags(t, reg, "it/cancel", 300)
	tags, err := newClient(t).Tags(testCtx(t), proxy.Repo("it/cancel"))
	if err != nil {
		t.Fatal(err)
	}
	// Slow HEADs, so cancelling lands while most tags are still queued.
	proxy.Inject(testenv.OfKind("HEAD manifest"), testenv.Fault{Delay: 50 * time.Millisecond, Times: 1 << 30})
	proxy.ResetCounts()
	ctx, cancel := context.WithCancel(testCtx(t))
	var mu sync.Mutex
	var got []string
	err = newClient(t, registryclient.WithDigestConcurrency(4)).Digests(ctx, proxy.Repo("it/cancel"), tags, func(td domain.TagDigest) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, td.Tag)
		if len(got) == 8 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Digests after cancel: %v, want context.Canceled", err)
	}
	heads := proxy.Counts()["HEAD manifest"]
	if heads > 16 || len(got) > 12 {
		t.Errorf("%d HEADs sent and %d results after cancelling at 8 of %d", heads, len(got), len(tags))
	}
	for _, tag := range got {
		if !slices.Contains(tags[:16], tag) {
			t.Errorf("%s resolved before earlier tags", tag)
		}
	}
}
