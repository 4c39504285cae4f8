package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/testenv"
)

// bareTagList is the floor: the tag list's pages over plain net/http,
// following the Link header (or, where the registry sends none, asking
// from the last tag on), nothing else.
func bareTagList(b *testing.B, host, repo string) int {
	n, last := 0, ""
	base := "http://" + host
	next := base + "/v2/" + repo + "/tags/list?n=1000"
	for next != "" {
		resp, err := http.Get(next) //nolint:gosec,noctx // a benchmark's floor, on loopback
		if err != nil {
			b.Fatal(err)
		}
		var page struct{ Tags []string }
		err = json.NewDecoder(resp.Body).Decode(&page)
		_ = resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if last != "" && len(page.Tags) > 0 && page.Tags[0] <= last {
			break // past the end, a registry may start over
		}
		n += len(page.Tags)
		switch link := resp.Header.Get("Link"); {
		case link != "":
			next = base + link[strings.Index(link, "<")+1:strings.Index(link, ">")]
		case len(page.Tags) >= 1000:
			last = page.Tags[len(page.Tags)-1]
			next = base + "/v2/" + repo + "/tags/list?n=1000&last=" + url.QueryEscape(last)
		default:
			next = ""
		}
	}
	return n
}

// BenchmarkTagsCLI100000 is `wharf tags` on a repository of 100,000 tags in
// a private registry:2 (list, cache, semver sort, print) against the bare
// tag-list requests in the same run, with the cache warm as on a second
// run. Target: ratio ≤ 1.5.
func BenchmarkTagsCLI100000(b *testing.B) {
	reg := testenv.NeedPrivateRegistry(b, testenv.RegistryOptions{Kind: testenv.Anonymous})
	host := reg.Host
	testenv.SeedTags(b, host, "bench/huge", 100_000, 10, reg.RemoteOptions(context.Background(), "")...)
	env := map[string]string{"DOCKER_CONFIG": b.TempDir(), "XDG_CONFIG_HOME": b.TempDir(), "XDG_CACHE_HOME": b.TempDir(), "DOCKER_HOST": "unix:///nonexistent.sock"}
	if _, err := runWharf(b, env, "tags", host+"/bench/huge"); err != nil { // warms the cache
		b.Fatal(err)
	}
	var bare, wharf time.Duration
	for b.Loop() {
		start := time.Now()
		if n := bareTagList(b, host, "bench/huge"); n < 100_000 {
			b.Fatalf("the floor listed %d", n)
		}
		bare += time.Since(start)
		start = time.Now()
		out, err := runWharf(b, env, "tags", host+"/bench/huge")
		if err != nil || strings.Count(out, "\n") < 100_000 {
			b.Fatalf("wharf tags: %v", err)
		}
		wharf += time.Since(start)
	}
	b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "bare-ms/op")
	b.ReportMetric(float64(wharf.Milliseconds())/float64(b.N), "wharf-ms/op")
	b.ReportMetric(float64(wharf)/float64(bare), "ratio")
}
