package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// craftedLayer is a layer from tar entries: "d name", "f name size",
// "l name target" (symlink), "h name target" (hard link); zstd or gzip.
func craftedLayer(t *testing.T, zstd bool, spec ...string) v1.Layer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for i, s := range spec {
		f := strings.Fields(s)
		h := &tar.Header{Name: f[1], Mode: 0o644, ModTime: time.Unix(1700000000, 0)}
		var body []byte
		switch f[0] {
		case "d":
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case "f":
			var n int
			_, _ = fmt.Sscan(f[2], &n)
			// Different bytes per entry: a rewrite is new content.
			h.Typeflag, h.Size, body = tar.TypeReg, int64(n), bytes.Repeat([]byte{byte('a' + i)}, n)
		case "l":
			h.Typeflag, h.Linkname = tar.TypeSymlink, f[2]
		case "h":
			h.Typeflag, h.Linkname = tar.TypeLink, f[2]
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	opts := []tarball.LayerOption{}
	if zstd {
		opts = append(opts, tarball.WithCompression(compression.ZStd))
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// wastefulImage has what dive is asked about: a file written three times,
// a large file and a directory removed later, an opaque directory, hard and
// symbolic links; with zstd, its middle layer is compressed so (dive reads
// gzip only: it gets the same content all gzip).
func wastefulImage(t *testing.T, zstd bool) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image,
		craftedLayer(t, false, "d etc/", "f etc/app.conf 1000", "f etc/big.bin 300000", "d usr/", "d usr/lib/", "f usr/lib/a.so 40000", "f usr/lib/b.so 60000", "d cache/", "f cache/x 5000", "f cache/y 7000", "f bin/tool 7000", "h bin/tool2 bin/tool", "l bin/sh /bin/tool"),
		craftedLayer(t, zstd, "f etc/app.conf 2000", "f etc/.wh.big.bin 0", "f usr/lib/.wh..wh..opq 0", "f usr/lib/c.so 5000", "f app/data.db 30000"),
		craftedLayer(t, false, "f etc/app.conf 3000", "f .wh.cache 0", "f app/data.db 31000", "d tmp/"),
	)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// wharf files and wharf waste read a remote image's layers from registry:2
// without pulling it, and waste says what dive says of the same image:
// the same efficiency, wasted bytes and wasted paths.
func TestFilesAndWasteAgreeWithDive(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	dive := testenv.NeedDive(t)
	ctx := testenv.Context(t, 2*time.Minute)
	img := wastefulImage(t, true)
	ref := reg.Repo("team/waste") + ":1"
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKER_CONFIG": dockerConfigFor(t, map[*testenv.Registry]string{reg: ""}), "XDG_CONFIG_HOME": t.TempDir()}

	out, err := runWharf(t, env, "files", ref)
	if err != nil {
		t.Fatalf("files: %v\n%s", err, out)
	}
	for _, want := range []string{"/etc/app.conf", "/usr/lib/c.so", "/bin/sh -> /bin/tool", "/bin/tool2 link to /bin/tool", "/app/data.db"} {
		if !strings.Contains(out, want) {
			t.Errorf("files lacks %q:\n%s", want, out)
		}
	}
	for _, gone := range []string{"/etc/big.bin", "/usr/lib/a.so", "/cache/x", "/cache"} {
		if strings.Contains(out, gone+"\n") {
			t.Errorf("files lists %s, which a later layer removed:\n%s", gone, out)
		}
	}
	out, err = runWharf(t, env, "files", ref, "2") // the zstd layer
	if err != nil {
		t.Fatalf("files 2: %v\n%s", err, out)
	}
	var words []string
	for _, line := range strings.Split(out, "\n") {
		words = append(words, strings.Join(strings.Fields(line), " "))
	}
	out = strings.Join(words, "\n")
	for _, want := range []string{"M -rw-r--r-- 0:0 2kB /etc/app.conf", "D -rw-r--r-- 0:0 300kB /etc/big.bin", "D -rw-r--r-- 0:0 40kB /usr/lib/a.so", "A -rw-r--r-- 0:0 5kB /usr/lib/c.so", "A -rw-r--r-- 0:0 30kB /app/data.db", "layer 2 of 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("files 2 lacks %q:\n%s", want, out)
		}
	}

	out, err = runWharf(t, env, "waste", ref, "--json")
	if err != nil {
		t.Fatalf("waste: %v\n%s", err, out)
	}
	var ours filetree.Report
	if err := json.Unmarshal([]byte(out), &ours); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}

	// dive on the same image, as a docker archive.
	archive := filepath.Join(t.TempDir(), "image.tar")
	if err := tarball.WriteToFile(archive, tag, wastefulImage(t, false)); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "dive.json")
	if b, err := exec.CommandContext(ctx, dive, "--source", "docker-archive", archive, "--json", report).CombinedOutput(); err != nil {
		t.Fatalf("dive: %v\n%s", err, b)
	}
	var theirs struct {
		Image struct {
			SizeBytes        int64   `json:"sizeBytes"`
			InefficientBytes int64   `json:"inefficientBytes"`
			EfficiencyScore  float64 `json:"efficiencyScore"`
			Files            []struct {
				Count int    `json:"count"`
				Bytes int64  `json:"sizeBytes"`
				Path  string `json:"file"`
			} `json:"fileReference"`
		} `json:"image"`
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &theirs); err != nil {
		t.Fatalf("%v:\n%s", err, b)
	}
	if ours.WastedBytes != theirs.Image.InefficientBytes || ours.SizeBytes != theirs.Image.SizeBytes || fmt.Sprintf("%.6f", ours.Score) != fmt.Sprintf("%.6f", theirs.Image.EfficiencyScore) {
		t.Errorf("wharf: wasted %d of %d, efficiency %.6f; dive: wasted %d of %d, efficiency %.6f",
			ours.WastedBytes, ours.SizeBytes, ours.Score, theirs.Image.InefficientBytes, theirs.Image.SizeBytes, theirs.Image.EfficiencyScore)
	}
	var ourFiles, theirFiles []string
	for _, f := range ours.Files {
		ourFiles = append(ourFiles, fmt.Sprintf("%s %d× %d", f.Path, f.Count, f.Bytes))
	}
	for _, f := range theirs.Image.Files {
		theirFiles = append(theirFiles, fmt.Sprintf("%s %d× %d", f.Path, f.Count, f.Bytes))
	}
	slices.Sort(ourFiles)
	slices.Sort(theirFiles)
	if !slices.Equal(ourFiles, theirFiles) {
		t.Errorf("wasted files:\nwharf %v\ndive  %v", ourFiles, theirFiles)
	}
	t.Logf("wharf %d/%d %.6f %v; dive %d/%d %.6f %v", ours.WastedBytes, ours.SizeBytes, ours.Score, ourFiles, theirs.Image.InefficientBytes, theirs.Image.SizeBytes, theirs.Image.EfficiencyScore, theirFiles)
	if ours.WastedBytes < 300000+6000+61000 {
		t.Errorf("the crafted waste is not all counted: %d bytes", ours.WastedBytes)
	}
}

