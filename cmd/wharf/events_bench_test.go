package main

import (
	"fmt"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/theme"
)

// BenchmarkEventStorm opens the Local pane on a private engine through a
// counter of API calls, tags an image 100 times in one second, and counts
// the image and container listings the storm caused once the engine has
// been quiet for a second. Target: image-lists ≤ 2 (was 101).
func BenchmarkEventStorm(b *testing.B) {
	eng := testenv.NeedPrivateEngine(b)
	ctx := testenv.Context(b, 5*time.Minute)
	if _, err := testenv.LoadImage(ctx, eng, "storm/base:1", fixtures.App); err != nil {
		b.Fatal(err)
	}
	cli, err := eng.Client()
	if err != nil {
		b.Fatal(err)
	}
	counter := testenv.CountEngineCalls(b, eng)
	env := map[string]string{"DOCKER_CONFIG": b.TempDir(), "XDG_CONFIG_HOME": b.TempDir(), "XDG_DATA_HOME": b.TempDir(), "XDG_CACHE_HOME": b.TempDir(), "DOCKER_HOST": counter.Host}
	s, err := ops.Open(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	engine, err := s.Engine()
	if err != nil {
		b.Fatal(err)
	}
	defer engine.Close()
	m := local.New(ops.NewLocal(s, engine), nil, nil, theme.New(theme.Default(), true))
	m.SetSize(10000, 30) // wide enough for every tag of the image

	storms, tags := 0, 0
	var imageLists, containerLists int
	var stormDone atomic.Bool
	var quietSince time.Time
	// listed says the pane shows the storm's last tag (or, before it,
	// the image).
	listed := func(n int) bool {
		want := "storm/base:1"
		if n > 0 {
			want = fmt.Sprintf("storm/app:%d", n)
		}
		return regexp.MustCompile(regexp.QuoteMeta(want) + `\b`).MatchString(m.View())
	}
	start := func() {
		counter.Reset()
		stormDone.Store(false)
		quietSince = time.Time{}
		go func() {
			for range 100 {
				tags++
				if _, err := cli.ImageTag(ctx, client.ImageTagOptions{Source: "storm/base:1", Target: fmt.Sprintf("storm/app:%d", tags)}); err != nil {
					b.Error(err)
				}
				time.Sleep(10 * time.Millisecond)
			}
			stormDone.Store(true)
		}()
	}
	b.ResetTimer()
	teatestutil.Run(b, m.Update, m.Init(), time.Duration(b.N)*time.Minute+time.Minute, func() bool {
		switch {
		case storms == 0 && !listed(0):
			return false // the first listing
		case storms == 0:
			storms++
			start()
		case !stormDone.Load():
		case quietSince.IsZero():
			quietSince = time.Now()
		case time.Since(quietSince) > time.Second && listed(tags):
			imageLists += counter.Count("GET /images/json")
			containerLists += counter.Count("GET /containers/json")
			if storms == b.N {
				return true
			}
			storms++
			start()
		}
		return false
	})
	b.ReportMetric(float64(imageLists)/float64(b.N), "image-lists/100-events")
	b.ReportMetric(float64(containerLists)/float64(b.N), "container-lists/100-events")
}
