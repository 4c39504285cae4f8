// Package localcache is wharf's view of the local Docker engine's image
// cache, on github.com/moby/moby/client: which engine to talk to (DOCKER_HOST,
// DOCKER_CONTEXT, the docker CLI's current context) and whether it answers.
//
// It does not import any TUI package and does not talk to registries
// directly (that is registryclient); errors an engine returns are typed so
// callers can say what to do.
//
// The name is the layout's (the engine's image cache, the local side of
// the app): this is the engine's client, not a cache of wharf's — that is
// registryclient.DiskCache, what was read of registries.
package localcache
