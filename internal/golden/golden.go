// Package golden compares what a view renders with a golden file in the
// test's testdata directory, and rewrites the files under -update
// (`make golden`, which runs every package whose tests import this one).
// Goldens are reviewed like code: `git diff '*.golden'` after an update.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files (make golden)")

// Updating reports whether the test run rewrites golden files.
func Updating() bool { return *update }

// Assert compares got with testdata/name.golden; under -update it writes
// got there instead.
func Assert(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `make golden` to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run `make golden` and review the diff)\n--- got:\n%s\n--- want:\n%s", name, got, want)
	}
}
