package registryclient_test

// What wharf guarantees under faults (issue "Under faults, races and
// crashes nothing is lost, and the journal tells the truth"), against a
// real registry:2 behind testenv's fault-injecting proxy. An independent
// reader (writeTarget.digestOf, straight to the registry) checks what the
// registry holds; the journal's outcome must match it.

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// proxied is a registry:2 target seeded with a, b, c (one image) and solo,
// and a proxy in front of it for the client to go through.
func proxied(t *testing.T) (w writeTarget, proxy *testenv.Proxy, repo, through string) {
	t.Helper()
	w = writeTargets()["registry2"](t)
	repo = w.seed(t)
	proxy = testenv.StartProxy(t, testenv.NeedRegistry(t, testenv.Anonymous))
	return w, proxy, repo, proxy.Host + strings.TrimPrefix(repo, w.host)
}

// unchanged fails the test unless a, b, c and solo are as seeded.
func unchanged(t *testing.T, w writeTarget, repo string) {
	t.Helper()
	app, old := testenv.FixtureDigest(t, fixtures.App), testenv.FixtureDigest(t, fixtures.AppOld)
	for tag, want := range map[string]string{"a": app, "b": app, "c": app, "solo": old} {
		if got := w.digestOf(t, repo+":"+tag); got != want {
			t.Errorf("%s resolves to %q, want %s", tag, got, want)
		}
	}
}

func onlyEntry(t *testing.T, c *registryclient.Client) domain.JournalEntry {
	t.Helper()
	entries, err := registryclient.JournalOf(c).Entries()
	if err != nil || len(entries) != 1 {
		t.Fatalf("journal: %+v %v, want one entry", entries, err)
	}
	return entries[0]
}

// Finding 1: a cache or proxy that answers 404 to the HEADs of the sibling
// check must not make wharf take the siblings for none and delete the
// manifest with them. It stops, says why, and changes nothing.
func TestA404OnTheSiblingCheckDeletesNothing(t *testing.T) {
	w, proxy, repo, through := proxied(t)
	// b itself resolves; its siblings a, c and solo do not.
	sibling := func(r *http.Request) bool {
		return testenv.OfKind("HEAD manifest")(r) && !strings.HasSuffix(r.URL.Path, "/manifests/b")
	}
	proxy.Inject(sibling, testenv.Fault{Status: 404, Body: registryError("MANIFEST_UNKNOWN", "manifest unknown")})
	c := w.client(t)
	_, err := c.DeleteTag(testCtx(t), through+":b")
	if err == nil || !strings.Contains(err.Error(), "does not resolve") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("delete with siblings that 404: %v", err)
	}
	proxy.ClearFaults()
	unchanged(t, w, repo)
	if entries, _ := registryclient.JournalOf(c).Entries(); len(entries) != 0 {
		t.Errorf("journaled %+v", entries)
	}
}

