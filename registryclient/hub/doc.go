// Package hub reaches Docker Hub through its web API where the registry
// API falls short: repositories and tags (with digests, sizes, push dates)
// listed 100 a page, one tag deleted after logging in with docker's
// credentials, and the pull budget read from a HEAD of Docker's test image.
package hub
