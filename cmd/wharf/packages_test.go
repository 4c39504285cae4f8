package main

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// goBinary is a small Go executable with a dependency (testdata/gobin).
func goBinary(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "gobin")
	cmd := exec.Command("go", "build", "-o", out, "./testdata/gobin")
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the fixture executable: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// filesLayer is a layer holding files with the given contents.
func filesLayer(t *testing.T, files map[string]string) v1.Layer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, body := range files {
		mode := int64(0o644)
		if strings.Contains(name, "bin/") {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: int64(len(body)), Mode: mode}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	_ = tw.Close()
	data := b.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

const apkDB = "P:musl\nV:1.2.5-r0\n\nP:busybox\nV:1.36.1-r29\n"

// wharf packages reads an image's apk database from registry:2 without
// pulling it; once an SBOM is attached it says so and lists the SBOM's;
// diff --packages names what the next release upgraded, added, removed.
func TestPackagesFromFilesThenSBOM(t *testing.T) {
	for _, kind := range []testenv.Kind{testenv.Anonymous, testenv.V3} {
		t.Run(string(kind), func(t *testing.T) {
			reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: kind})
			ctx := testenv.Context(t, 2*time.Minute)
			v1img, err := mutate.AppendLayers(empty.Image, filesLayer(t, map[string]string{
				"lib/apk/db/installed": apkDB, "bin/busybox": "elf", "usr/local/bin/gobin": goBinary(t),
				"var/lib/dpkg/status": "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b7\nDescription: GNU Bourne Again SHell\n more.\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n",
			}))
			if err != nil {
				t.Fatal(err)
			}
			v2img, err := mutate.AppendLayers(v1img, filesLayer(t, map[string]string{"lib/apk/db/installed": "P:musl\nV:1.2.10-r0\n\nP:jq\nV:1.7.1-r0\n"}))
			if err != nil {
				t.Fatal(err)
			}
			for tag, img := range map[string]v1.Image{"1.0": v1img, "1.1": v2img} {
				ref, err := name.NewTag(reg.Repo("team/pkgs")+":"+tag, name.Insecure)
				if err != nil {
					t.Fatal(err)
				}
				if err := remote.Write(ref, img, reg.RemoteOptions(ctx, "")...); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{"DOCKER_CONFIG": dockerConfigFor(t, map[*testenv.Registry]string{reg: ""}), "XDG_CONFIG_HOME": t.TempDir()}
			ref := reg.Repo("team/pkgs") + ":1.0"
			out, err := runWharf(t, env, "packages", ref)
			if err != nil || !strings.Contains(flatWords(out), "apk busybox 1.36.1-r29") || !strings.Contains(flatWords(out), "go github.com/cespare/xxhash/v2 v2.3.0") ||
				!strings.Contains(flatWords(out), "deb bash 5.2.15-2+b7") || strings.Contains(out, "gone") ||
				!strings.Contains(out, "from apk database /lib/apk/db/installed, dpkg database /var/lib/dpkg/status, Go build information (1 executables)") {
				t.Errorf("packages from the file system (%v):\n%s", err, out)
			}
			out, err = runWharf(t, env, "diff", "--packages", ref, reg.Repo("team/pkgs")+":1.1")
			for _, want := range []string{"package - apk busybox 1.36.1-r29", "package + apk jq 1.7.1-r0", "package ~ apk musl 1.2.5-r0 → 1.2.10-r0 (upgraded)", "packages 3 changed"} {
				// (The Go executable is in both.)
				if err != nil || !strings.Contains(flatWords(out), want) {
					t.Errorf("diff --packages lacks %q (%v):\n%s", want, err, out)
				}
			}

			// The pipeline attaches an SBOM (as oras or cosign would).
			desc, err := partial.Descriptor(v1img)
			if err != nil {
				t.Fatal(err)
			}
			sbom := fixtures.SBOM
			sbom.Subject = desc
			sbom.Files = []fixtures.File{{Name: "sbom.spdx.json", MediaType: "application/spdx+json", Data: []byte(`{"spdxVersion":"SPDX-2.3","packages":[{"name":"musl","versionInfo":"1.2.5-r0","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:apk/alpine/musl@1.2.5-r0"}]},{"name":"busybox","versionInfo":"1.36.1-r29","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:apk/alpine/busybox@1.36.1-r29"}]},{"name":"ssl_client","versionInfo":"1.36.1-r29","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:apk/alpine/ssl_client@1.36.1-r29"}]}]}`)}}
			if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "team/pkgs", Tags: []string{"sbom-1.0"}, Artifact: &sbom}}, reg.RemoteOptions(ctx, "")...); err != nil {
				t.Fatal(err)
			}
			out, err = runWharf(t, env, "packages", ref)
			if err != nil || !strings.Contains(flatWords(out), "apk ssl_client 1.36.1-r29") || !strings.Contains(out, "3 packages, from SBOM attached (SPDX, sbom ") {
				t.Errorf("packages with an SBOM attached (%v):\n%s", err, out)
			}
		})
	}
}