// Finding 5: after a failure the registry is read back, and the journal says
// what happened — nothing (refused), or the change after all (done).
func TestFailedWritesAreReadBackAndJournaledAsTheyAre(t *testing.T) {
	t.Run("delete-answered-500-nothing-changed", func(t *testing.T) {
		w, proxy, repo, through := proxied(t)
		proxy.Inject(testenv.OfKind("DELETE manifest"), testenv.Fault{Status: 500, Body: registryError("UNKNOWN", "storage failed")})
		c := w.client(t)
		if _, err := c.DeleteTag(testCtx(t), through+":a"); !errors.Is(err, registryclient.ErrServer) {
			t.Fatalf("delete: %v", err)
		}
		proxy.ClearFaults()
		unchanged(t, w, repo)
		if e := onlyEntry(t, c); e.Outcome != domain.OutcomeRefused || !strings.Contains(e.Refused, "nothing changed") {
			t.Errorf("journal says %q (%s), want refused: nothing changed", e.Outcome, e.Refused)
		}
	})
	t.Run("retag-timed-out-nothing-changed", func(t *testing.T) {
		w, proxy, repo, through := proxied(t)
		proxy.Inject(testenv.OfKind("PUT manifest"), testenv.Fault{Hang: true})
		c := newClient(t, registryclient.WithJournal(registryclient.JournalOf(w.client(t))), registryclient.WithTimeout(time.Second))
		if _, err := c.Retag(testCtx(t), through+":a", "fresh", domain.Overwrite{}); !errors.Is(err, registryclient.ErrTimeout) {
			t.Fatalf("retag: %v", err)
		}
		proxy.ClearFaults()
		unchanged(t, w, repo)
		if got := w.digestOf(t, repo+":fresh"); got != "" {
			t.Errorf("fresh exists: %s", got)
		}
		if e := onlyEntry(t, c); e.Outcome != domain.OutcomeRefused {
			t.Errorf("journal says %q (%s), want refused", e.Outcome, e.Refused)
		}
	})
	t.Run("retag-made-but-answered-500-done", func(t *testing.T) {
		w, proxy, repo, through := proxied(t)
		proxy.Inject(testenv.OfKind("PUT manifest"), testenv.Fault{Forward: true, Status: 500, Body: registryError("UNKNOWN", "lost the answer")})
		c := w.client(t)
		res, err := c.Retag(testCtx(t), through+":a", "fresh", domain.Overwrite{})
		if err != nil {
			t.Fatalf("retag that the registry made: %v", err)
		}
		proxy.ClearFaults()
		if got := w.digestOf(t, repo+":fresh"); got != res.Digest {
			t.Errorf("fresh resolves to %q, want %s", got, res.Digest)
		}
		if e := onlyEntry(t, c); e.Outcome != domain.OutcomeDone {
			t.Errorf("journal says %q, want done", e.Outcome)
		}
	})
}

// Finding 4: a probe that could not tell (a 404 without a registry's error)
// is trusted minutes, not a day; and a probe that said "delete by tag" of a
// registry that refuses it does not break deletes: they fall back, and the
// probe is asked again.
func TestAProbeFaultDoesNotBreakDeletes(t *testing.T) {
	w, proxy, repo, through := proxied(t)
	c := w.client(t)
	proxy.Inject(testenv.OfKind("DELETE manifest"), testenv.Fault{Status: 404})
	caps, err := c.Probe(testCtx(t), proxy.Host)
	if err != nil || caps.TagDelete != domain.Unknown || caps.TTL(registryclient.ProbeTTL, registryclient.UnsureProbeTTL) != registryclient.UnsureProbeTTL {
		t.Fatalf("probe behind a bare 404: %+v %v", caps, err)
	}
	// A registry-shaped 404 makes the probe believe in delete by tag,
	// which registry:2 refuses.
	proxy.ClearFaults()
	proxy.Inject(testenv.OfKind("DELETE manifest"), testenv.Fault{Status: 404, Body: registryError("MANIFEST_UNKNOWN", "manifest unknown"), Times: 2})
	if caps, err = c.Probe(testCtx(t), proxy.Host); err != nil || caps.TagDelete != domain.Supported {
		t.Fatalf("probe: %+v %v", caps, err)
	}
	proxy.ClearFaults()
	res, err := c.DeleteTag(testCtx(t), through+":a")
	if err != nil || res.Path != domain.DeletedByPlaceholder {
		t.Fatalf("delete after a wrong probe: %+v %v", res, err)
	}
	if got := w.digestOf(t, repo+":a"); got != "" {
		t.Errorf("a still resolves to %s", got)
	}
	if caps, ok := c.CachedCapabilities(proxy.Host); ok && caps.TagDelete == domain.Supported {
		t.Error("the wrong probe is still trusted")
	}
}

