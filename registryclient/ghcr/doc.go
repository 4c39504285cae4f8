// Package ghcr reaches GitHub Container Registry through GitHub's packages
// API where the registry API falls short: a user's or organisation's
// container packages listed, and one tag deleted without its package
// version's other tags (through a placeholder version when it has some).
package ghcr
