package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// References are the references of testdata/references.txt: what users
// type, valid and not, that every entry point must read as docker does.
func References(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot(), "testdata", "references.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	unescape := strings.NewReplacer(`\\`, `\`, `\s`, " ", `\t`, "\t")
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, unescape.Replace(line))
	}
	if len(out) < 200 {
		tb.Fatalf("testdata/references.txt has %d references; the conformance tests want at least 200", len(out))
	}
	return out
}
