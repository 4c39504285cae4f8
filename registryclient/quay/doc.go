// Package quay reaches Quay (quay.io, or a self-hosted one named by
// provider: quay) through its /api/v1 with the OAuth token docker login
// takes as $oauthtoken: repositories, tags with digests and sizes, one tag
// deleted; with a robot's password, the distribution way.
package quay
