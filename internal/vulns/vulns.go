// Package vulns reads the vulnerability reports a pipeline attached to an
// image — Trivy's and Grype's JSON, SARIF, and cosign's vuln attestation
// wrapping any of them — and summarises them: counts by severity, the
// worst findings, the versions that fix them, and what changed between two
// images' reports. wharf never downloads a vulnerability database: what is
// not attached is not known.
package vulns

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/wharf-dev/wharf/internal/intoto"
)

// Severities are the severities a finding has, worst first.
var Severities = []string{"critical", "high", "medium", "low", "unknown"}

// Finding is one vulnerability in one package.
type Finding struct {
	ID        string `json:"id"`
	Package   string `json:"package"`
	Installed string `json:"installed,omitempty"`
	// Fixed is the version that fixes it ("" when none is known).
	Fixed    string `json:"fixed,omitempty"`
	Severity string `json:"severity"`
}

// Report is a scanner's findings for one image.
type Report struct {
	// Scanner is who wrote it ("Trivy", "Grype", a SARIF tool's name);
	// From where it was found ("attestation sha256:…").
	Scanner  string    `json:"scanner"`
	From     string    `json:"from,omitempty"`
	Findings []Finding `json:"findings"`
}

// Counts are the findings by severity.
func (r Report) Counts() map[string]int {
	c := map[string]int{}
	for _, f := range r.Findings {
		c[f.Severity]++
	}
	return c
}

// Summary is "2 critical, 5 high, 1 medium" (severities with none left out;
// "no findings" for none).
func (r Report) Summary() string {
	c := r.Counts()
	var parts []string
	for _, s := range Severities {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

// Worst are the findings worst first (then by ID), at most n.
func (r Report) Worst(n int) []Finding {
	fs := slices.Clone(r.Findings)
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if d := rank(a.Severity) - rank(b.Severity); d != 0 {
			return d
		}
		return strings.Compare(a.ID+a.Package, b.ID+b.Package)
	})
	return fs[:min(n, len(fs))]
}

func rank(s string) int {
	if i := slices.Index(Severities, s); i >= 0 {
		return i
	}
	return len(Severities)
}

// Severity is a scanner's severity word as one of Severities.
func Severity(s string) string { return severity(s) }

func severity(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "critical", "high", "medium", "low":
		return s
	case "negligible", "info", "note", "none":
		return "low"
	case "moderate", "warning":
		return "medium"
	case "error":
		return "high"
	}
	return "unknown"
}

