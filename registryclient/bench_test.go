package registryclient_test

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// BenchmarkDigestGroups2000 is the time to full digest groups for 2,000
// tags over 500 digests in registry:2, against the bare baseline in the same
// run. Target: ratio ≤ 1.3.
func BenchmarkDigestGroups2000(b *testing.B) {
	reg := testenv.NeedRegistry(b, testenv.Anonymous)
	tags := testenv.SeedTags(b, reg.Host, "bench/groups", 2000, 500)
	tr := &http.Transport{MaxIdleConnsPerHost: 32, IdleConnTimeout: time.Minute}
	hc := &http.Client{Transport: tr}
	ctx := context.Background()

	var bareTotal, wharfTotal time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		bare := testenv.BareDigests(b, hc, reg.URL(), "bench/groups", tags)
		bareTotal += time.Since(start)
		if len(bare) != 2000 {
			b.Fatalf("baseline resolved %d", len(bare))
		}

		// A fresh client each time: its ping and token are part of the cost.
		c, err := registryclient.New()
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		var mu sync.Mutex
		tds := make([]domain.TagDigest, 0, len(tags))
		if err := c.Digests(ctx, reg.Repo("bench/groups"), tags, func(td domain.TagDigest) {
			mu.Lock()
			tds = append(tds, td)
			mu.Unlock()
		}); err != nil {
			b.Fatal(err)
		}
		groups := domain.Groups(tds)
		wharfTotal += time.Since(start)
		if len(groups) != 500 {
			b.Fatalf("%d groups, want 500", len(groups))
		}
	}
	b.ReportMetric(float64(bareTotal.Milliseconds())/float64(b.N), "bare-ms/op")
	b.ReportMetric(float64(wharfTotal.Milliseconds())/float64(b.N), "wharf-ms/op")
	b.ReportMetric(float64(wharfTotal)/float64(bareTotal), "ratio")
}

// BenchmarkTags100000Memory lists and resolves a repository of 100,000 tags
// in the in-process registry and reports the peak heap. Target ≤ 300 MB.
func BenchmarkTags100000Memory(b *testing.B) {
	host := testenv.InProcess(b)
	tags := testenv.SeedTags(b, host, "bench/huge", 100_000, 100)
	ctx := context.Background()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	b.ResetTimer()
	for b.Loop() {
		c, err := registryclient.New()
		if err != nil {
			b.Fatal(err)
		}
		listed, err := c.Tags(ctx, host+"/bench/huge")
		if err != nil || len(listed) != len(tags) {
			b.Fatalf("listed %d of %d: %v", len(listed), len(tags), err)
		}
		n := atomic.Int64{}
		if err := c.Digests(ctx, host+"/bench/huge", listed, func(domain.TagDigest) { n.Add(1) }); err != nil || n.Load() != int64(len(tags)) {
			b.Fatalf("resolved %d: %v", n.Load(), err)
		}
	}
	close(stop)
	<-done
	// The in-process registry lives in this process too; its share is in
	// the baseline taken before the run.
	b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapInuse))/(1<<20), "peak-MB")
}
