// Package gar reaches Google Artifact Registry (*-docker.pkg.dev) through
// its REST API: a project's repositories and images, tags with digests,
// sizes and upload times, one tag deleted; a token from the gcloud helper
// or application default credentials.
package gar
