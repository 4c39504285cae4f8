package packages_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/packages"
)

// The shapes of the real files: Alpine's installed database, Debian's
// status (a removed package, continuation lines), distroless's status.d.
const (
	apkInstalled = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nS:383152\nT:the musl c library\n\nC:Q1def=\nP:busybox\nV:1.36.1-r29\nA:x86_64\nF:bin\nR:busybox\n"
	dpkgStatus   = "Package: bash\nStatus: install ok installed\nPriority: required\nVersion: 5.2.15-2+b7\nDescription: GNU Bourne Again SHell\n Bash is an sh-compatible command language interpreter.\n .\n More text.\n\nPackage: old-tool\nStatus: deinstall ok config-files\nVersion: 1.0-1\n\nPackage: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n"
	statusD      = "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n"
)

func TestFromFiles(t *testing.T) {
	fsys := filetree.FS{
		"lib/apk/db/installed":               {Path: "lib/apk/db/installed", Data: []byte(apkInstalled)},
		"var/lib/dpkg/status":                {Path: "var/lib/dpkg/status", Data: []byte(dpkgStatus)},
		"var/lib/dpkg/status.d/base":         {Path: "var/lib/dpkg/status.d/base", Data: []byte(statusD)},
		"var/lib/dpkg/status.d/base.md5sums": {Path: "var/lib/dpkg/status.d/base.md5sums"},
	}
	l := packages.FromFiles(fsys)
	var got []string
	for _, p := range l.Packages {
		got = append(got, fmt.Sprintf("%s %s %s", p.Type, p.Name, p.Version))
	}
	want := "apk busybox 1.36.1-r29\napk musl 1.2.5-r0\ndeb base-files 12.4+deb12u5\ndeb bash 5.2.15-2+b7\ndeb libc6 2.36-9+deb12u4"
	if strings.Join(got, "\n") != want {
		t.Errorf("packages:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	if l.Source != "apk database /lib/apk/db/installed, dpkg database /var/lib/dpkg/status, dpkg status.d (1 files)" {
		t.Errorf("source %q", l.Source)
	}
	if l := packages.FromFiles(filetree.FS{}); len(l.Packages) != 0 || !strings.HasPrefix(l.Source, "no package database") {
		t.Errorf("an empty file system: %+v", l)
	}
}

// SBOMs as syft writes them, bare and in a cosign attestation.
func TestFromSBOM(t *testing.T) {
	spdx := `{"spdxVersion":"SPDX-2.3","packages":[
	  {"name":"app","versionInfo":"sha256:abc"},
	  {"name":"zlib","versionInfo":"1.3.1-r0","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:apk/alpine/zlib@1.3.1-r0"}]},
	  {"name":"golang.org/x/net","versionInfo":"v0.30.0","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:golang/golang.org/x/net@v0.30.0"}]}]}`
	cdx := `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"operating-system","name":"debian"},{"type":"library","name":"bash","version":"5.2.15","purl":"pkg:deb/debian/bash@5.2.15"}]}`
	statement := `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":` + spdx + `}`
	envelope := `{"payloadType":"application/vnd.in-toto+json","payload":"` + base64.StdEncoding.EncodeToString([]byte(statement)) + `","signatures":[]}`
	for _, tc := range []struct{ name, doc, format, want string }{
		{"spdx", spdx, "SPDX", "apk zlib 1.3.1-r0, go golang.org/x/net v0.30.0"},
		{"cyclonedx", cdx, "CycloneDX", "deb bash 5.2.15"},
		{"cosign attestation", envelope, "SPDX", "apk zlib 1.3.1-r0, go golang.org/x/net v0.30.0"},
	} {
		pkgs, format, err := packages.FromSBOM([]byte(tc.doc))
		var got []string
		for _, p := range pkgs {
			got = append(got, p.Type+" "+p.Name+" "+p.Version)
		}
		if err != nil || format != tc.format || strings.Join(got, ", ") != tc.want {
			t.Errorf("%s: %v %s %v", tc.name, err, format, got)
		}
	}
	if _, _, err := packages.FromSBOM([]byte(`{"hello":1}`)); err == nil {
		t.Error("a JSON that is no SBOM was read as one")
	}
}

func TestDiffAndCompare(t *testing.T) {
	a := []packages.Package{{Name: "musl", Version: "1.2.4-r2", Type: "apk"}, {Name: "curl", Version: "8.9.0-r0", Type: "apk"}, {Name: "zlib", Version: "1.3.1-r1", Type: "apk"}}
	b := []packages.Package{{Name: "musl", Version: "1.2.10-r0", Type: "apk"}, {Name: "zlib", Version: "1.3.1-r0", Type: "apk"}, {Name: "jq", Version: "1.7.1-r0", Type: "apk"}}
	var got []string
	for _, c := range packages.Diff(a, b, packages.Compare) {
		got = append(got, fmt.Sprintf("%s %s %s→%s", c.Change, c.Name, c.Old, c.New))
	}
	want := "removed curl 8.9.0-r0→, added jq →1.7.1-r0, upgraded musl 1.2.4-r2→1.2.10-r0, downgraded zlib 1.3.1-r1→1.3.1-r0"
	if strings.Join(got, ", ") != want {
		t.Errorf("diff: %s\nwant: %s", strings.Join(got, ", "), want)
	}
}