// Parse reads a report: Trivy or Grype JSON, SARIF, or any of them in a
// DSSE envelope / in-toto statement (cosign attest --type vuln). An error
// says it is none of them.
func Parse(b []byte) (Report, error) {
	b = unwrap(b)
	var probe struct {
		SchemaVersion json.RawMessage `json:"SchemaVersion"`
		Results       json.RawMessage `json:"Results"`
		Matches       json.RawMessage `json:"matches"`
		Runs          json.RawMessage `json:"runs"`
		Version       string          `json:"version"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return Report{}, fmt.Errorf("not a JSON vulnerability report: %w", err)
	}
	switch {
	case probe.Results != nil || probe.SchemaVersion != nil:
		return trivy(b)
	case probe.Matches != nil:
		return grype(b)
	case probe.Runs != nil:
		return sarif(b)
	}
	return Report{}, fmt.Errorf("not a vulnerability report wharf reads (Trivy, Grype, SARIF)")
}

// unwrap takes a report out of a DSSE envelope and an in-toto statement;
// cosign's vuln predicate keeps the scanner's output under scanner.result.
func unwrap(b []byte) []byte {
	pred, typ := intoto.Open(b)
	if typ == "" {
		return b
	}
	var vuln struct {
		Scanner struct {
			Result json.RawMessage `json:"result"`
		} `json:"scanner"`
	}
	if json.Unmarshal(pred, &vuln) == nil && len(vuln.Scanner.Result) > 0 {
		return vuln.Scanner.Result
	}
	return pred
}

func trivy(b []byte) (Report, error) {
	var doc struct {
		Results []struct {
			Vulnerabilities []struct {
				VulnerabilityID  string
				PkgName          string
				InstalledVersion string
				FixedVersion     string
				Severity         string
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return Report{}, fmt.Errorf("reading Trivy's report: %w", err)
	}
	r := Report{Scanner: "Trivy"}
	for _, res := range doc.Results {
		for _, v := range res.Vulnerabilities {
			r.Findings = append(r.Findings, Finding{ID: v.VulnerabilityID, Package: v.PkgName, Installed: v.InstalledVersion, Fixed: v.FixedVersion, Severity: severity(v.Severity)})
		}
	}
	return r, nil
}

func grype(b []byte) (Report, error) {
	var doc struct {
		Matches []struct {
			Vulnerability struct {
				ID       string `json:"id"`
				Severity string `json:"severity"`
				Fix      struct {
					Versions []string `json:"versions"`
				} `json:"fix"`
			} `json:"vulnerability"`
			Artifact struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"artifact"`
		} `json:"matches"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return Report{}, fmt.Errorf("reading Grype's report: %w", err)
	}
	r := Report{Scanner: "Grype"}
	for _, m := range doc.Matches {
		r.Findings = append(r.Findings, Finding{
			ID: m.Vulnerability.ID, Package: m.Artifact.Name, Installed: m.Artifact.Version,
			Fixed: strings.Join(m.Vulnerability.Fix.Versions, ", "), Severity: severity(m.Vulnerability.Severity),
		})
	}
	return r, nil
}

func sarif(b []byte) (Report, error) {
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID         string `json:"id"`
						Properties struct {
							SecuritySeverity string   `json:"security-severity"`
							Tags             []string `json:"tags"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return Report{}, fmt.Errorf("reading SARIF: %w", err)
	}
	var r Report
	for _, run := range doc.Runs {
		r.Scanner = run.Tool.Driver.Name
		scores := map[string]string{}
		for _, rule := range run.Tool.Driver.Rules {
			scores[rule.ID] = rule.Properties.SecuritySeverity
		}
		for _, res := range run.Results {
			sev := severity(res.Level)
			if s := scores[res.RuleID]; s != "" {
				sev = cvss(s)
			}
			pkg, installed, fixed := sarifMessage(res.Message.Text)
			r.Findings = append(r.Findings, Finding{ID: res.RuleID, Package: pkg, Installed: installed, Fixed: fixed, Severity: sev})
		}
	}
	return r, nil
}

// cvss is a CVSS score's severity band.
func cvss(score string) string {
	var f float64
	if _, err := fmt.Sscan(score, &f); err != nil {
		return "unknown"
	}
	switch {
	case f >= 9:
		return "critical"
	case f >= 7:
		return "high"
	case f >= 4:
		return "medium"
	case f > 0:
		return "low"
	}
	return "unknown"
}

// sarifMessage reads what Trivy's and Grype's SARIF messages say of the
// package: "Package: x\nInstalled Version: y\n…Fixed Version: z".
func sarifMessage(text string) (pkg, installed, fixed string) {
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "Package":
			pkg = strings.TrimSpace(v)
		case "Installed Version":
			installed = strings.TrimSpace(v)
		case "Fixed Version":
			fixed = strings.TrimSpace(v)
		}
	}
	return pkg, installed, fixed
}

// Change is a finding only one of two images has.
type Change struct {
	Finding
	// Change is "fixed" (in the first image, not the second) or "new".
	Change string `json:"change"`
}

// Diff is what the second report fixed and what it brought, worst first.
func Diff(a, b Report) []Change {
	key := func(f Finding) string { return f.ID + "\x00" + f.Package }
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, f := range a.Findings {
		inA[key(f)] = true
	}
	for _, f := range b.Findings {
		inB[key(f)] = true
	}
	var out []Change
	for _, f := range a.Worst(len(a.Findings)) {
		if !inB[key(f)] {
			out = append(out, Change{Finding: f, Change: "fixed"})
		}
	}
	for _, f := range b.Worst(len(b.Findings)) {
		if !inA[key(f)] {
			out = append(out, Change{Finding: f, Change: "new"})
		}
	}
	return out
}
