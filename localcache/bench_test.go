package localcache_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
)

// load1000 loads 1,000 images (one shared layer, distinct configs) in one
// docker-load tarball.
func load1000(b *testing.B, eng *testenv.Engine) {
	b.Helper()
	base, err := fixtures.Image(fixtures.Spec{Seed: 900, LayerSizes: []int64{512}})
	if err != nil {
		b.Fatal(err)
	}
	refs := map[name.Reference]v1.Image{}
	for i := range 1000 {
		img, err := mutate.Config(base, v1.Config{Labels: map[string]string{"n": fmt.Sprint(i)}})
		if err != nil {
			b.Fatal(err)
		}
		refs[testenv.RefNoT(fmt.Sprintf("bench/img%04d:v1", i))] = img
	}
	var buf bytes.Buffer
	if err := tarball.MultiRefWrite(refs, &buf); err != nil {
		b.Fatal(err)
	}
	cli, err := eng.Client()
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.ImageLoad(context.Background(), &buf, client.ImageLoadWithQuiet(true))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Close()
	var sink bytes.Buffer
	if _, err := sink.ReadFrom(resp); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkList1000Images compares wharf's List (images, their containers,
// grouping, dangling totals) with one raw GET /images/json decoded into
// generic JSON, both against the same engine in the same run. The ratio
// metric is the target: ≤ 1.5.
func BenchmarkList1000Images(b *testing.B) {
	eng := testenv.NeedPrivateEngine(b)
	load1000(b, eng)
	c, err := localcache.Open(localcache.Endpoint{Host: eng.Host})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	sock := strings.TrimPrefix(eng.Host, "unix://")
	raw := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
	ctx := context.Background()
	if l, err := c.List(ctx, localcache.ListOptions{}); err != nil || len(l.Images) < 1000 {
		b.Fatalf("list: %d images, %v", len(l.Images), err)
	}

	var rawTotal, wharfTotal time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		resp, err := raw.Get("http://docker/images/json")
		if err != nil {
			b.Fatal(err)
		}
		var items []map[string]any
		err = json.NewDecoder(resp.Body).Decode(&items)
		resp.Body.Close()
		if err != nil || len(items) < 1000 {
			b.Fatalf("raw list: %d, %v", len(items), err)
		}
		rawTotal += time.Since(start)

		start = time.Now()
		if _, err := c.List(ctx, localcache.ListOptions{}); err != nil {
			b.Fatal(err)
		}
		wharfTotal += time.Since(start)
	}
	b.ReportMetric(float64(rawTotal.Nanoseconds())/float64(b.N), "raw-ns/op")
	b.ReportMetric(float64(wharfTotal.Nanoseconds())/float64(b.N), "wharf-ns/op")
	b.ReportMetric(float64(wharfTotal)/float64(rawTotal), "ratio")
}
