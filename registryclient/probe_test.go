package registryclient_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// The probe tells the real registry variants apart by what they do, not by
// what they are called.
func TestProbeVariants(t *testing.T) {
	type want struct {
		scheme, tls, auth                  string
		catalog, tagDelete, manifestDelete domain.Support
		referrers                          domain.Support
		pageLimit                          int
		gcNote                             bool
		noteContains                       string
	}
	plain2 := want{
		scheme: "http", tls: domain.TLSPlainHTTP, auth: registryclient.AuthNone,
		catalog: domain.Supported, tagDelete: domain.Unsupported, manifestDelete: domain.Supported,
		referrers: domain.Unsupported, pageLimit: 1000, gcNote: true,
	}
	for _, tc := range []struct {
		name string
		reg  func(t *testing.T) *testenv.Registry
		user string
		want want
	}{
		{"registry2", func(t *testing.T) *testenv.Registry { return testenv.NeedRegistry(t, testenv.Anonymous) }, "", plain2},
		{"registry2-deletes-disabled", func(t *testing.T) *testenv.Registry {
			return testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous, DisableDelete: true})
		}, "", want{
			scheme: "http", tls: domain.TLSPlainHTTP, auth: registryclient.AuthNone,
			catalog: domain.Supported, tagDelete: domain.Unsupported, manifestDelete: domain.Unsupported,
			referrers: domain.Unsupported, pageLimit: 1000, noteContains: "deletes are disabled",
		}},
		{"tls", func(t *testing.T) *testenv.Registry { return testenv.NeedRegistry(t, testenv.TLS) }, "", want{
			scheme: "https", tls: domain.TLSCustomCA, auth: registryclient.AuthNone,
			catalog: domain.Supported, tagDelete: domain.Unsupported, manifestDelete: domain.Supported,
			referrers: domain.Unsupported, pageLimit: 1000, gcNote: true,
		}},
		{"token-admin", func(t *testing.T) *testenv.Registry { return testenv.NeedRegistry(t, testenv.Token) }, testenv.AdminUser, want{
			scheme: "http", tls: domain.TLSPlainHTTP, auth: registryclient.AuthBearer,
			catalog: domain.Supported, tagDelete: domain.Unsupported, manifestDelete: domain.Supported,
			referrers: domain.Unsupported, pageLimit: 1000, gcNote: true,
		}},
		{"token-reader", func(t *testing.T) *testenv.Registry { return testenv.NeedRegistry(t, testenv.Token) }, testenv.ReaderUser, want{
			scheme: "http", tls: domain.TLSPlainHTTP, auth: registryclient.AuthBearer,
			catalog: domain.Unsupported, tagDelete: domain.Unknown, manifestDelete: domain.Unknown,
			referrers: domain.Unsupported, noteContains: "may not ask",
		}},
		{"v3", func(t *testing.T) *testenv.Registry { return testenv.NeedRegistry(t, testenv.V3) }, "", want{
			scheme: "http", tls: domain.TLSPlainHTTP, auth: registryclient.AuthNone,
			catalog: domain.Supported, tagDelete: domain.Supported, manifestDelete: domain.Supported,
			referrers: domain.Unsupported, pageLimit: 1000, gcNote: true,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := tc.reg(t)
			opts := []registryclient.Option{registryclient.WithTransport(reg.Transport())}
			if reg.NeedsAuth() {
				opts = append(opts, registryclient.WithKeychain(reg.Keychain(tc.user)))
			}
			if reg.CAFile != "" {
				opts = append(opts, registryclient.WithRegistries([]config.Registry{{Host: reg.Host, CAFile: reg.CAFile}}))
			}
			caps, err := newClient(t, opts...).Probe(testCtx(t), reg.Host)
			if err != nil || !caps.Reachable {
				t.Fatalf("probe: %+v %v", caps, err)
			}
			got := want{
				scheme: caps.Scheme, tls: caps.TLS, auth: caps.Auth,
				catalog: caps.Catalog, tagDelete: caps.TagDelete, manifestDelete: caps.ManifestDelete,
				referrers: caps.Referrers, pageLimit: caps.PageSizeLimit,
				gcNote: slices.Contains(caps.Notes, registryclient.GCNote), noteContains: tc.want.noteContains,
			}
			if got != tc.want {
				t.Errorf("probe found\n %+v\nwant\n %+v\nnotes: %q", got, tc.want, caps.Notes)
			}
			if tc.want.noteContains != "" && !strings.Contains(strings.Join(caps.Notes, "\n"), tc.want.noteContains) {
				t.Errorf("notes %q do not say %q", caps.Notes, tc.want.noteContains)
			}
			if reg.Kind == testenv.Token && caps.Realm != reg.TokenRealm() {
				t.Errorf("realm %q, want %q", caps.Realm, reg.TokenRealm())
			}
		})
	}
}

