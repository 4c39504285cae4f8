// Package testenv starts the real parts wharf's tests talk to: a private
// Docker engine (never the user's), registry:2 from Debian's docker-registry
// in four variants (anonymous, htpasswd, TLS with a generated CA, token auth
// with an in-process token server), distribution v3, and go-containerregistry's
// in-process registry. It also builds the fixture images those tests use.
//
// Everything is started lazily, at most once per test binary, and torn down by
// Main, which a package's TestMain calls. When a part cannot start, Require
// fails the test under CI=true and skips it elsewhere with a reason that says
// how to enable it. The package is for tests and `make demo`; the product never
// imports it.
package testenv
