package registryclient_test

import (
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// An OCI 1.1 referrer is found through the referrers API (in-process
// registry) or its tag schema (registry:2 2.8, which has no API); a
// cosign-style .sig tag is found on both.
func TestReferrers(t *testing.T) {
	for name, target := range map[string]func(t *testing.T) (host string, opts []remote.Option){
		"inprocess": func(t *testing.T) (string, []remote.Option) { return testenv.InProcess(t), nil },
		"registry2.8": func(t *testing.T) (string, []remote.Option) {
			r := testenv.NeedRegistry(t, testenv.Anonymous)
			return r.Host, r.RemoteOptions(testCtx(t), "")
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			host, opts := target(t)
			opts = append(opts, remote.WithContext(ctx))
			app, _ := fixtures.Image(fixtures.App)
			subjectRef := testenv.Ref(t, host+"/it/signed:1")
			if err := remote.Push(subjectRef, app, opts...); err != nil {
				t.Fatal(err)
			}
			digest, _ := app.Digest()
			size, _ := app.Size()
			mt, _ := app.MediaType()

			sbom := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), "application/spdx+json")
			sbom = mutate.Subject(sbom, v1.Descriptor{MediaType: mt, Digest: digest, Size: size}).(v1.Image)
			sbomDigest, _ := sbom.Digest()
			if err := remote.Push(testenv.Ref(t, host+"/it/signed@"+sbomDigest.String()), sbom, opts...); err != nil {
				t.Fatal(err)
			}
			sig, _ := random.Image(64, 1)
			sigTag := strings.Replace(digest.String(), ":", "-", 1) + ".sig"
			if err := remote.Push(testenv.Ref(t, host+"/it/signed:"+sigTag), sig, opts...); err != nil {
				t.Fatal(err)
			}

			refs, err := newClient(t).Referrers(ctx, host+"/it/signed:1")
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, r := range refs {
				kinds = append(kinds, r.Kind)
				if r.Kind == "sbom" && (r.Digest != sbomDigest.String() || r.ArtifactType != "application/spdx+json") {
					t.Errorf("sbom referrer %+v", r)
				}
				if r.Kind == "signature" && r.Tag != sigTag {
					t.Errorf("signature referrer %+v", r)
				}
			}
			slices.Sort(kinds)
			if !slices.Equal(kinds, []string{"sbom", "signature"}) {
				t.Errorf("referrers %+v", refs)
			}
		})
	}
}

func TestCosignSubject(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	if d, kind, ok := registryclient.CosignSubject("sha256-" + hex + ".att"); !ok || d != "sha256:"+hex || kind != "attestation" {
		t.Errorf("att tag: %s %s %v", d, kind, ok)
	}
	// The referrers tag schema's fallback tag is an image's companion too.
	if d, kind, ok := registryclient.CosignSubject("sha256-" + hex); !ok || d != "sha256:"+hex || kind != "referrers" {
		t.Errorf("referrers fallback tag: %s %s %v", d, kind, ok)
	}
	for _, tag := range []string{"latest", "sha256-" + hex[:60], "sha256-xyz.sig", "sha-" + hex + ".sig", "sha256-" + hex + ".txt"} {
		if _, _, ok := registryclient.CosignSubject(tag); ok {
			t.Errorf("%q taken for a cosign tag", tag)
		}
	}
}
