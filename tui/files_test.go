package tui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/golden"
	"github.com/wharf-dev/wharf/internal/packages"
	"github.com/wharf-dev/wharf/internal/vulns"
)

// layeredRegistry also reads its images' layers.
type layeredRegistry struct{ fakeRegistry }

func (layeredRegistry) LayerFiles(_ context.Context, _ string, each func(int, domain.Layer, []filetree.Entry)) error {
	each(0, domain.Layer{Digest: "sha256:1a1a00000000000000000000000000000000000000000000000000000000000a", Size: 1500}, []filetree.Entry{
		{Path: "app", Kind: filetree.File, Size: 1200, Mode: 0o755}, {Path: "etc/app.conf", Kind: filetree.File, Size: 300, Mode: 0o644},
	})
	each(1, domain.Layer{Digest: "sha256:2b2b00000000000000000000000000000000000000000000000000000000000b", Size: 2600}, []filetree.Entry{
		{Path: "etc/app.conf", Kind: filetree.File, Size: 400, Mode: 0o644}, {Path: "srv/index.html", Kind: filetree.File, Size: 2200, Mode: 0o644},
	})
	return nil
}

// f in Details opens the image's file tree in its place, a layer at a time;
// esc goes back to Details, and again to the tags.
func TestFilesOpenFromDetails(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := newStyledApp(t, layeredRegistry{}, true, size[0], size[1])
		press(m, "enter", "j", "enter", "f", "]")
		s := screen(m)
		for _, want := range []string{"Files · registry.example:5000/team/ap", "layer 2/2 2b2b00000000 2.6kB · ", "app.conf", "index.html", "] next layer"} {
			if !strings.Contains(s, want) {
				t.Errorf("%v: the file tree lacks %q:\n%s", size, want, s)
			}
		}
		golden.Assert(t, sizeName("files", size), s)
		press(m, "esc")
		if s := screen(m); !strings.Contains(s, "media type") || strings.Contains(s, "Files ·") {
			t.Errorf("%v: esc did not go back to Details:\n%s", size, s)
		}
		press(m, "esc")
		if s := screen(m); !strings.Contains(s, "TAG ") {
			t.Errorf("%v: esc again did not go back to the tags:\n%s", size, s)
		}
	}
}

func (layeredRegistry) Packages(context.Context, string) (packages.List, error) {
	return packages.List{Source: "SBOM attached (SPDX, sbom 5b0m00000000)", Packages: []packages.Package{
		{Name: "busybox", Version: "1.36.1-r29", Type: "apk"}, {Name: "musl", Version: "1.2.5-r0", Type: "apk"},
	}}, nil
}

// p in Details lists the image's packages and where the list came from;
// esc goes back to Details.
func TestPackagesInDetails(t *testing.T) {
	m := newStyledApp(t, layeredRegistry{}, true, 120, 40)
	press(m, "enter", "j", "enter", "p")
	s := screen(m)
	for _, want := range []string{"packages (2)", "from SBOM attached (SPDX, sbom 5b0m00000000)", "apk  busybox 1.36.1-r29", "apk  musl 1.2.5-r0"} {
		if !strings.Contains(s, want) {
			t.Errorf("the packages lack %q:\n%s", want, s)
		}
	}
	golden.Assert(t, "packages_120x40", s)
	press(m, "esc")
	if s := screen(m); !strings.Contains(s, "media type") || strings.Contains(s, "packages (2)") {
		t.Errorf("esc did not go back to Details:\n%s", s)
	}
}

func (layeredRegistry) Vulnerabilities(_ context.Context, ref string) (vulns.Report, bool, error) {
	if strings.HasSuffix(ref, ":stable") {
		return vulns.Report{}, false, nil
	}
	return vulns.Report{Scanner: "Trivy", From: "artifact 7r1v00000000", Findings: []vulns.Finding{
		{ID: "CVE-2024-0002", Package: "busybox", Installed: "1.36.1-r15", Severity: "medium"},
		{ID: "CVE-2024-0001", Package: "openssl", Installed: "3.1.4-r5", Fixed: "3.1.4-r6", Severity: "critical"},
	}}, true, nil
}

