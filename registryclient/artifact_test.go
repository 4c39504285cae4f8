package registryclient_test

import (
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// Artifacts pushed as helm, oras and an SBOM tool push them are described
// as what they are — a type, files with their titles, what they are about
// — never as an image with a year-1 created time and platform "/".
func TestArtifactsAreNamedForWhatTheyAre(t *testing.T) {
	for _, kind := range []testenv.Kind{testenv.Anonymous, testenv.V3} {
		t.Run(string(kind), func(t *testing.T) {
			reg := testenv.NeedRegistry(t, kind)
			ctx := testCtx(t)
			subject, err := fixtures.SubjectOf(fixtures.App)
			if err != nil {
				t.Fatal(err)
			}
			sbom := fixtures.SBOM
			sbom.Subject = subject
			if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
				{Repo: "artifacts/chart", Tags: []string{"1.0.0"}, Artifact: &fixtures.HelmChart},
				{Repo: "artifacts/notes", Tags: []string{"1"}, Artifact: &fixtures.PlainFile},
				{Repo: "artifacts/app", Tags: []string{"1.0.0"}, Image: &fixtures.App},
				{Repo: "artifacts/app", Tags: []string{"sbom"}, Artifact: &sbom},
			}, reg.RemoteOptions(ctx, "")...); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, registryclient.WithTransport(reg.Transport()), registryclient.WithKeychain(reg.Keychain(testenv.AdminUser)))
			for _, tc := range []struct {
				ref, artifactType, name, file, fileType, subject string
			}{
				{"artifacts/chart:1.0.0", "application/vnd.cncf.helm.config.v1+json", "Helm chart", "app-1.0.0.tgz", "application/vnd.cncf.helm.chart.content.v1.tar+gzip", ""},
				{"artifacts/notes:1", "application/vnd.example.notes.v1", "application/vnd.example.notes.v1", "notes.txt", "text/plain", ""},
				{"artifacts/app:sbom", "application/spdx+json", "SBOM (SPDX)", "sbom.spdx.json", "application/spdx+json", subject.Digest.String()},
			} {
				d, err := c.Describe(ctx, reg.Repo(tc.ref))
				if err != nil {
					t.Fatalf("describe %s: %v", tc.ref, err)
				}
				if !d.IsArtifact() || d.ArtifactType != tc.artifactType || domain.ArtifactName(d.ArtifactType) != tc.name || d.Subject != tc.subject {
					t.Errorf("%s: artifact %q (%s), about %q", tc.ref, d.ArtifactType, domain.ArtifactName(d.ArtifactType), d.Subject)
				}
				if len(d.Layers) != 1 || d.Layers[0].Title != tc.file || d.Layers[0].MediaType != tc.fileType {
					t.Errorf("%s: files %+v", tc.ref, d.Layers)
				}
				if !d.Created.IsZero() || d.PlatformString() != "" || d.IsIndex() {
					t.Errorf("%s: an artifact with created %s, platform %q", tc.ref, d.Created, d.PlatformString())
				}
			}
			img, err := c.Describe(ctx, reg.Repo("artifacts/app:1.0.0"))
			if err != nil || img.IsArtifact() || img.PlatformString() != "linux/amd64" {
				t.Errorf("the image beside them: %q %q %v", img.ArtifactType, img.PlatformString(), err)
			}
		})
	}
}

// name:tag@digest reads the digest, as docker does, and says when the tag
// names another image now, or is gone.
func TestTagAndDigestSayWhereTheTagIs(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	ctx := testCtx(t)
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
		{Repo: "pinned/app", Tags: []string{"1"}, Image: &fixtures.App},
		{Repo: "pinned/app", Tags: []string{"2"}, Image: &fixtures.AppOld},
	}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	app, old := testenv.FixtureDigest(t, fixtures.App), testenv.FixtureDigest(t, fixtures.AppOld)
	c := newClient(t, registryclient.WithTransport(reg.Transport()))
	for ref, note := range map[string]string{
		"pinned/app:2@" + app: "the tag 2 names another image now (" + old + ")",
		"pinned/app:1@" + app: "",
		"pinned/app:9@" + app: "the tag 9 does not exist now",
	} {
		d, err := c.Describe(ctx, reg.Repo(ref))
		if err != nil {
			t.Fatalf("describe %s: %v", ref, err)
		}
		if d.Digest != app {
			t.Errorf("%s read %s, want the digest's image", ref, d.Digest)
		}
		said := strings.Join(d.Notes, "; ")
		if note == "" && said != "" || note != "" && !strings.Contains(said, note) {
			t.Errorf("%s: notes %q, want %q", ref, said, note)
		}
	}
}
