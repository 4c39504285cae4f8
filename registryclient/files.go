package registryclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	wref "github.com/wharf-dev/wharf/internal/ref"
)

// LayerFiles reads the entries of each layer of reference's image, bottom
// first, handing each to each as it is read: a layer read before comes
// from the cache (its listing, by the layer's digest), any other is
// streamed once, gzip or zstd, and nothing is written but the listing.
// An index has no one file system: it is refused with its platforms'
// references to choose from.
func (c *Reads) LayerFiles(ctx context.Context, reference string, each func(i int, layer domain.Layer, entries []filetree.Entry)) error {
	return c.LayerFilesProgress(ctx, reference, nil, each)
}

// LayerFilesProgress is LayerFiles telling progress, when not nil, how
// many bytes of layers it has read (uncompressed), every few megabytes.
func (c *Reads) LayerFilesProgress(ctx context.Context, reference string, progress func(read int64), each func(i int, layer domain.Layer, entries []filetree.Entry)) error {
	d, err := c.Describe(ctx, reference)
	if err != nil {
		return err
	}
	if d.IsIndex() {
		named, err := wref.Parse(reference)
		if err != nil {
			return invalidReference("files", reference, err)
		}
		var choices []string
		for _, p := range d.Platforms {
			choices = append(choices, p.String()+" "+named.Repository()+"@"+p.Digest)
		}
		return fmt.Errorf("%s is an index of %d platforms: name one —\n  %s", reference, len(d.Platforms), strings.Join(choices, "\n  "))
	}
	if d.IsArtifact() {
		return fmt.Errorf("%s is not a container image (%s): it has no file system", reference, d.ArtifactType)
	}
	ref, err := c.registries.parseReference(reference)
	if err != nil {
		return invalidReference("files", reference, err)
	}
	host := ref.Context().RegistryStr()
	p, err := c.net.puller(ctx, host)
	if err != nil {
		return err
	}
	var read int64 // before this layer
	for i, l := range d.Layers {
		if entries, ok := c.cache.files(l.Digest); ok {
			each(i, l, entries)
			continue
		}
		layer, err := p.Layer(ctx, ref.Context().Digest(l.Digest))
		if err != nil {
			return c.net.classify("read layer "+domain.ShortDigest(l.Digest), host, err)
		}
		rc, err := layer.Uncompressed()
		if err != nil {
			return c.net.classify("read layer "+domain.ShortDigest(l.Digest), host, err)
		}
		var report func(int64)
		if progress != nil {
			base := read
			report = func(n int64) { read = base + n; progress(read) }
		}
		entries, err := filetree.Read(filetree.Counted(rc, report))
		cerr := rc.Close()
		if err := errors.Join(err, cerr); err != nil {
			return c.net.classify("read layer "+domain.ShortDigest(l.Digest), host, err)
		}
		_ = c.cache.putFiles(l.Digest, entries)
		each(i, l, entries)
	}
	return nil
}

// files is a layer's listing read before (nil cache: none).
func (c *DiskCache) files(digest string) ([]filetree.Entry, bool) {
	path, ok := c.filesPath(digest)
	if !ok {
		return nil, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var entries []filetree.Entry
	if json.Unmarshal(b, &entries) != nil {
		_ = os.Remove(path)
		return nil, false
	}
	now := time.Now()
	_ = os.Chtimes(path, now, now) // recently used: evicted last
	return entries, true
}

// putFiles keeps a layer's listing by the layer's digest (a digest names
// the same bytes for ever).
func (c *DiskCache) putFiles(digest string, entries []filetree.Entry) error {
	path, ok := c.filesPath(digest)
	if !ok {
		return nil
	}
	b, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return c.writeFile(path, b)
}

func (c *DiskCache) filesPath(digest string) (string, bool) {
	if c == nil {
		return "", false
	}
	blob, ok := c.blobPath(digest)
	if !ok {
		return "", false
	}
	return filepath.Join(c.dir, "files", filepath.Base(blob)+".json"), true
}
