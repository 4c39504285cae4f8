package testenv

import (
	"path/filepath"
	"testing"
)

// NeedDive finds the dive binary install-deps.sh builds (or $WHARF_DIVE):
// the tool wharf's wasted-space numbers are checked against.
func NeedDive(tb testing.TB) string {
	tb.Helper()
	skipIfShort(tb)
	bin, err := lookBinary("WHARF_DIVE", filepath.Join(moduleRoot(), ".tools", "bin", "dive"), "dive")
	if err != nil {
		unavailable(tb, "dive", err)
	}
	return bin
}
