package main

import (
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// In the real binary at 80×24, against registry:2: Details of a tag, f its
// file tree a layer at a time, p its packages (its apk database), v the
// Trivy report attached to it.
func TestInsideTheImageEndToEnd(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	ctx := testenv.Context(t, 2*time.Minute)
	img, err := mutate.AppendLayers(empty.Image,
		filesLayer(t, map[string]string{"lib/apk/db/installed": apkDB, "etc/app.conf": "one"}),
		filesLayer(t, map[string]string{"etc/app.conf": "two!", "srv/index.html": "<html>"}))
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(reg.Repo("team/inside")+":1.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	desc, err := partial.Descriptor(img)
	if err != nil {
		t.Fatal(err)
	}
	report := fixtures.ArtifactSpec{ArtifactType: "application/vnd.aquasec.trivy.report+json", Subject: desc, Files: []fixtures.File{{
		Name: "trivy.json", MediaType: "application/json",
		Data: []byte(`{"SchemaVersion":2,"Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-2024-0001","PkgName":"musl","InstalledVersion":"1.2.5-r0","FixedVersion":"1.2.5-r1","Severity":"HIGH"}]}]}`),
	}}}
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "team/inside", Tags: []string{"trivy-1.0"}, Artifact: &report}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 80, 24, []string{
		"NO_COLOR=1", "DOCKER_HOST=unix:///nonexistent/engine.sock", "DOCKER_CONFIG=" + dockerConfigFor(t, map[*testenv.Registry]string{reg: ""}),
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(),
	})
	s.waitFor("Repositories · 1", "team/inside")
	s.keys("Enter")
	s.waitFor("› team/inside", "1.0")
	s.keys("Enter")
	s.waitFor("› team/inside › 1.0", "media type")
	s.keys("f")
	s.waitFor("Files · ", "layer 1/2", "installed", "app.conf")
	s.keys("]")
	s.waitFor("layer 2/2", "M", "index.html")
	s.keys("Escape")
	s.waitFor("media type")
	s.keys("p")
	s.waitFor("packages (2)", "from apk database", "busybox 1.36.1-r29")
	s.keys("Escape")
	s.waitFor("media type")
	s.keys("v")
	s.waitFor("vulnerabilities 1 high", "CVE-2024-0001")
}
