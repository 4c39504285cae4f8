package files_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/files"
	"github.com/wharf-dev/wharf/views/theme"
)

// layered is an image of three layers: a base, one that rewrites, removes
// and hides, and one that removes a directory.
type layered struct{}

func e(p string, kind filetree.Kind, size int64) filetree.Entry {
	return filetree.Entry{Path: p, Kind: kind, Size: size, Mode: 0o644}
}

func (layered) LayerFiles(_ context.Context, _ string, each func(int, domain.Layer, []filetree.Entry)) error {
	layers := [][]filetree.Entry{
		{e("etc", filetree.Dir, 0), e("etc/app.conf", filetree.File, 1000), e("etc/big.bin", filetree.File, 300000), e("usr/lib/a.so", filetree.File, 40000), e("cache/x", filetree.File, 5000), {Path: "bin/sh", Kind: filetree.Symlink, Link: "/bin/tool", Mode: 0o777}},
		{e("etc/app.conf", filetree.File, 2000), {Path: "etc/big.bin", Whiteout: true}, {Path: "usr/lib", Kind: filetree.Dir, Opaque: true}, e("usr/lib/c.so", filetree.File, 5000)},
		{{Path: "cache", Whiteout: true}, e("tmp", filetree.Dir, 0)},
	}
	for i, l := range layers {
		each(i, domain.Layer{Digest: "sha256:" + strings.Repeat(string(rune('a'+i)), 64), Size: int64(1000 * (i + 1))}, l)
	}
	return nil
}

func key(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	}
	return tea.KeyPressMsg{Code: rune(k[0]), Text: k}
}

func open(t *testing.T) *files.Model {
	t.Helper()
	m := files.New(layered{}, theme.New(theme.Default(), true))
	m.SetSize(60, 20)
	teatestutil.Drain(t, m.Update, m.Load("r.example/team/app:1.0"), 20)
	return m
}

func view(m *files.Model) string { return ansi.Strip(m.View("Files · r.example/team/app:1.0")) }

// flat is a view with each run of spaces made one, for asserting rows.
func flat(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

func press(t *testing.T, m *files.Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		teatestutil.Drain(t, m.Update, m.Update(key(k)), 20)
	}
}

