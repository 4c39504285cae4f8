package filetree

import (
	"path"
	"slices"
	"strings"
)

// Waste is a path more than one layer wrote (or one wrote and a later one
// removed): every version's bytes count, as dive counts them.
type Waste struct {
	Path string `json:"path"`
	// Bytes are all the versions' sizes added up; Count how many layers
	// touched the path; Layers which (0 is the bottom).
	Bytes  int64 `json:"bytes"`
	Count  int   `json:"count"`
	Layers []int `json:"layers"`
}

// Report is an image's efficiency as dive reports it.
type Report struct {
	// Score is the sum of each path's smallest version over the sum of all
	// versions (1 when nothing repeats).
	Score float64 `json:"efficiency"`
	// WastedBytes adds up Files' Bytes; UserBytes are the bytes of every
	// layer but the first (the base image), SizeBytes of all.
	WastedBytes int64   `json:"wastedBytes"`
	UserBytes   int64   `json:"userBytes"`
	SizeBytes   int64   `json:"sizeBytes"`
	Files       []Waste `json:"files"`
}

// WastedPercent is the wasted bytes as a share of the user's layers (dive's
// "userWastedPercent").
func (r Report) WastedPercent() float64 {
	if r.UserBytes == 0 {
		return 0
	}
	return float64(r.WastedBytes) / float64(r.UserBytes)
}

// node is a path of one layer's tree, as dive builds it: a directory a
// layer's entries imply but do not name has no information (size 0, not a
// directory).
type node struct {
	size     int64
	dir      bool
	whiteout bool
	children map[string]*node
}

func newNode() *node { return &node{children: map[string]*node{}} }

// add puts p in the tree with info (dive's AddPath: information goes to the
// last name, the directories on the way are made bare; an opaque marker
// adds only those directories).
func (n *node) add(p string, info *node) {
	names := strings.Split(p, "/")
	for i, name := range names {
		if strings.HasPrefix(name, opaqueMarker) {
			return
		}
		child, ok := n.children[name]
		if !ok {
			child = newNode()
			n.children[name] = child
		}
		if i == len(names)-1 && info != nil {
			child.size, child.dir, child.whiteout = info.size, info.dir, info.whiteout
		}
		n = child
	}
}

func (n *node) get(p string) *node {
	for _, name := range strings.Split(p, "/") {
		if n = n.children[name]; n == nil {
			return nil
		}
	}
	return n
}

func (n *node) remove(p string) {
	dir, base := path.Split(p)
	parent := n
	if dir != "" {
		parent = n.get(strings.TrimSuffix(dir, "/"))
	}
	if parent != nil {
		delete(parent.children, base)
	}
}

// total is the size of n and everything below it.
func (n *node) total() int64 {
	s := n.size
	for _, c := range n.children {
		s += c.total()
	}
	return s
}

// leaves visits the paths without children (whiteouts under the name they
// remove), in path order.
func (n *node) leaves(prefix string, f func(p string, leaf *node)) {
	names := make([]string, 0, len(n.children))
	for name := range n.children {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		c := n.children[name]
		p := prefix + name
		if len(c.children) == 0 {
			if c.whiteout {
				p = prefix + strings.TrimPrefix(name, whiteoutPrefix)
			}
			f(p, c)
			continue
		}
		c.leaves(p+"/", f)
	}
}

// graft puts upper on n as dive stacks layers: a whiteout removes its path,
// anything else (the bare directories too) is added with its information.
func (n *node) graft(upper *node, prefix string) {
	for name, c := range upper.children {
		p := prefix + name
		if len(c.children) > 0 {
			n.graft(c, p+"/")
		}
		if c.whiteout {
			n.remove(prefix + strings.TrimPrefix(name, whiteoutPrefix))
			continue
		}
		n.add(p, c)
	}
}

// layerTree is a layer's entries as dive's tree: whiteouts keep their
// .wh. name.
func layerTree(entries []Entry) (*node, int64) {
	root := newNode()
	var size int64
	for _, e := range entries {
		size += e.Size
		switch {
		case e.Opaque:
			root.add(joinPath(e.Path, opaqueMarker), nil)
		case e.Whiteout:
			dir, base := path.Split(e.Path)
			root.add(dir+whiteoutPrefix+base, &node{size: e.Size, whiteout: true})
		default:
			root.add(e.Path, &node{size: e.Size, dir: e.Kind == Dir})
		}
	}
	return root, size
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// Efficiency computes what dive's Efficiency and Analyze compute, for the
// same layers the same numbers: each layer's leaves count their size (a
// whiteout the size of the directory it removes, 0 for a file); a path
// counted in two layers or more is wasted, all its versions.
func Efficiency(layers [][]Entry) Report {
	type data struct {
		cumulative, min int64
		layers          []int
	}
	byPath := map[string]*data{}
	var order []string
	trees := make([]*node, len(layers))
	var r Report
	for i, entries := range layers {
		var size int64
		trees[i], size = layerTree(entries)
		r.SizeBytes += size
		if i > 0 {
			r.UserBytes += size
		}
	}
	stacked := newNode()
	for i, tree := range trees {
		if i > 0 {
			// The layers below this one (dive stacks them afresh for each
			// whiteout; they are the same).
			stacked.graft(trees[i-1], "")
		}
		visit := tree.leaves
		if len(tree.children) == 0 {
			// An empty layer's root is its one leaf (dive counts it as "/").
			visit = func(_ string, f func(string, *node)) { f("", tree) }
		}
		visit("", func(p string, leaf *node) {
			size := leaf.size
			if leaf.whiteout {
				size = 0
				if prev := stacked.get(p); prev != nil && prev.dir {
					size = prev.total()
				}
			}
			d, ok := byPath[p]
			if !ok {
				d = &data{min: -1}
				byPath[p] = d
				order = append(order, p)
			}
			d.cumulative += size
			if d.min < 0 || size < d.min {
				d.min = size
			}
			d.layers = append(d.layers, i)
		})
	}
	var minimum, discovered int64
	for _, p := range order {
		d := byPath[p]
		minimum += d.min
		discovered += d.cumulative
		if len(d.layers) > 1 {
			r.WastedBytes += d.cumulative
			r.Files = append(r.Files, Waste{Path: "/" + p, Bytes: d.cumulative, Count: len(d.layers), Layers: d.layers})
		}
	}
	r.Score = 1
	if discovered > 0 {
		r.Score = float64(minimum) / float64(discovered)
	}
	slices.SortStableFunc(r.Files, func(a, b Waste) int {
		if a.Bytes != b.Bytes {
			return int(b.Bytes - a.Bytes)
		}
		return strings.Compare(a.Path, b.Path)
	})
	return r
}
