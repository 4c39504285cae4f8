// Package filetree reads what an image's layers hold: the entries of each
// layer's tar stream (whiteouts and opaque directories understood), what
// each layer added, modified and removed against the layers below it, the
// whole file system so far, and the space wasted on files a later layer
// replaced or removed — computed as dive computes it, so the numbers agree.
// It reads tar streams; fetching them (from a registry or an engine) is the
// clients' business.
package filetree

import (
	"archive/tar"
	"bytes"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// Kind is what an entry is.
type Kind string

// The kinds of entries.
const (
	File     Kind = "file"
	Dir      Kind = "dir"
	Symlink  Kind = "symlink"
	Hardlink Kind = "hardlink"
	Other    Kind = "other"
)

// Whiteout prefixes of the OCI layer format.
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
)

// Entry is one entry of a layer, as its tar header says it.
type Entry struct {
	// Path is slash-separated from the root, without a leading slash
	// ("etc/passwd"); for a whiteout, the path it removes.
	Path string      `json:"path"`
	Kind Kind        `json:"kind"`
	Size int64       `json:"size"`
	Mode fs.FileMode `json:"mode"`
	UID  int         `json:"uid"`
	GID  int         `json:"gid"`
	// Link is a symlink's or hard link's target.
	Link string `json:"link,omitempty"`
	// Whiteout marks a removal of Path; Opaque a directory whose content
	// in lower layers is hidden (Path is the directory).
	Whiteout bool `json:"whiteout,omitempty"`
	Opaque   bool `json:"opaque,omitempty"`
	// Hash is a regular file's content hash (xxhash64, hex): what tells a
	// rewrite of the same size apart.
	Hash string `json:"hash,omitempty"`
	// Data is the content of the few files read whole (Kept): the package
	// databases.
	Data []byte `json:"data,omitempty"`
	// Go is what a Go executable says it was built from.
	Go *GoBuild `json:"go,omitempty"`
}

// GoBuild is a Go executable's build information: the Go version, the main
// module and the modules linked in (path@version).
type GoBuild struct {
	GoVersion string   `json:"goVersion"`
	Main      string   `json:"main"`
	Deps      []string `json:"deps,omitempty"`
}

// maxExecutable is the largest executable read for its build information;
// larger ones are only hashed.
const maxExecutable = 128 << 20

// goBuild reads a Go executable's build information from its bytes (nil
// for anything else).
func goBuild(b []byte) *GoBuild {
	info, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	g := &GoBuild{GoVersion: info.GoVersion, Main: info.Main.Path + "@" + info.Main.Version}
	for _, d := range info.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		g.Deps = append(g.Deps, d.Path+"@"+d.Version)
	}
	return g
}

// Kept reports whether a file's content is kept with its entry: the
// package managers' databases (apk, dpkg, distroless's status.d), up to
// 16 MB.
func Kept(p string, size int64) bool {
	if size > 16<<20 {
		return false
	}
	switch {
	case p == "lib/apk/db/installed", p == "var/lib/dpkg/status", p == "etc/os-release", p == "usr/lib/os-release":
		return true
	case strings.HasPrefix(p, "var/lib/dpkg/status.d/") && !strings.HasSuffix(p, ".md5sums"):
		return true
	}
	return false
}

// Read lists a layer's entries from its uncompressed tar stream, in tar
// order.
func Read(r io.Reader) ([]Entry, error) {
	tr := tar.NewReader(r)
	var out []Entry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("reading layer: %w", err)
		}
		name := clean(h.Name)
		if name == "" {
			continue
		}
		e := Entry{Path: name, Size: h.Size, Mode: h.FileInfo().Mode(), UID: h.Uid, GID: h.Gid, Link: h.Linkname}
		switch h.Typeflag {
		case tar.TypeReg:
			e.Kind = File
			sum := xxhash.New()
			var data bytes.Buffer
			// An executable is read whole when it starts as an ELF file
			// does: one at a time, only its build information kept.
			var head [4]byte
			n, _ := io.ReadFull(tr, head[:])
			_, _ = sum.Write(head[:n]) // a hash takes every write
			exe := h.Mode&0o111 != 0 && h.Size <= maxExecutable && string(head[:n]) == "\x7fELF"
			var w io.Writer = sum
			if Kept(name, h.Size) || exe {
				data.Write(head[:n])
				w = io.MultiWriter(sum, &data)
			}
			if _, err := io.Copy(w, tr); err != nil { //nolint:gosec // hashed; kept only for Kept's small files and one executable at a time
				return out, fmt.Errorf("reading layer: %s: %w", name, err)
			}
			e.Hash = strconv.FormatUint(sum.Sum64(), 16)
			switch {
			case exe:
				e.Go = goBuild(data.Bytes())
			case data.Len() > 0:
				e.Data = data.Bytes()
			}
		case tar.TypeDir:
			e.Kind = Dir
		case tar.TypeSymlink:
			e.Kind = Symlink
		case tar.TypeLink:
			e.Kind = Hardlink
			e.Link = clean(h.Linkname)
		default:
			e.Kind = Other
		}
		dir, base := path.Split(name)
		switch {
		case base == opaqueMarker:
			e = Entry{Path: strings.TrimSuffix(dir, "/"), Kind: Dir, Opaque: true}
		case strings.HasPrefix(base, whiteoutPrefix):
			e.Path, e.Whiteout = dir+strings.TrimPrefix(base, whiteoutPrefix), true
		}
		out = append(out, e)
	}
}