// wharf diff --files between two tags of registry:2: what the second
// release added, removed and modified, with the size changes, without
// pulling either.
func TestDiffFilesBetweenTwoTags(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 2*time.Minute)
	base := craftedLayer(t, false, "d etc/", "f etc/app.conf 1000", "f bin/tool 7000", "f app/data.db 30000")
	v1img, err := mutate.AppendLayers(empty.Image, base, craftedLayer(t, false, "f etc/app.conf 3000"))
	if err != nil {
		t.Fatal(err)
	}
	v2img, err := mutate.AppendLayers(empty.Image, base, craftedLayer(t, true, "f etc/app.conf 4000", "f app/.wh.data.db 0", "f app/new.db 500"))
	if err != nil {
		t.Fatal(err)
	}
	for tag, img := range map[string]v1.Image{"1.0.0": v1img, "1.1.0": v2img} {
		ref, err := name.NewTag(reg.Repo("team/diff")+":"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img, reg.RemoteOptions(ctx, "")...); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"DOCKER_CONFIG": dockerConfigFor(t, map[*testenv.Registry]string{reg: ""}), "XDG_CONFIG_HOME": t.TempDir()}
	out, err := runWharf(t, env, "diff", "--files", reg.Repo("team/diff")+":1.0.0", reg.Repo("team/diff")+":1.1.0")
	if err != nil {
		t.Fatalf("diff --files: %v\n%s", err, out)
	}
	var words []string
	for _, line := range strings.Split(out, "\n") {
		words = append(words, strings.Join(strings.Fields(line), " "))
	}
	out = strings.Join(words, "\n")
	for _, want := range []string{"layers = 1 shared", "file + /app/new.db 500B", "file - /app/data.db 30kB", "file ~ /etc/app.conf 3kB → 4kB (+1kB)", "files 1 added, 1 removed, 1 modified, -28.5kB in all"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff --files lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "/bin/tool") {
		t.Errorf("an unchanged file is listed:\n%s", out)
	}
}

