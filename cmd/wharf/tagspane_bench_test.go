package main

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/views/tags"
	"github.com/wharf-dev/wharf/views/theme"
)

// paneRows is how many tag rows the benchmarks' Tags pane shows.
const paneRows = 50

// tagsPane opens the app's Tags pane on a session whose cache lives in
// cacheDir.
func tagsPane(b *testing.B, cacheDir string) *tags.Model {
	b.Helper()
	env := map[string]string{"DOCKER_CONFIG": b.TempDir(), "XDG_CONFIG_HOME": b.TempDir(), "XDG_DATA_HOME": b.TempDir(), "XDG_CACHE_HOME": cacheDir, "DOCKER_HOST": "unix:///nonexistent.sock"}
	s, err := ops.Open(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	m := tags.New(ops.NewRemote(s), nil, theme.New(theme.Default(), true))
	m.SetSize(100, paneRows+2)
	m.SetFocused(true)
	return m
}

// visibleDigests counts the rows on screen that show a digest, and the
// rows on screen.
func visibleDigests(m *tags.Model) (withDigest, rows int) {
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	for _, l := range lines[min(2, len(lines)):] {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		rows++
		if strings.Trim(f[1], "0123456789abcdef") == "" {
			withDigest++
		}
	}
	return withDigest, rows
}

// BenchmarkVisibleDigests2000 opens a repository of 2,000 tags over 500
// images on a private registry:2 with nothing cached, and measures from the
// tag list's arrival until the 50 rows on screen show their digests, and
// until all 2,000 do. Target: visible-ms ≤ 150.
func BenchmarkVisibleDigests2000(b *testing.B) {
	reg := testenv.NeedPrivateRegistry(b, testenv.RegistryOptions{Kind: testenv.Anonymous})
	testenv.SeedTags(b, reg.Host, "bench/visible", 2000, 500)
	var visible, all time.Duration
	for b.Loop() {
		m := tagsPane(b, b.TempDir())
		var listed, seen time.Time
		teatestutil.Walk(m.Update, m.Load(reg.Host+"/bench/visible"), func(msg tea.Msg) bool {
			switch msg.(type) {
			case tags.LoadedMsg:
				listed = time.Now()
			case tags.DigestResolvedMsg:
				if seen.IsZero() {
					if n, rows := visibleDigests(m); rows == paneRows && n == rows {
						seen = time.Now()
					}
				}
			case tags.DigestsDoneMsg:
				all += time.Since(listed)
			}
			return true
		})
		if listed.IsZero() || seen.IsZero() {
			b.Fatal("the visible rows never all showed a digest")
		}
		visible += seen.Sub(listed)
	}
	b.ReportMetric(float64(visible.Microseconds())/1000/float64(b.N), "visible-ms")
	b.ReportMetric(float64(all.Microseconds())/1000/float64(b.N), "all-ms")
	b.ReportMetric(float64(visible)/float64(all), "visible/all")
}

// BenchmarkReopenRemembered2000 reopens a repository of 2,000 tags seen
// before: the first frame shows the digests the cache holds, with no
// request to the registry before it (requests-before-frame must be 0,
// visible-digests 50), then revalidates.
func BenchmarkReopenRemembered2000(b *testing.B) {
	reg := testenv.NeedPrivateRegistry(b, testenv.RegistryOptions{Kind: testenv.Anonymous})
	proxy := testenv.StartProxy(b, reg)
	testenv.SeedTags(b, proxy.Host, "bench/reopen", 2000, 500)
	repo := proxy.Repo("bench/reopen")
	cache := b.TempDir()
	first := tagsPane(b, cache)
	teatestutil.Walk(first.Update, first.Load(repo), nil)

	var requests, shown int
	var frame time.Duration
	for b.Loop() {
		m := tagsPane(b, cache)
		proxy.ResetCounts()
		start := time.Now()
		list := m.Update(m.Load(repo)())
		n, _ := visibleDigests(m)
		frame += time.Since(start)
		requests += len(proxy.Requests())
		shown += n
		teatestutil.Walk(m.Update, list, nil)
	}
	b.ReportMetric(float64(requests)/float64(b.N), "requests-before-frame")
	b.ReportMetric(float64(shown)/float64(b.N), "visible-digests")
	b.ReportMetric(float64(frame.Microseconds())/1000/float64(b.N), "first-frame-ms")
}
