package registryclient_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// BenchmarkLayerFiles500MB reads the file tree of a 500 MB image of 20
// layers (incompressible files, 25 MB a layer) from registry:2, against the
// bare read of the same blobs (fetch, gunzip, io.Copy to nowhere) in the
// same run. Targets: throughput ratio ≥ 0.8 (bare time / wharf time), and
// a peak heap that does not grow with the layers' size (peak-heap-MB, far
// below one layer's 25 MB).
func BenchmarkLayerFiles500MB(b *testing.B) {
	reg := testenv.NeedRegistry(b, testenv.Anonymous)
	ctx := context.Background()
	ref := reg.Repo("bench/files") + ":500mb"
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		b.Fatal(err)
	}
	// Layers are made as they are read (the same bytes each time), so the
	// benchmark holds no image in memory: the heap measured is wharf's.
	img := empty.Image
	for i := range 20 {
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return generatedLayer(uint64(i)), nil }, tarball.WithCompressionLevel(gzip.BestSpeed))
		if err != nil {
			b.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			b.Fatal(err)
		}
	}
	if err := remote.Write(tag, img, reg.RemoteOptions(ctx, "")...); err != nil {
		b.Fatal(err)
	}
	digests := layerDigests(b, img)

	var bareTotal, wharfTotal time.Duration
	// The heap wharf's read adds to what the benchmark holds: the largest
	// over the runs.
	var added uint64
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		var n int64
		for _, d := range digests {
			rl, err := remote.Layer(tag.Context().Digest(d), reg.RemoteOptions(ctx, "")...)
			if err != nil {
				b.Fatal(err)
			}
			rc, err := rl.Uncompressed()
			if err != nil {
				b.Fatal(err)
			}
			m, err := io.Copy(io.Discard, rc)
			_ = rc.Close()
			if err != nil {
				b.Fatal(err)
			}
			n += m
		}
		bareTotal += time.Since(start)
		if n < 500_000_000 {
			b.Fatalf("the bare read saw %d bytes", n)
		}

		// No cache: every layer is streamed, as on a first visit.
		c, err := registryclient.New()
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		var peak atomic.Uint64
		stop := sampleHeap(&peak)
		start = time.Now()
		files := 0
		if err := c.LayerFiles(ctx, ref, func(_ int, _ domain.Layer, es []filetree.Entry) { files += len(es) }); err != nil {
			b.Fatal(err)
		}
		wharfTotal += time.Since(start)
		stop()
		if p := peak.Load(); p > ms.HeapInuse {
			added = max(added, p-ms.HeapInuse)
		}
		if files != 1000 {
			b.Fatalf("%d files, want 1000", files)
		}
	}
	b.ReportMetric(float64(bareTotal.Milliseconds())/float64(b.N), "bare-ms/op")
	b.ReportMetric(float64(wharfTotal.Milliseconds())/float64(b.N), "wharf-ms/op")
	b.ReportMetric(float64(bareTotal)/float64(wharfTotal), "throughput-ratio")
	b.ReportMetric(float64(added)/1e6, "peak-heap-MB")
}

// layerDigests are the image's layers' digests, bottom first.
func layerDigests(b *testing.B, img v1.Image) []string {
	layers, err := img.Layers()
	if err != nil {
		b.Fatal(err)
	}
	var digests []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			b.Fatal(err)
		}
		digests = append(digests, d.String())
	}
	return digests
}

// generatedLayer is layer i's tar: 50 files of 500 kB of random bytes,
// written as it is read.
func generatedLayer(i uint64) io.ReadCloser {
	r, w := io.Pipe()
	go func() {
		rng := rand.New(rand.NewPCG(i, 2))
		tw := tar.NewWriter(w)
		body := make([]byte, 500_000)
		for f := range 50 {
			for j := range body {
				body[j] = byte(rng.Uint32())
			}
			if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("layer%02d/file%02d", i, f), Typeflag: tar.TypeReg, Size: int64(len(body)), Mode: 0o644}); err != nil {
				_ = w.CloseWithError(err)
				return
			}
			if _, err := tw.Write(body); err != nil {
				_ = w.CloseWithError(err)
				return
			}
		}
		_ = w.CloseWithError(tw.Close())
	}()
	return r
}

// sampleHeap records the largest heap in use until stop is called.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