// Finding 3, in the library: a delete cut off between pointing the tag at
// wharf's placeholder and deleting it (here: the placeholder's delete and
// the way back both fail) leaves the tag there; the journal has the
// placeholder, and undo puts the tag back without --overwrite.
func TestUndoFinishesADeleteCutOffAtThePlaceholder(t *testing.T) {
	w, proxy, repo, through := proxied(t)
	proxy.Inject(testenv.OfMethodPath(http.MethodDelete, "/manifests/sha256:"), testenv.Fault{Status: 500, Body: registryError("UNKNOWN", "storage failed")})
	// The first PUT points the tag at the placeholder; the second, the way
	// back, fails.
	proxy.Inject(testenv.OfKind("PUT manifest"), testenv.Fault{Skip: 1, Status: 500, Body: registryError("UNKNOWN", "storage failed")})
	c := w.client(t)
	if _, err := c.DeleteTag(testCtx(t), through+":a"); err == nil || !strings.Contains(err.Error(), "wharf undo") {
		t.Fatalf("delete cut off: %v", err)
	}
	proxy.ClearFaults()
	e := onlyEntry(t, c)
	if e.Placeholder == "" || w.digestOf(t, repo+":a") != e.Placeholder || e.Outcome != domain.OutcomeUnknown {
		t.Fatalf("a resolves to %s; the journal's placeholder is %q, outcome %q", w.digestOf(t, repo+":a"), e.Placeholder, e.Outcome)
	}
	if _, err := c.Undo(testCtx(t), e, false); err != nil {
		t.Fatalf("undo without --overwrite: %v", err)
	}
	unchanged(t, w, repo)
	if got := w.digestOf(t, repo+"@"+e.Placeholder); got != "" {
		t.Errorf("the placeholder manifest is still there")
	}
}

// Finding 7: a registry that echoes the Authorization header in its error
// gets it taken out of every message.
func TestCredentialsNeverLeaveInMessages(t *testing.T) {
	const user, pass = "alice", "hunter2-s3cret"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/v2/" {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"errors":[{"code":"DENIED","message":"not for you (you sent ` + r.Header.Get("Authorization") + `, password ` + pass + `)"}]}`))
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := newClient(t, registryclient.WithKeychain(testenv.KeychainFor(host, &authn.Basic{Username: user, Password: pass})))
	_, err := c.Tags(testCtx(t), host+"/team/app")
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{pass, basic} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the message carries a credential: %v", err)
		}
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("nothing was taken out: %v", err)
	}
}

