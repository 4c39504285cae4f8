// Package registryclient is everything wharf does with remote registries,
// built on go-containerregistry: reaching a registry (/v2/ ping, auth kind,
// TLS), and turning what registries answer into typed errors a user can act
// on. Callers match errors with errors.Is against the sentinels in errors.go
// and show Error() to people: it names the registry and what to do next, and
// never contains a credential, token or Authorization header.
//
// It does not import any TUI package and does not talk to the Docker engine
// (that is localcache).
package registryclient
