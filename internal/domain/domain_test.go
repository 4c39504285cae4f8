package domain_test

import (
	"testing"

	"github.com/wharf-dev/wharf/internal/domain"
)

func TestArtifactNames(t *testing.T) {
	for mt, want := range map[string]string{
		"application/vnd.cncf.helm.config.v1+json":            "Helm chart",
		"application/vnd.dev.cosign.simplesigning.v1+json":    "cosign signature",
		"application/vnd.dev.sigstore.bundle.v0.3+json":       "Sigstore bundle",
		"application/vnd.cncf.notary.signature":               "Notation signature",
		"application/spdx+json":                               "SBOM (SPDX)",
		"application/vnd.cyclonedx+json":                      "SBOM (CycloneDX)",
		"application/vnd.in-toto+json":                        "in-toto attestation",
		"application/vnd.wasm.config.v0+json":                 "WASM module",
		"application/vnd.example.notes.v1":                    "application/vnd.example.notes.v1",
		"application/vnd.cncf.helm.config.v1+json; charset=x": "Helm chart",
	} {
		if got := domain.ArtifactName(mt); got != want {
			t.Errorf("ArtifactName(%q) = %q, want %q", mt, got, want)
		}
	}
	if got := domain.ArtifactLabel("application/spdx+json"); got != "SBOM (SPDX) (application/spdx+json)" {
		t.Errorf("label %q", got)
	}
	if got := (domain.Platform{}).String(); got != "" {
		t.Errorf("no platform reads %q", got)
	}
}