// v in Details summarises the attached report, worst first with its fix;
// with none attached it says so (wharf does not scan).
func TestVulnsInDetails(t *testing.T) {
	m := newStyledApp(t, layeredRegistry{}, true, 120, 40)
	press(m, "enter", "j", "enter", "v", "z") // zoomed: the lines whole
	s := screen(m)
	for _, want := range []string{"vulnerabilities 1 critical, 1 medium (Trivy, artifact 7r1v00000000)", "critical CVE-2024-0001 openssl 3.1.4-r5 · fixed in 3.1.4-r6", "medium   CVE-2024-0002 busybox 1.36.1-r15 · no fix known"} {
		if !strings.Contains(s, want) {
			t.Errorf("the report lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "CVE-2024-0001") > strings.Index(s, "CVE-2024-0002") {
		t.Errorf("the worst finding is not first:\n%s", s)
	}
	golden.Assert(t, "vulns_120x40", s)
	press(m, "esc", "esc", "j", "j", "j", "enter", "v") // stable: nothing attached
	if s := screen(m); !strings.Contains(s, "no vulnerability report is attached") {
		t.Errorf("with nothing attached:\n%s", s)
	}
}

func (layeredRegistry) DeepDiff(context.Context, string, string) ([]filetree.FileDiff, []packages.Change, []vulns.Change, bool, error) {
	return []filetree.FileDiff{{Path: "srv/index.html", Change: filetree.Added, NewSize: 2200}, {Path: "etc/app.conf", Change: filetree.Modified, OldSize: 300, NewSize: 400}},
		[]packages.Change{{Name: "musl", Type: "apk", Change: "upgraded", Old: "1.2.4-r2", New: "1.2.5-r0"}},
		[]vulns.Change{{Finding: vulns.Finding{ID: "CVE-2024-0001", Package: "openssl", Installed: "3.1.4-r5", Severity: "critical"}, Change: "fixed"}}, true, nil
}

// In a comparison of two tags, f adds what their files, packages and
// attached reports say: the answer to "what did this release change".
func TestCompareDeeper(t *testing.T) {
	m := newStyledApp(t, layeredRegistry{}, true, 120, 40)
	press(m, "enter", "c", "j", "c")
	if s := screen(m); !strings.Contains(s, "f adds files, packages and vulnerabilities") {
		t.Fatalf("the comparison does not offer more:\n%s", s)
	}
	press(m, "f")
	s := screen(m)
	for _, want := range []string{"files (2)", "+ /srv/index.html  2.2kB", "~ /etc/app.conf  300B → 400B", "packages (1)", "~ musl 1.2.4-r2 → 1.2.5-r0 (upgraded)", "vulnerabilities (1)", "- critical CVE-2024-0001 openssl 3.1.4-r5 (fixed)"} {
		if !strings.Contains(s, want) {
			t.Errorf("the deeper comparison lacks %q:\n%s", want, s)
		}
	}
	golden.Assert(t, "compare_deeper_120x40", s)
}

// progressingRegistry also says how much it has read, as the real clients
// do.
type progressingRegistry struct{ layeredRegistry }

func (p progressingRegistry) LayerFilesProgress(ctx context.Context, ref string, progress func(int64), each func(int, domain.Layer, []filetree.Entry)) error {
	progress(4 << 20)
	return p.LayerFiles(ctx, ref, func(i int, l domain.Layer, es []filetree.Entry) {
		each(i, l, es)
		progress(int64(i+2) << 20)
	})
}

// The progress between layers reaches the file tree through the root and
// Details (a message they dropped once stalled the read for good).
func TestFilesWithProgressFillIn(t *testing.T) {
	m := newStyledApp(t, progressingRegistry{}, true, 120, 40)
	press(m, "enter", "j", "enter", "f", "]")
	if s := screen(m); !strings.Contains(s, "layer 2/2") || !strings.Contains(s, "index.html") || strings.Contains(s, "reading") {
		t.Errorf("the file tree did not fill in:\n%s", s)
	}
}
