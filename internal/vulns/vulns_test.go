package vulns_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/vulns"
)

// Reports in the shapes the scanners write.
const (
	trivyJSON = `{"SchemaVersion":2,"ArtifactName":"app:1","Results":[{"Target":"app:1 (alpine 3.19.1)","Class":"os-pkgs","Vulnerabilities":[
	  {"VulnerabilityID":"CVE-2024-0001","PkgName":"openssl","InstalledVersion":"3.1.4-r5","FixedVersion":"3.1.4-r6","Severity":"CRITICAL"},
	  {"VulnerabilityID":"CVE-2024-0002","PkgName":"busybox","InstalledVersion":"1.36.1-r15","FixedVersion":"","Severity":"MEDIUM"}]},
	  {"Target":"usr/bin/app","Class":"lang-pkgs","Vulnerabilities":[{"VulnerabilityID":"GHSA-xxxx","PkgName":"golang.org/x/net","InstalledVersion":"v0.17.0","FixedVersion":"0.23.0","Severity":"HIGH"}]}]}`
	grypeJSON = `{"matches":[{"vulnerability":{"id":"CVE-2024-0001","severity":"Critical","fix":{"versions":["3.1.4-r6"],"state":"fixed"}},"artifact":{"name":"openssl","version":"3.1.4-r5","type":"apk"}},
	  {"vulnerability":{"id":"CVE-2023-9999","severity":"Negligible","fix":{"versions":[],"state":"not-fixed"}},"artifact":{"name":"zlib","version":"1.3-r2","type":"apk"}}]}`
	sarifJSON = `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Trivy","rules":[{"id":"CVE-2024-0001","properties":{"security-severity":"9.8"}}]}},
	  "results":[{"ruleId":"CVE-2024-0001","level":"error","message":{"text":"Package: openssl\nInstalled Version: 3.1.4-r5\nVulnerability CVE-2024-0001\nSeverity: CRITICAL\nFixed Version: 3.1.4-r6"}}]}]}`
)

func TestParseEachScannersReport(t *testing.T) {
	statement := `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://cosign.sigstore.dev/attestation/vuln/v1","predicate":{"invocation":{},"scanner":{"uri":"pkg:github/aquasecurity/trivy@0.50.0","result":` + trivyJSON + `}}}`
	envelope := `{"payloadType":"application/vnd.in-toto+json","payload":"` + base64.StdEncoding.EncodeToString([]byte(statement)) + `"}`
	for _, tc := range []struct{ name, doc, scanner, summary, worst string }{
		{"trivy", trivyJSON, "Trivy", "1 critical, 1 high, 1 medium", "critical CVE-2024-0001 openssl 3.1.4-r5 → 3.1.4-r6"},
		{"grype", grypeJSON, "Grype", "1 critical, 1 low", "critical CVE-2024-0001 openssl 3.1.4-r5 → 3.1.4-r6"},
		{"sarif", sarifJSON, "Trivy", "1 critical", "critical CVE-2024-0001 openssl 3.1.4-r5 → 3.1.4-r6"},
		{"cosign vuln attestation", envelope, "Trivy", "1 critical, 1 high, 1 medium", "critical CVE-2024-0001 openssl 3.1.4-r5 → 3.1.4-r6"},
	} {
		r, err := vulns.Parse([]byte(tc.doc))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		w := r.Worst(1)[0]
		if r.Scanner != tc.scanner || r.Summary() != tc.summary || fmt.Sprintf("%s %s %s %s → %s", w.Severity, w.ID, w.Package, w.Installed, w.Fixed) != tc.worst {
			t.Errorf("%s: %s %q, worst %+v", tc.name, r.Scanner, r.Summary(), w)
		}
	}
	if _, err := vulns.Parse([]byte(`{"spdxVersion":"SPDX-2.3"}`)); err == nil {
		t.Error("an SBOM was read as a vulnerability report")
	}
}

func TestDiffSaysWhatWasFixedAndWhatIsNew(t *testing.T) {
	a, _ := vulns.Parse([]byte(trivyJSON))
	b, _ := vulns.Parse([]byte(grypeJSON))
	var got []string
	for _, c := range vulns.Diff(a, b) {
		got = append(got, c.Change+" "+c.ID)
	}
	if strings.Join(got, ", ") != "fixed GHSA-xxxx, fixed CVE-2024-0002, new CVE-2023-9999" {
		t.Errorf("diff: %v", got)
	}
}
