// Package packages says which packages an image carries: from an SBOM the
// pipeline attached (SPDX or CycloneDX JSON, bare or in a cosign/in-toto
// attestation envelope) or, without one, from the package managers'
// databases in its file system (apk, dpkg, distroless's status.d). It
// parses bytes; finding the SBOM and reading the layers is the clients'
// business.
//
// Why not syft: as a library it brings hundreds of modules (every
// ecosystem's cataloguer, their parsers and a database of CPEs) into a
// tool that needs two databases and two SBOM formats; those are read here
// in a few hundred lines, tested on real files' shapes, and an SBOM syft
// wrote (attached by the pipeline) is read as it is.
package packages

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/intoto"
)

// Package is one package the image carries.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Type is the ecosystem: apk, deb, go, npm, pypi…
	Type string `json:"type"`
}

// List is an image's packages and where they were read.
type List struct {
	// Source says where: "sbom (SPDX, sha256:…)" or "apk database
	// /lib/apk/db/installed".
	Source   string    `json:"source"`
	Packages []Package `json:"packages"`
	// Notes are what the reader should know of how the list was made (an
	// SBOM that could not be read).
	Notes []string `json:"notes,omitempty"`
}

// FromFiles reads the package databases in an image's file system.
func FromFiles(fsys filetree.FS) List {
	var l List
	var sources []string
	if e, ok := fsys["lib/apk/db/installed"]; ok {
		l.Packages = append(l.Packages, APK(e.Data)...)
		sources = append(sources, "apk database /lib/apk/db/installed")
	}
	if e, ok := fsys["var/lib/dpkg/status"]; ok {
		l.Packages = append(l.Packages, Dpkg(e.Data)...)
		sources = append(sources, "dpkg database /var/lib/dpkg/status")
	}
	var statusD []string
	for p, e := range fsys {
		if strings.HasPrefix(p, "var/lib/dpkg/status.d/") && e.Data != nil {
			l.Packages = append(l.Packages, Dpkg(e.Data)...)
			statusD = append(statusD, p)
		}
	}
	if len(statusD) > 0 {
		sources = append(sources, fmt.Sprintf("dpkg status.d (%d files)", len(statusD)))
	}
	// Go executables' modules, once each (two binaries may link the same).
	goSeen := map[string]bool{}
	var exes []string
	for p, e := range fsys {
		if e.Go == nil {
			continue
		}
		exes = append(exes, p)
		for _, m := range append([]string{e.Go.Main}, e.Go.Deps...) {
			path, version, _ := strings.Cut(m, "@")
			if path == "" || goSeen[m] || version == "" {
				continue
			}
			goSeen[m] = true
			l.Packages = append(l.Packages, Package{Name: path, Version: version, Type: "go"})
		}
	}
	if len(exes) > 0 {
		sources = append(sources, fmt.Sprintf("Go build information (%d executables)", len(exes)))
	}
	l.Source = strings.Join(sources, ", ")
	if l.Source == "" {
		l.Source = "no package database (apk, dpkg) or Go executable in the file system, and no SBOM attached"
	}
	sortPackages(l.Packages)
	return l
}

// APK reads apk's installed database: stanzas of "K:value" lines, P the
// name, V the version.
func APK(b []byte) []Package {
	var out []Package
	stanzas(b, func(f map[string]string) {
		if f["P"] != "" {
			out = append(out, Package{Name: f["P"], Version: f["V"], Type: "apk"})
		}
	})
	return out
}

// Dpkg reads dpkg's status file (or a status.d file): RFC 822 stanzas,
// installed packages only.
func Dpkg(b []byte) []Package {
	var out []Package
	stanzas(b, func(f map[string]string) {
		status, said := f["Status"]
		if f["Package"] != "" && (!said || strings.HasSuffix(status, " installed")) {
			out = append(out, Package{Name: f["Package"], Version: f["Version"], Type: "deb"})
		}
	})
	return out
}

