package main

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// huge is the shared registry's repository of 100,000 tags, seeded once
// for every benchmark of the run that needs it.
var huge struct {
	once   sync.Once
	seeded bool
}

func hugeRepo(b *testing.B) (host, repo string) {
	b.Helper()
	reg := testenv.NeedRegistry(b, testenv.Anonymous)
	huge.once.Do(func() {
		testenv.SeedTags(b, reg.Host, "bench/huge", 100_000, 10)
		huge.seeded = true
	})
	if !huge.seeded {
		b.Fatal("seeding bench/huge failed")
	}
	return reg.Host, "bench/huge"
}

// BenchmarkTagsCLI100000 is `wharf tags` on a repository of 100,000 tags in
// registry:2 (list, cache, semver sort, print) against the bare tag-list
// requests in the same run, with the cache warm as on a second run.
// Target: ratio ≤ 1.5.
func BenchmarkTagsCLI100000(b *testing.B) {
	host, repo := hugeRepo(b)
	env := map[string]string{"DOCKER_CONFIG": b.TempDir(), "XDG_CONFIG_HOME": b.TempDir(), "XDG_CACHE_HOME": b.TempDir(), "DOCKER_HOST": "unix:///nonexistent.sock"}
	if _, err := runWharf(b, env, "tags", host+"/"+repo); err != nil { // warms the cache
		b.Fatal(err)
	}
	var bare, wharf time.Duration
	for b.Loop() {
		start := time.Now()
		if n := len(testenv.BareTagList(b, http.DefaultClient, "http://"+host, repo)); n < 100_000 {
			b.Fatalf("the floor listed %d", n)
		}
		bare += time.Since(start)
		start = time.Now()
		out, err := runWharf(b, env, "tags", host+"/"+repo)
		if err != nil || strings.Count(out, "\n") < 100_000 {
			b.Fatalf("wharf tags: %v", err)
		}
		wharf += time.Since(start)
	}
	b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "bare-ms/op")
	b.ReportMetric(float64(wharf.Milliseconds())/float64(b.N), "wharf-ms/op")
	b.ReportMetric(float64(wharf)/float64(bare), "ratio")
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS(b *testing.B) uint64 {
	b.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkTagsPane100000RSS opens the Tags pane on 100,000 tags in
// registry:2 (a process of its own) with nothing cached, lists them and
// resolves every digest, and reports the process's peak resident set while
// it does (the peak is reset first: what seeding took is not counted).
// Target: peak-rss-MB ≤ 300.
func BenchmarkTagsPane100000RSS(b *testing.B) {
	host, repo := hugeRepo(b)
	var peak uint64
	for b.Loop() {
		runtime.GC()
		debug.FreeOSMemory()
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			b.Fatalf("resetting the peak: %v", err)
		}
		m := tagsPane(b, b.TempDir())
		teatestutil.Walk(m.Update, m.Load(host+"/"+repo), nil)
		if title := m.Title(); !strings.Contains(title, "100000 tags · 10 images") {
			b.Fatalf("not all resolved: %s", title)
		}
		peak = max(peak, peakRSS(b))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MB")
}

// BenchmarkSame is `wharf same` (nothing cached: every digest asked for) on
// repositories of 500, 2,000 and 8,000 tags over a quarter as many images
// in registry:2, against the floor in the same run: the tag list and 16
// parallel HEADs over plain net/http. The README's performance table is
// this benchmark's output.
func BenchmarkSame(b *testing.B) {
	reg := testenv.NeedRegistry(b, testenv.Anonymous)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32, IdleConnTimeout: time.Minute}}
	for _, n := range []int{500, 2000, 8000} {
		repo := fmt.Sprintf("bench/same-%d", n)
		testenv.SeedTags(b, reg.Host, repo, n, n/4)
		b.Run(fmt.Sprintf("tags=%d", n), func(b *testing.B) {
			env := map[string]string{"DOCKER_CONFIG": b.TempDir(), "XDG_CONFIG_HOME": b.TempDir(), "DOCKER_HOST": "unix:///nonexistent.sock"}
			var bare, wharf time.Duration
			for b.Loop() {
				start := time.Now()
				tags := testenv.BareTagList(b, hc, reg.URL(), repo)
				if d := testenv.BareDigests(b, hc, reg.URL(), repo, tags); len(d) != n {
					b.Fatalf("the floor resolved %d", len(d))
				}
				bare += time.Since(start)
				env["XDG_CACHE_HOME"] = b.TempDir()
				start = time.Now()
				out, err := runWharf(b, env, "same", reg.Repo(repo))
				wharf += time.Since(start)
				if want := fmt.Sprintf("%d tags, %d images", n, n/4); err != nil || !strings.Contains(out, want) {
					b.Fatalf("wharf same (%v): want %s", err, want)
				}
			}
			b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "bare-ms/op")
			b.ReportMetric(float64(wharf.Milliseconds())/float64(b.N), "wharf-ms/op")
			b.ReportMetric(float64(wharf)/float64(bare), "ratio")
		})
	}
}