// A layer at a time: what it added (A), modified (M) and removed (D), the
// directories that hold them; the whole image up to it with a; ] and [
// move between layers; enter folds a directory; / filters by path.
func TestFilesOfEachLayer(t *testing.T) {
	m := open(t)
	s := flat(view(m))
	if !strings.Contains(s, "layer 1/3 aaaaaaaaaaaa 1kB · changes · 3 layers") || !strings.Contains(s, "A -rw-r--r-- 0:0 300kB big.bin") {
		t.Fatalf("layer 1:\n%s", s)
	}
	press(t, m, "]")
	s = flat(view(m))
	for _, want := range []string{"layer 2/3", "M -rw-r--r-- 0:0 2kB app.conf", "D -rw-r--r-- 0:0 300kB big.bin", "D -rw-r--r-- 0:0 40kB a.so", "A -rw-r--r-- 0:0 5kB c.so"} {
		if !strings.Contains(s, want) {
			t.Errorf("layer 2 lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "sh → /bin/tool") {
		t.Errorf("layer 2's changes list what it did not change:\n%s", s)
	}
	golden.Assert(t, "layer2_changes_60x20", view(m))
	press(t, m, "]", "a")
	s = flat(view(m))
	if !strings.Contains(s, "whole image so far") || !strings.Contains(s, "sh → /bin/tool") || !strings.Contains(s, "D -rw-r--r-- 0:0 5kB x") || strings.Contains(s, "a.so") {
		t.Errorf("the whole image at layer 3:\n%s", s)
	}
	golden.Assert(t, "layer3_whole_60x20", view(m))
	// Fold etc/ (the fifth row: bin/, sh, cache/, x, etc/): its files go,
	// the directory stays.
	press(t, m, "g", "j", "j", "j", "j")
	press(t, m, "enter")
	if s := view(m); strings.Contains(s, "app.conf") || !strings.Contains(s, "▸ etc/") {
		t.Errorf("enter on etc/ did not fold it:\n%s", s)
	}
	press(t, m, "/", "s", "o", "enter")
	if s := view(m); !strings.Contains(s, "c.so") || strings.Contains(s, "tmp/") {
		t.Errorf("the filter so:\n%s", s)
	}
}

// progressing reports 5 MB read before its one layer.
type progressing struct{ layered }

func (p progressing) LayerFilesProgress(ctx context.Context, ref string, progress func(int64), each func(int, domain.Layer, []filetree.Entry)) error {
	progress(5_000_000)
	return p.LayerFiles(ctx, ref, each)
}

// While layers stream, the view says how much it has read.
func TestReadingSaysHowMuch(t *testing.T) {
	m := files.New(progressing{}, theme.New(theme.Default(), true))
	m.SetSize(90, 20)
	// The read is a job and a stream of layers: take the stream.
	batch := m.Load("r.example/team/app:1.0")().(tea.BatchMsg)
	if _, ok := batch[0]().(views.JobStartedMsg); !ok {
		t.Fatal("the read did not start as a job")
	}
	next := m.Update(batch[1]())
	if s := view(m); !strings.Contains(s, "reading r.example/team/app:1.0's layers") {
		t.Errorf("before a layer:\n%s", s)
	}
	next = m.Update(next()) // the first layer
	if s := view(m); !strings.Contains(s, "layers read 1 · reading… 5MB") {
		t.Errorf("after 5 MB and a layer:\n%s", s)
	}
	teatestutil.Drain(t, m.Update, next, 20)
	if s := view(m); !strings.Contains(s, "· 3 layers") || strings.Contains(s, "reading") {
		t.Errorf("at the end:\n%s", s)
	}
}

// blocking has one layer, then waits until it is stopped.
type blocking struct{}

func (blocking) LayerFiles(ctx context.Context, _ string, each func(int, domain.Layer, []filetree.Entry)) error {
	each(0, domain.Layer{Digest: "sha256:" + strings.Repeat("a", 64)}, []filetree.Entry{e("a", filetree.File, 1)})
	<-ctx.Done()
	return ctx.Err()
}

// The read is a job: cancelling it (x in the jobs area) stops the read,
// and the view hears that it ended.
func TestCancellingTheJobStopsTheRead(t *testing.T) {
	m := files.New(blocking{}, theme.New(theme.Default(), true))
	m.SetSize(90, 20)
	batch := m.Load("r.example/team/app:1.0")().(tea.BatchMsg)
	started, ok := batch[0]().(views.JobStartedMsg)
	if !ok {
		t.Fatal("the read did not start as a job")
	}
	next := m.Update(batch[1]()) // the first layer
	started.Cancel()
	done := make(chan tea.Msg, 1)
	go func() { done <- next() }()
	select {
	case msg := <-done:
		if d, ok := msg.(files.DoneMsg); !ok || !errors.Is(d.Err, context.Canceled) {
			t.Errorf("after the job was cancelled the view got %#v", msg)
		}
		m.Update(msg)
		if s := view(m); strings.Contains(s, "reading…") {
			t.Errorf("the view still says it is reading:\n%s", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the job did not stop the read")
	}
}

// w shows what dive would say of the layers: efficiency and wasted paths.
func TestWasteInTheFileTree(t *testing.T) {
	m := open(t)
	press(t, m, "w")
	s := flat(view(m))
	for _, want := range []string{"wasted 303kB", "300kB 2× /etc/big.bin (1,2)", "3kB 2× /etc/app.conf (1,2)"} {
		if !strings.Contains(s, want) {
			t.Errorf("the waste view lacks %q:\n%s", want, s)
		}
	}
	press(t, m, "w")
	if s := view(m); strings.Contains(s, "efficiency") {
		t.Errorf("w again did not go back to the tree:\n%s", s)
	}
}
