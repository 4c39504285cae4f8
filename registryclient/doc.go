// Package registryclient is everything wharf does with remote registries,
// built on go-containerregistry: reaching a registry (/v2/ ping, auth kind,
// TLS), and turning what registries answer into typed errors a user can act
// on. Callers match errors with errors.Is against the sentinels in errors.go
// and show Error() to people: it names the registry and what to do next, and
// never contains a credential, token or Authorization header.
//
// It also changes registries safely: Retag and Copy refuse to move a tag
// that points at another image unless told to overwrite; DeleteTag removes
// exactly one tag and spares the tags that share its digest; DeleteDigest
// runs only with the full list of the tags it takes. Each change is written
// to a Journal first, and Undo puts back what it replaced or deleted.
//
// It does not import any TUI package and does not talk to the Docker engine
// (that is localcache).
package registryclient