// stanzas reads the "Key: value" stanzas both databases are made of,
// separated by blank lines, handing each its fields (continuation lines,
// which start with a blank, skipped).
func stanzas(b []byte, each func(fields map[string]string)) {
	fields := map[string]string{}
	flush := func() {
		if len(fields) > 0 {
			each(fields)
			fields = map[string]string{}
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
			continue
		case strings.HasPrefix(line, " "), strings.HasPrefix(line, "\t"):
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	flush()
}

// FromSBOM reads an SBOM: SPDX or CycloneDX JSON, bare or wrapped in a
// DSSE envelope (cosign attest) or an in-toto statement. format says
// which it was.
func FromSBOM(b []byte) (pkgs []Package, format string, err error) {
	b = unwrap(b)
	var probe struct {
		SPDXVersion string `json:"spdxVersion"`
		BOMFormat   string `json:"bomFormat"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, "", fmt.Errorf("not a JSON SBOM: %w", err)
	}
	switch {
	case probe.SPDXVersion != "":
		pkgs, err = spdx(b)
		format = "SPDX"
	case probe.BOMFormat == "CycloneDX":
		pkgs, err = cyclonedx(b)
		format = "CycloneDX"
	default:
		return nil, "", fmt.Errorf("neither SPDX nor CycloneDX JSON")
	}
	sortPackages(pkgs)
	return pkgs, format, err
}

// unwrap takes an SBOM out of a DSSE envelope and an in-toto statement
// (cosign's older attestations put it under predicate.Data).
func unwrap(b []byte) []byte {
	pred, typ := intoto.Open(b)
	if typ == "" {
		return b
	}
	var old struct {
		Data json.RawMessage `json:"Data"`
	}
	if json.Unmarshal(pred, &old) == nil && len(old.Data) > 0 && old.Data[0] == '{' {
		return old.Data
	}
	return pred
}

func spdx(b []byte) ([]Package, error) {
	var doc struct {
		Packages []struct {
			Name         string `json:"name"`
			VersionInfo  string `json:"versionInfo"`
			ExternalRefs []struct {
				Type    string `json:"referenceType"`
				Locator string `json:"referenceLocator"`
			} `json:"externalRefs"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("reading SPDX: %w", err)
	}
	var out []Package
	for _, p := range doc.Packages {
		typ := ""
		for _, r := range p.ExternalRefs {
			if r.Type == "purl" {
				typ = purlType(r.Locator)
			}
		}
		if typ == "" {
			continue // the document's own subject (the image, a file)
		}
		out = append(out, Package{Name: p.Name, Version: p.VersionInfo, Type: typ})
	}
	return out, nil
}

func cyclonedx(b []byte) ([]Package, error) {
	var doc struct {
		Components []struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Purl    string `json:"purl"`
			Type    string `json:"type"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("reading CycloneDX: %w", err)
	}
	var out []Package
	for _, c := range doc.Components {
		typ := purlType(c.Purl)
		if typ == "" {
			continue // an operating system, a file: not a package
		}
		out = append(out, Package{Name: c.Name, Version: c.Version, Type: typ})
	}
	return out, nil
}

// purlType is a package URL's type (pkg:deb/debian/bash@5 → deb).
func purlType(purl string) string {
	rest, ok := strings.CutPrefix(purl, "pkg:")
	if !ok {
		return ""
	}
	t, _, _ := strings.Cut(rest, "/")
	if t == "golang" {
		return "go"
	}
	return t
}

func sortPackages(ps []Package) {
	slices.SortFunc(ps, func(a, b Package) int {
		if c := strings.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Version, b.Version)
	})
}

// Change is how a package differs between two images.
type Change struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Change string `json:"change"` // added, removed, upgraded, downgraded, changed
	Old    string `json:"old,omitempty"`
	New    string `json:"new,omitempty"`
}

// Diff is what changed from a's packages to b's, by type and name.
func Diff(a, b []Package, newer func(x, y string) int) []Change {
	key := func(p Package) string { return p.Type + "\x00" + p.Name }
	old := map[string]Package{}
	for _, p := range a {
		old[key(p)] = p
	}
	var out []Change
	seen := map[string]bool{}
	for _, p := range b {
		k := key(p)
		seen[k] = true
		o, ok := old[k]
		switch {
		case !ok:
			out = append(out, Change{Name: p.Name, Type: p.Type, Change: "added", New: p.Version})
		case o.Version != p.Version:
			c := Change{Name: p.Name, Type: p.Type, Change: "changed", Old: o.Version, New: p.Version}
			if newer != nil {
				switch n := newer(p.Version, o.Version); {
				case n > 0:
					c.Change = "upgraded"
				case n < 0:
					c.Change = "downgraded"
				}
			}
			out = append(out, c)
		}
	}
	for _, p := range a {
		if !seen[key(p)] {
			out = append(out, Change{Name: p.Name, Type: p.Type, Change: "removed", Old: p.Version})
		}
	}
	slices.SortFunc(out, func(x, y Change) int {
		if c := strings.Compare(x.Type, y.Type); c != 0 {
			return c
		}
		return strings.Compare(x.Name, y.Name)
	})
	return out
}

// Compare orders two versions as people read them: runs of digits by
// value, the rest by text ("1.10" after "1.9", "2.36.1-r0" after
// "2.36.0-r5"); 0 when they read the same.
func Compare(a, b string) int {
	for a != "" && b != "" {
		ca, ra := chunk(a)
		cb, rb := chunk(b)
		if c := compareChunk(ca, cb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
	return strings.Compare(a, b)
}

func chunk(s string) (string, string) {
	digit := s[0] >= '0' && s[0] <= '9'
	i := 1
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') == digit {
		i++
	}
	return s[:i], s[i:]
}

func compareChunk(a, b string) int {
	ad, bd := a[0] >= '0' && a[0] <= '9', b[0] >= '0' && b[0] <= '9'
	if ad && bd {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			return len(a) - len(b)
		}
	}
	return strings.Compare(a, b)
}