// clean is a tar name as a path from the root without a leading slash; ""
// for the root itself.
func clean(name string) string {
	name = path.Clean("/" + name)
	return strings.TrimPrefix(name, "/")
}

// Change is what a layer did to one path.
type Change string

// The changes a layer makes.
const (
	Added    Change = "added"
	Modified Change = "modified"
	Removed  Change = "removed"
)

// Changed is an entry with what its layer did to it; for a removal, the
// entry that was removed (with its size).
type Changed struct {
	Entry
	Change Change `json:"change"`
}

// FS is the file system a stack of layers makes: each path's entry.
type FS map[string]Entry

// Apply puts a layer on top of fsys and reports what it changed, in path
// order: a whiteout removes its path and everything below it, an opaque
// directory hides what lower layers put in it, anything else is added or
// replaces what was there.
func (fsys FS) Apply(entries []Entry) []Changed {
	var changes []Changed
	removeBelow := func(dir string, keepDir bool) {
		prefix := dir + "/"
		for p, e := range fsys {
			if dir == "" || p == dir && !keepDir || strings.HasPrefix(p, prefix) {
				changes = append(changes, Changed{Entry: e, Change: Removed})
				delete(fsys, p)
			}
		}
	}
	// Whiteouts and opaque markers act on the layers below: first.
	for _, e := range entries {
		switch {
		case e.Whiteout:
			removeBelow(e.Path, false)
		case e.Opaque:
			removeBelow(e.Path, true)
		}
	}
	for _, e := range entries {
		if e.Whiteout || e.Opaque {
			continue
		}
		change := Added
		if _, ok := fsys[e.Path]; ok {
			change = Modified
		}
		fsys[e.Path] = e
		changes = append(changes, Changed{Entry: e, Change: change})
	}
	// A path removed and put back by the same layer (an opaque directory's
	// new content) is a modification, not two changes.
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	out := changes[:0]
	for i, c := range changes {
		if i+1 < len(changes) && c.Change == Removed && changes[i+1].Path == c.Path {
			changes[i+1].Change = Modified
			continue
		}
		out = append(out, c)
	}
	return out
}

// Stack is the file system layers make, bottom first.
func Stack(layers [][]Entry) FS {
	fsys := FS{}
	for _, es := range layers {
		fsys.Apply(es)
	}
	return fsys
}

// Sorted are the file system's entries in path order.
func (fsys FS) Sorted() []Entry {
	out := make([]Entry, 0, len(fsys))
	for _, e := range fsys {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// FileDiff is how one path differs between two images' file systems.
type FileDiff struct {
	Path   string `json:"path"`
	Change Change `json:"change"`
	Kind   Kind   `json:"kind"`
	// OldSize is the size in the first image, NewSize in the second (0
	// where the path is not).
	OldSize int64 `json:"oldSize"`
	NewSize int64 `json:"newSize"`
}

// Diff is what differs between a's files and b's, in path order: paths only
// b has are added, only a has removed, and both have modified when their
// kind, content, size, mode, owner or link differ.
func Diff(a, b FS) []FileDiff {
	var out []FileDiff
	for p, eb := range b {
		ea, ok := a[p]
		switch {
		case !ok:
			out = append(out, FileDiff{Path: p, Change: Added, Kind: eb.Kind, NewSize: eb.Size})
		case ea.Kind != eb.Kind || ea.Hash != eb.Hash || ea.Size != eb.Size || ea.Mode != eb.Mode || ea.UID != eb.UID || ea.GID != eb.GID || ea.Link != eb.Link:
			out = append(out, FileDiff{Path: p, Change: Modified, Kind: eb.Kind, OldSize: ea.Size, NewSize: eb.Size})
		}
	}
	for p, ea := range a {
		if _, ok := b[p]; !ok {
			out = append(out, FileDiff{Path: p, Change: Removed, Kind: ea.Kind, OldSize: ea.Size})
		}
	}
	slices.SortFunc(out, func(x, y FileDiff) int { return strings.Compare(x.Path, y.Path) })
	return out
}

// Counted is r telling report, when not nil, how many bytes were read
// through it: every 4 MB, and at its end (for progress while layers
// stream).
func Counted(r io.Reader, report func(read int64)) io.Reader {
	return &counter{r: r, report: report}
}

type counter struct {
	r       io.Reader
	n, last int64
	report  func(read int64)
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.report != nil && (c.n-c.last >= 4<<20 || err != nil) {
		c.last = c.n
		c.report(c.n)
	}
	return n, err
}
