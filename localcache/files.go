package localcache

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/wharf-dev/wharf/internal/deadline"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
)

// LayerFiles reads the entries of each layer of a local image, bottom
// first, through the engine's image export (what `docker save` streams):
// nothing is pulled and nothing is written, only each layer's listing is
// kept. Both export formats are read: the classic one (<id>/layer.tar) and
// the OCI layout newer engines write (blobs/sha256/…, plain, gzip or
// zstd). Layers are named by their uncompressed digest (the config's
// diff_ids) where the export says it.
func (c *Cache) LayerFiles(ctx context.Context, ref string, each func(i int, layer domain.Layer, entries []filetree.Entry)) error {
	return c.LayerFilesProgress(ctx, ref, nil, each)
}

// LayerFilesProgress is LayerFiles telling progress, when not nil, how
// many bytes of the export it has read, every few megabytes.
func (c *Cache) LayerFilesProgress(ctx context.Context, ref string, progress func(read int64), each func(i int, layer domain.Layer, entries []filetree.Entry)) error {
	export, err := c.cli.ImageSave(ctx, []string{ref})
	if err != nil {
		return c.classify("export", ref, err)
	}
	defer export.Close()
	// The export's bytes are the operation's progress (internal/deadline):
	// a large image read at any speed is not cut.
	tell := func(read int64) {
		deadline.Progress(ctx)
		if progress != nil {
			progress(read)
		}
	}
	rc := filetree.Counted(export, tell)
	listings := map[string][]filetree.Entry{}
	sizes := map[string]int64{}
	smalls := map[string][]byte{} // manifest.json and the configs
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return c.classify("export", ref, fmt.Errorf("reading the export: %w", err))
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		layerLike := strings.HasSuffix(h.Name, "/layer.tar") || strings.HasPrefix(h.Name, "blobs/")
		if h.Size < 4<<20 && !strings.HasSuffix(h.Name, "/layer.tar") {
			b, err := io.ReadAll(tr)
			if err != nil {
				return c.classify("export", ref, err)
			}
			smalls[h.Name] = b
			if !layerLike {
				continue
			}
			entries, err := readLayer(bytes.NewReader(b))
			if err == nil {
				listings[h.Name], sizes[h.Name] = entries, h.Size
			}
			continue
		}
		if !layerLike {
			continue
		}
		entries, err := readLayer(tr)
		if err != nil {
			if strings.HasPrefix(h.Name, "blobs/") {
				continue // a config or index blob, not a layer
			}
			return c.classify("export", ref, err)
		}
		listings[h.Name], sizes[h.Name] = entries, h.Size
	}
	var manifest []struct {
		Config string
		Layers []string
	}
	if err := json.Unmarshal(smalls["manifest.json"], &manifest); err != nil || len(manifest) == 0 {
		return c.classify("export", ref, errors.New("the engine's export has no manifest.json"))
	}
	var config struct {
		RootFS struct {
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	}
	_ = json.Unmarshal(smalls[manifest[0].Config], &config)
	for i, p := range manifest[0].Layers {
		entries, ok := listings[p]
		if !ok {
			return c.classify("export", ref, fmt.Errorf("the engine's export names layer %s but holds no such layer", p))
		}
		l := domain.Layer{Size: sizes[p]}
		switch {
		case i < len(config.RootFS.DiffIDs):
			l.Digest = config.RootFS.DiffIDs[i]
		case strings.HasPrefix(p, "blobs/sha256/"):
			l.Digest = "sha256:" + strings.TrimPrefix(p, "blobs/sha256/")
		}
		each(i, l, entries)
	}
	return nil
}

// readLayer lists a layer blob, plain tar or compressed with gzip or zstd.
func readLayer(r io.Reader) ([]filetree.Entry, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		entries, err := filetree.Read(zr)
		return entries, errors.Join(err, zr.Close())
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		return filetree.Read(zr)
	}
	return filetree.Read(br)
}
