package filetree_test

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/filetree"
)

// entry is one tar entry of a crafted layer: "d name", "f name size",
// "l name target" (symlink), "h name target" (hard link).
func layer(t testing.TB, spec ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, s := range spec {
		f := strings.Fields(s)
		h := &tar.Header{Name: f[1], Mode: 0o644, Uid: 1000, Gid: 1000}
		var body []byte
		switch f[0] {
		case "d":
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case "f":
			var n int
			_, _ = fmt.Sscan(f[2], &n)
			h.Typeflag, h.Size, body = tar.TypeReg, int64(n), bytes.Repeat([]byte("x"), n)
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
	return b.Bytes()
}

func read(t testing.TB, tarball []byte) []filetree.Entry {
	t.Helper()
	es, err := filetree.Read(bytes.NewReader(tarball))
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// The fixture every test here shares: a base, a layer that rewrites,
// removes and hides, and a third that rewrites once more.
func fixture(t testing.TB) [][]filetree.Entry {
	return [][]filetree.Entry{
		read(t, layer(t, "d ./etc/", "f etc/conf 10", "f etc/big 100", "d usr/", "d usr/lib/", "f usr/lib/a.so 40", "f usr/lib/b.so 60", "f bin/tool 7", "h bin/tool2 bin/tool", "l bin/sh /bin/tool")),
		read(t, layer(t, "f etc/conf 20", "f etc/.wh.big 0", "f usr/lib/.wh..wh..opq 0", "f usr/lib/c.so 5", "f app/data 30")),
		read(t, layer(t, "f etc/conf 30", "f app/.wh.data 0", "d tmp/")),
	}
}

func TestReadUnderstandsWhiteoutsAndLinks(t *testing.T) {
	es := fixture(t)
	var got []string
	for _, e := range es[1] {
		got = append(got, fmt.Sprintf("%s %s %d w=%v o=%v", e.Path, e.Kind, e.Size, e.Whiteout, e.Opaque))
	}
	want := []string{"etc/conf file 20 w=false o=false", "etc/big file 0 w=true o=false", "usr/lib dir 0 w=false o=true", "usr/lib/c.so file 5 w=false o=false", "app/data file 30 w=false o=false"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("layer 2 reads as\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if e := es[0][0]; e.Path != "etc" || e.Kind != filetree.Dir {
		t.Errorf("./etc/ reads as %+v", e)
	}
	if e := es[0][8]; e.Kind != filetree.Hardlink || e.Link != "bin/tool" || e.UID != 1000 {
		t.Errorf("the hard link reads as %+v", e)
	}
	if e := es[0][9]; e.Kind != filetree.Symlink || e.Link != "/bin/tool" {
		t.Errorf("the symlink reads as %+v", e)
	}
}

// What each layer added, modified and removed, and the file system after
// the three: an opaque directory hides what was below it, a whiteout
// removes, a rewritten file is one path.
func TestApplyTellsWhatEachLayerChanged(t *testing.T) {
	fsys := filetree.FS{}
	var got []string
	for i, l := range fixture(t) {
		for _, c := range fsys.Apply(l) {
			got = append(got, fmt.Sprintf("%d %s %s %d", i, c.Change, c.Path, c.Size))
		}
	}
	want := `0 added bin/sh 0
0 added bin/tool 7
0 added bin/tool2 0
0 added etc 0
0 added etc/big 100
0 added etc/conf 10
0 added usr 0
0 added usr/lib 0
0 added usr/lib/a.so 40
0 added usr/lib/b.so 60
1 added app/data 30
1 removed etc/big 100
1 modified etc/conf 20
1 removed usr/lib/a.so 40
1 removed usr/lib/b.so 60
1 added usr/lib/c.so 5
2 removed app/data 30
2 modified etc/conf 30
2 added tmp 0`
	if strings.Join(got, "\n") != want {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	var paths []string
	for _, e := range fsys.Sorted() {
		paths = append(paths, e.Path)
	}
	if strings.Join(paths, " ") != "bin/sh bin/tool bin/tool2 etc etc/conf tmp usr usr/lib usr/lib/c.so" {
		t.Errorf("the image's files: %v", paths)
	}
}

// Waste as dive counts it: a file written three times counts all three
// versions (10+20+30), a removed file its size (and its removal 0).
func TestEfficiencyCountsWhatDiveCounts(t *testing.T) {
	r := filetree.Efficiency(fixture(t))
	var got []string
	for _, w := range r.Files {
		got = append(got, fmt.Sprintf("%s %d %d %v", w.Path, w.Bytes, w.Count, w.Layers))
	}
	want := "/etc/big 100 2 [0 1]\n/etc/conf 60 3 [0 1 2]\n/app/data 30 2 [1 2]"
	if strings.Join(got, "\n") != want {
		t.Errorf("wasted:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	if r.WastedBytes != 190 || r.SizeBytes != 302 || r.UserBytes != 85 {
		t.Errorf("wasted %d, size %d, user %d; want 190, 302, 85", r.WastedBytes, r.SizeBytes, r.UserBytes)
	}
	// Each path's smallest version over all versions: (10+0+0) + the rest
	// once, over everything counted.
	const minimum, all = 10 + 0 + 0 + 40 + 60 + 7 + 0 + 0 + 5 + 0, 60 + 100 + 30 + 40 + 60 + 7 + 0 + 0 + 5 + 0
	if want := float64(minimum) / float64(all); r.Score != want {
		t.Errorf("score %v, want %v", r.Score, want)
	}
}

// Two images' files: added, removed, and modified when the content differs
// even at the same size.
func TestDiffTellsWhatChangedBetweenTwoImages(t *testing.T) {
	a, b := filetree.FS{}, filetree.FS{}
	a.Apply(read(t, layer(t, "f etc/conf 10", "f bin/old 5", "f bin/same 3", "l bin/sh /bin/old")))
	b.Apply(read(t, layer(t, "f etc/conf 10", "f bin/same 3", "f bin/new 8", "l bin/sh /bin/new")))
	var got []string
	for _, d := range filetree.Diff(a, b) {
		got = append(got, fmt.Sprintf("%s %s %d→%d", d.Change, d.Path, d.OldSize, d.NewSize))
	}
	want := "added bin/new 0→8\nremoved bin/old 5→0\nmodified bin/sh 0→0"
	if strings.Join(got, "\n") != want {
		t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	c := filetree.FS{}
	c.Apply(read(t, layer(t, "f etc/conf 10", "f bin/same 3", "f bin/new 8", "l bin/sh /bin/new")))
	e := c["etc/conf"]
	e.Hash = "other"
	c["etc/conf"] = e
	if d := filetree.Diff(b, c); len(d) != 1 || d[0].Path != "etc/conf" || d[0].Change != filetree.Modified {
		t.Errorf("a rewrite of the same size is not a modification: %+v", d)
	}
}

// A Go executable in a layer: its build information is read as the layer
// streams (this test binary is one).
func TestReadKeepsGoBuildInformation(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range []struct {
		name string
		mode int64
	}{{"usr/bin/tool", 0o755}, {"usr/share/tool.bin", 0o644}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: tar.TypeReg, Size: int64(len(body)), Mode: f.mode}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(body)
	}
	_ = tw.Close()
	es := read(t, b.Bytes())
	g := es[0].Go
	// (A test binary records no dependencies; the packages test builds an
	// executable that does.)
	if g == nil || !strings.HasPrefix(g.Main, "github.com/wharf-dev/wharf@") || !strings.HasPrefix(g.GoVersion, "go1.") {
		t.Errorf("the executable's build information: %+v", g)
	}
	if es[1].Go != nil || es[0].Data != nil || es[0].Hash != es[1].Hash {
		t.Errorf("a file that is not executable was read as one, or the executable kept: %+v %v", es[1].Go, len(es[0].Data))
	}
}
