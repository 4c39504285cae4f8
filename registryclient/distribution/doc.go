// Package distribution is the provider of registries that speak the
// distribution API and nothing else (registry:2, distribution v3, Harbor,
// Zot, the clouds' registries for what the API covers), and the base every
// other kind embeds: Distribution, and OwnAPI for the kinds that speak
// their registry's own API. It also holds the kinds that are distribution
// with a name and a hint (gcr.io, GitLab).
package distribution
