// Package acr reaches Azure Container Registry (*.azurecr.io) through its
// /acr/v1 API where the registry API falls short: an OAuth2 token from
// docker's credentials or az acr login, paged catalog, tags with digests,
// sizes and locks, one tag deleted, locked tags refused up front.
package acr