// flatWords is out with each run of blanks made one space.
func flatWords(out string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// The vulnerability reports a pipeline attached: a Trivy report as a
// referrer of 1.0, cosign's vuln attestation (wrapping Grype's) on 1.1;
// wharf vulns summarises each, diff --vulns says what 1.1 fixed and
// brought. Nothing is scanned.
func TestVulnsFromAttachedReports(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.V3})
	ctx := testenv.Context(t, 2*time.Minute)
	imgs := map[string]v1.Image{}
	for _, tag := range []string{"1.0", "1.1"} {
		img, err := mutate.AppendLayers(empty.Image, filesLayer(t, map[string]string{"etc/release": tag}))
		if err != nil {
			t.Fatal(err)
		}
		ref, err := name.NewTag(reg.Repo("team/vulns")+":"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img, reg.RemoteOptions(ctx, "")...); err != nil {
			t.Fatal(err)
		}
		imgs[tag] = img
	}
	trivy := `{"SchemaVersion":2,"Results":[{"Target":"x","Vulnerabilities":[{"VulnerabilityID":"CVE-2024-0001","PkgName":"openssl","InstalledVersion":"3.1.4-r5","FixedVersion":"3.1.4-r6","Severity":"CRITICAL"},{"VulnerabilityID":"CVE-2024-0002","PkgName":"busybox","InstalledVersion":"1.36.1-r15","Severity":"MEDIUM"}]}]}`
	grype := `{"matches":[{"vulnerability":{"id":"CVE-2024-0002","severity":"Medium","fix":{"versions":[]}},"artifact":{"name":"busybox","version":"1.36.1-r15"}},{"vulnerability":{"id":"CVE-2024-0777","severity":"High","fix":{"versions":["2.0"]}},"artifact":{"name":"curl","version":"8.5.0-r0"}}]}`
	statement := `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://cosign.sigstore.dev/attestation/vuln/v1","predicate":{"scanner":{"result":` + grype + `}}}`
	envelope := `{"payloadType":"application/vnd.in-toto+json","payload":"` + base64.StdEncoding.EncodeToString([]byte(statement)) + `","signatures":[]}`
	for _, at := range []struct {
		tag, artifactType, mediaType, body string
	}{
		{"1.0", "application/vnd.aquasec.trivy.report+json", "application/json", trivy},
		{"1.1", "application/vnd.dsse.envelope.v1+json", "application/vnd.dsse.envelope.v1+json", envelope},
	} {
		desc, err := partial.Descriptor(imgs[at.tag])
		if err != nil {
			t.Fatal(err)
		}
		art := fixtures.ArtifactSpec{ArtifactType: at.artifactType, Subject: desc, Files: []fixtures.File{{Name: "report.json", MediaType: at.mediaType, Data: []byte(at.body)}}}
		if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "team/vulns", Tags: []string{"report-" + at.tag}, Artifact: &art}}, reg.RemoteOptions(ctx, "")...); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"DOCKER_CONFIG": dockerConfigFor(t, map[*testenv.Registry]string{reg: ""}), "XDG_CONFIG_HOME": t.TempDir()}
	out, err := runWharf(t, env, "vulns", reg.Repo("team/vulns")+":1.0")
	if err != nil || !strings.Contains(out, "(Trivy, ") || !strings.Contains(out, "1 critical, 1 medium") || !strings.Contains(flatWords(out), "critical CVE-2024-0001 openssl 3.1.4-r5 fixed in 3.1.4-r6") {
		t.Errorf("vulns 1.0 (%v):\n%s", err, out)
	}
	out, err = runWharf(t, env, "diff", "--vulns", reg.Repo("team/vulns")+":1.0", reg.Repo("team/vulns")+":1.1")
	for _, want := range []string{"vuln - critical CVE-2024-0001 openssl 3.1.4-r5 (fixed)", "vuln + high CVE-2024-0777 curl 8.5.0-r0 (new)", "vulns 1 critical, 1 medium → 1 high, 1 medium"} {
		if err != nil || !strings.Contains(flatWords(out), want) {
			t.Errorf("diff --vulns lacks %q (%v):\n%s", want, err, out)
		}
	}
	if out, err := runWharf(t, env, "vulns", reg.Repo("team/pkgs-none")+":x"); err == nil {
		t.Errorf("vulns of a missing image succeeded:\n%s", out)
	}
}

// An index as BuildKit pushes it with --sbom: each platform's SBOM is an
// in-toto statement in an attestation manifest beside it. wharf packages
// of the index reads linux/amd64's and says so.
func TestPackagesFromBuildKitAttestations(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 2*time.Minute)
	amd64, err := mutate.AppendLayers(empty.Image, filesLayer(t, map[string]string{"lib/apk/db/installed": apkDB}))
	if err != nil {
		t.Fatal(err)
	}
	arm64, err := mutate.AppendLayers(empty.Image, filesLayer(t, map[string]string{"lib/apk/db/installed": "P:musl\nV:1.2.5-r0\n"}))
	if err != nil {
		t.Fatal(err)
	}
	amdDigest, err := amd64.Digest()
	if err != nil {
		t.Fatal(err)
	}
	statement := `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{"spdxVersion":"SPDX-2.3","packages":[{"name":"musl","versionInfo":"1.2.5-r0","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:apk/alpine/musl@1.2.5-r0"}]},{"name":"tini","versionInfo":"0.19.0-r3","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:apk/alpine/tini@0.19.0-r3"}]}]}}`
	att, err := mutate.AppendLayers(empty.Image, static.NewLayer([]byte(statement), "application/vnd.in-toto+json"))
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}, Annotations: map[string]string{
			"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": amdDigest.String(),
		}}},
	)
	ref, err := name.NewTag(reg.Repo("team/buildkit")+":1.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKER_CONFIG": dockerConfigFor(t, map[*testenv.Registry]string{reg: ""}), "XDG_CONFIG_HOME": t.TempDir()}
	out, err := runWharf(t, env, "packages", ref.String())
	if err != nil || !strings.Contains(flatWords(out), "apk tini 0.19.0-r3") || !strings.Contains(out, "2 packages, from SBOM in the index's BuildKit attestation for linux/amd64 (SPDX, attestation manifest ") ||
		!strings.Contains(out, "these are linux/amd64's packages; name another platform's digest for its own (linux/arm64 ") {
		t.Errorf("packages of a BuildKit index (%v):\n%s", err, out)
	}
}
