package testenv

import (
	"os"
	"strconv"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true), where a missing
// engine or registry is a failure rather than a reason to skip.
func InCI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

// unavailable stops a test that needs a part that could not start: a failure in
// CI, a skip with the reason and the way to enable it elsewhere.
func unavailable(tb testing.TB, what string, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	msg := what + " is not available: " + err.Error() +
		" (run `make test` as root: it installs docker.io and docker-registry and builds distribution v3)"
	if InCI() {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// skipIfShort skips integration tests under `go test -short` (`make unit`).
func skipIfShort(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("integration test: needs the private engine or registries; run `make test`")
	}
}
