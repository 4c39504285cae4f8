package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wharf-dev/wharf/internal/fixtures"
)

// Context returns a context that ends after d or with the test.
func Context(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}

// Ref parses a reference or fails the test.
func Ref(tb testing.TB, s string) name.Reference {
	tb.Helper()
	ref, err := name.ParseReference(s)
	if err != nil {
		tb.Fatal(err)
	}
	return ref
}

// RefNoT parses a reference that is known to be valid (built by the test
// environment itself); it panics otherwise.
func RefNoT(s string) name.Reference {
	ref, err := name.ParseReference(s)
	if err != nil {
		panic(err)
	}
	return ref
}

// FixtureDigest is the manifest digest of the fixture image s describes.
func FixtureDigest(tb testing.TB, s fixtures.Spec) string {
	tb.Helper()
	d, err := fixtures.Digest(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