// Every fault against every write, on registry:2 through the proxy: an
// independent reader checks that no tag but the one asked for changed, and
// that the journal's outcome matches what the registry holds (done: the
// change is there; refused or no entry: nothing changed).
func TestFaultMatrixChangesNothingButWhatWasAsked(t *testing.T) {
	app, old := testenv.FixtureDigest(t, fixtures.App), testenv.FixtureDigest(t, fixtures.AppOld)
	seeded := map[string]string{"a": app, "b": app, "c": app, "solo": old}
	type write struct {
		run func(c *registryclient.Client, repo string) error
		// changed is what the write means to change: tag → digest after
		// ("" for gone).
		changed map[string]string
	}
	writes := map[string]write{
		"delete-shared": {func(c *registryclient.Client, repo string) error {
			_, err := c.DeleteTag(testCtx(t), repo+":a")
			return err
		}, map[string]string{"a": ""}},
		"delete-only": {func(c *registryclient.Client, repo string) error {
			_, err := c.DeleteTag(testCtx(t), repo+":solo")
			return err
		}, map[string]string{"solo": ""}},
		"retag-over": {func(c *registryclient.Client, repo string) error {
			_, err := c.Retag(testCtx(t), repo+":a", "solo", domain.OverwriteAny)
			return err
		}, map[string]string{"solo": app}},
		"retag-new": {func(c *registryclient.Client, repo string) error {
			_, err := c.Retag(testCtx(t), repo+":solo", "fresh", domain.Overwrite{})
			return err
		}, map[string]string{"fresh": old}},
		"delete-digest": {func(c *registryclient.Client, repo string) error {
			_, err := c.DeleteDigest(testCtx(t), repo+"@"+old, []string{"solo"})
			return err
		}, map[string]string{"solo": ""}},
	}
	faults := map[string]struct {
		kind  string
		fault testenv.Fault
	}{
		"500-on-delete":      {"DELETE manifest", testenv.Fault{Status: 500, Body: registryError("UNKNOWN", "storage failed")}},
		"500-on-put":         {"PUT manifest", testenv.Fault{Status: 500, Body: registryError("UNKNOWN", "storage failed")}},
		"reset-on-delete":    {"DELETE manifest", testenv.Fault{Reset: true}},
		"reset-on-put":       {"PUT manifest", testenv.Fault{Reset: true}},
		"hang-on-put":        {"PUT manifest", testenv.Fault{Hang: true}},
		"made-then-500-del":  {"DELETE manifest", testenv.Fault{Forward: true, Status: 500, Body: registryError("UNKNOWN", "lost the answer")}},
		"made-then-500-put":  {"PUT manifest", testenv.Fault{Forward: true, Status: 500, Body: registryError("UNKNOWN", "lost the answer")}},
		"404-on-head":        {"HEAD manifest", testenv.Fault{Status: 404, Body: registryError("MANIFEST_UNKNOWN", "manifest unknown")}},
		"truncated-manifest": {"GET manifest", testenv.Fault{Truncate: true}},
		"corrupt-manifest":   {"GET manifest", testenv.Fault{Corrupt: true}},
		"429-on-tags":        {"GET tags", testenv.Fault{Status: 429, Header: map[string]string{"Retry-After": "120"}, Body: registryError("TOOMANYREQUESTS", "slow down")}},
	}
	for wname, wr := range writes {
		for fname, f := range faults {
			t.Run(wname+"/"+fname, func(t *testing.T) {
				w, proxy, repo, through := proxied(t)
				proxy.Inject(testenv.OfKind(f.kind), f.fault)
				c := newClient(t, registryclient.WithJournal(registryclient.JournalOf(w.client(t))), registryclient.WithTimeout(2*time.Second))
				err := wr.run(c, through)
				proxy.ClearFaults()
				now := map[string]string{}
				for tag := range seeded {
					now[tag] = w.digestOf(t, repo+":"+tag)
				}
				now["fresh"] = w.digestOf(t, repo+":fresh")
				intended := true
				for tag, want := range seeded {
					after, asked := wr.changed[tag]
					switch {
					case !asked && now[tag] != want:
						t.Errorf("%s, which the write did not ask for, is %q (was %s); the write said %v", tag, now[tag], want, err)
					case asked && now[tag] != after:
						intended = false
					}
				}
				if want, asked := wr.changed["fresh"]; asked && now["fresh"] != want {
					intended = false
				} else if !asked && now["fresh"] != "" {
					t.Errorf("fresh appeared")
				}
				untouched := true
				for tag := range wr.changed {
					if now[tag] != seeded[tag] {
						untouched = false
					}
				}
				if err == nil && !intended {
					t.Errorf("the write said it succeeded, but the registry has %v", now)
				}
				entries, _ := registryclient.JournalOf(c).Entries()
				if len(entries) > 1 {
					t.Fatalf("%d journal entries for one write", len(entries))
				}
				if len(entries) == 0 {
					if !untouched {
						t.Errorf("nothing journaled, but the registry changed: %v", now)
					}
					return
				}
				switch e := entries[0]; e.Outcome {
				case domain.OutcomeDone:
					if !intended {
						t.Errorf("journal says done, the registry has %v", now)
					}
				case domain.OutcomeRefused:
					if !untouched {
						t.Errorf("journal says nothing changed (%s), the registry has %v", e.Refused, now)
					}
				default:
					t.Errorf("journal outcome %q (%s) after a read back that could tell; registry %v, error %v", e.Outcome, e.OutcomeNote, now, err)
				}
			})
		}
	}
}