// The same for an image in the local engine, read through its export
// (nothing pulled): wharf waste --local says what dive says of the archive
// the image was loaded from, and files --local lists the image's files.
func TestLocalFilesAndWasteAgreeWithDive(t *testing.T) {
	eng := testenv.NeedPrivateEngine(t)
	dive := testenv.NeedDive(t)
	ctx := testenv.Context(t, 2*time.Minute)
	tag, err := name.NewTag("team/waste-local:1")
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "image.tar")
	if err := tarball.WriteToFile(archive, tag, wastefulImage(t, false)); err != nil {
		t.Fatal(err)
	}
	cli, err := eng.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	b, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cli.ImageLoad(ctx, bytes.NewReader(b), client.ImageLoadWithQuiet(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp); err != nil {
		t.Fatal(err)
	}
	_ = resp.Close()

	env := map[string]string{"DOCKER_HOST": eng.Host, "DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
	out, err := runWharf(t, env, "files", "--local", "team/waste-local:1")
	if err != nil || !strings.Contains(out, "/usr/lib/c.so") || strings.Contains(out, "/etc/big.bin") || !strings.Contains(out, "/bin/sh -> /bin/tool") {
		t.Errorf("files --local (%v):\n%s", err, out)
	}
	out, err = runWharf(t, env, "waste", "--local", "team/waste-local:1", "--json")
	if err != nil {
		t.Fatalf("waste --local: %v\n%s", err, out)
	}
	var ours filetree.Report
	if err := json.Unmarshal([]byte(out), &ours); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	report := filepath.Join(t.TempDir(), "dive.json")
	if b, err := exec.CommandContext(ctx, dive, "--source", "docker-archive", archive, "--json", report).CombinedOutput(); err != nil {
		t.Fatalf("dive: %v\n%s", err, b)
	}
	b, err = os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var theirs struct {
		Image struct {
			InefficientBytes int64   `json:"inefficientBytes"`
			EfficiencyScore  float64 `json:"efficiencyScore"`
		} `json:"image"`
	}
	if err := json.Unmarshal(b, &theirs); err != nil {
		t.Fatal(err)
	}
	if ours.WastedBytes != theirs.Image.InefficientBytes || fmt.Sprintf("%.6f", ours.Score) != fmt.Sprintf("%.6f", theirs.Image.EfficiencyScore) {
		t.Errorf("wharf --local: wasted %d, efficiency %.6f; dive: wasted %d, efficiency %.6f", ours.WastedBytes, ours.Score, theirs.Image.InefficientBytes, theirs.Image.EfficiencyScore)
	}
}