// The OCI referrers API of the in-process registry is found; an unreachable
// registry is reported, not an error.
func TestProbeReferrersAndUnreachable(t *testing.T) {
	host := testenv.InProcess(t)
	if err := fixtures.Push(testCtx(t), host, []fixtures.Entry{{Repo: "probe/app", Tags: []string{"1"}, Image: &fixtures.App}}); err != nil {
		t.Fatal(err)
	}
	caps, err := newClient(t).Probe(testCtx(t), host)
	if err != nil || caps.Referrers != domain.Supported || caps.TagDelete != domain.Supported {
		t.Errorf("in-process: %+v %v", caps, err)
	}
	down, err := newClient(t, registryclient.WithTimeout(2e9)).Probe(testCtx(t), "127.0.0.1:1")
	if err != nil || down.Reachable || down.Error == "" || down.Badge() != "unreachable" {
		t.Errorf("unreachable: %+v %v", down, err)
	}
}

// A probe is made once: the client and, through the disk cache, the next
// wharf process use its answer without asking again, and delete-tag takes
// its path from it without trying DELETE by tag first.
func TestProbeIsCachedAndChoosesTheDeletePath(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	dir := t.TempDir()
	ctx := testCtx(t)
	first, err := newClient(t, registryclient.WithCache(openCacheT(t, dir, registryclient.DefaultCacheSize))).Probe(ctx, proxy.Host)
	if err != nil || first.TagDelete != domain.Unsupported {
		t.Fatalf("probe: %+v %v", first, err)
	}

	w := writeTarget{host: proxy.Host, sharedPath: domain.DeletedByPlaceholder}
	repo := w.seed(t)
	c := w.client(t, registryclient.WithCache(openCacheT(t, dir, registryclient.DefaultCacheSize)))
	proxy.ResetCounts()
	caps, err := c.Capabilities(ctx, proxy.Host)
	if err != nil || !caps.ProbedAt.Equal(first.ProbedAt) {
		t.Errorf("capabilities from the cache: %+v %v, want the first probe's", caps, err)
	}
	if n := len(proxy.Counts()); n != 0 {
		t.Errorf("reading the cached probe made requests: %v", proxy.Counts())
	}
	res, err := c.DeleteTag(ctx, repo+":a")
	if err != nil || res.Path != domain.DeletedByPlaceholder {
		t.Fatalf("delete: %+v %v", res, err)
	}
	// One DELETE: the placeholder's, by digest. Without the probe the
	// registry would first be asked to DELETE by tag and answer 400.
	if n := proxy.Counts()["DELETE manifest"]; n != 1 {
		t.Errorf("%d DELETE requests, want 1 (the placeholder's): %v", n, proxy.Counts())
	}
}

// The garbage-collector advice is for distribution alone: a registry whose
// /v2/ names other software, or does not speak the distribution API
// header, is not told to run `registry garbage-collect`; distribution
// behind nginx still is.
func TestGCAdviceOnlyForDistribution(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	for _, tc := range []struct {
		name    string
		rewrite map[string]string
		gc      bool
	}{
		{"registry2", nil, true},
		{"behind-nginx", map[string]string{"Server": "nginx/1.25.3"}, true},
		{"artifactory", map[string]string{"Server": "Artifactory/7.77.3"}, false},
		{"no-distribution-header", map[string]string{"Docker-Distribution-Api-Version": ""}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy := testenv.StartProxy(t, reg)
			if tc.rewrite != nil {
				proxy.Inject(testenv.OfKind("ping"), testenv.Fault{Rewrite: tc.rewrite})
			}
			c := newClient(t)
			caps, err := c.Probe(testCtx(t), proxy.Host)
			if err != nil || !caps.Reachable {
				t.Fatalf("probe: %+v %v", caps, err)
			}
			if got := slices.Contains(caps.Notes, registryclient.GCNote); got != tc.gc {
				t.Errorf("GC advice %v, want %v (server %q, api %q): %v", got, tc.gc, caps.Server, caps.DistributionAPI, caps.Notes)
			}
		})
	}
}
