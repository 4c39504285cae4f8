// Package ref reads image references the way docker does: one grammar
// (github.com/distribution/reference, docker's own), one normalisation
// (docker.io/library/…), and docker's words when a reference is refused.
// Every input of wharf — CLI arguments, the app's prompts, the config, the
// journal — is read here; the clients build their own types from what it
// parsed and never parse a reference on their own.
package ref

import (
	"errors"
	"fmt"
	"strings"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// ErrInvalid is the kind of every reference docker would refuse.
var ErrInvalid = errors.New("invalid reference")

// Error is a reference docker would refuse, with docker's reason.
type Error struct {
	Input  string
	Reason string
}

func (e *Error) Error() string {
	if e.Input == "" {
		return e.Reason
	}
	return fmt.Sprintf("%q: %s", e.Input, e.Reason)
}

// Is makes every Error an ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// invalid is err in docker's own words (docker prints the grammar's
// message as it is).
func invalid(input string, err error) error {
	return &Error{Input: input, Reason: err.Error()}
}

// Reference is a reference as docker reads it: a repository, with a tag,
// a digest, both, or neither.
type Reference struct {
	named reference.Named
}

// Parse reads s as `docker pull` does (name[:tag][@digest]); no tag is
// added.
func Parse(s string) (Reference, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return Reference{}, invalid(s, err)
	}
	if reference.Domain(named) == "" {
		// docker's grammar reads a first part that looks like a host but
		// is not one (bad_host.com/app) as part of the path, leaving no
		// registry to ask: docker cannot pull it either.
		first, _, _ := strings.Cut(s, "/")
		return Reference{}, &Error{Input: s, Reason: "invalid reference format: " + first + " is not a valid registry host"}
	}
	return Reference{named: named}, nil
}

// ParseRepository reads s as a repository: a name with neither tag nor
// digest.
func ParseRepository(s string) (Reference, error) {
	r, err := Parse(s)
	if err != nil {
		return r, err
	}
	if r.Tag() != "" || r.Digest() != "" {
		return Reference{}, &Error{Input: s, Reason: "a repository, without a tag or digest, is wanted here"}
	}
	return r, nil
}

// ParseTagged reads s as a reference that names one tag (a write's
// target): a tag is required and a digest refused.
func ParseTagged(s string) (Reference, error) {
	r, err := Parse(s)
	if err != nil {
		return r, err
	}
	switch {
	case r.Digest() != "":
		return Reference{}, &Error{Input: s, Reason: "a tag is named by name:tag, without a digest"}
	case r.Tag() == "":
		return Reference{}, &Error{Input: s, Reason: "name the tag, e.g. " + r.Repository() + ":1.0"}
	}
	return r, nil
}

// CheckTag says what is wrong with a tag, in docker's words (nil: nothing).
func CheckTag(tag string) error {
	if tag == "" {
		return &Error{Reason: "a tag cannot be empty"}
	}
	if _, err := reference.WithTag(placeholderName, tag); err != nil {
		return &Error{Input: tag, Reason: "invalid reference format: a tag is letters, digits, _ . and -, at most 128 of them, not starting with . or -"}
	}
	return nil
}

// placeholderName is a valid name to check tags against.
var placeholderName, _ = reference.WithName("x")

// CheckHost says what is wrong with a registry host (host[:port], an IP,
// [IPv6]:port).
func CheckHost(host string) error {
	if host == "index.docker.io" {
		return nil
	}
	r, err := Parse(host + "/x")
	switch {
	case err != nil || strings.Contains(host, "/"):
		return &Error{Input: host, Reason: "not a registry host (host[:port])"}
	case r.Domain() != host:
		return &Error{Input: host, Reason: "docker reads " + host + "/… as a Docker Hub namespace: give the registry a port (" + host + ":5000) or a domain name"}
	}
	return nil
}

// Domain is the registry (docker.io for Docker Hub).
func (r Reference) Domain() string { return reference.Domain(r.named) }

// Path is the repository within the registry (library/alpine).
func (r Reference) Path() string { return reference.Path(r.named) }

// Repository is domain/path.
func (r Reference) Repository() string { return r.named.Name() }

// Tag is the tag, if the reference names one.
func (r Reference) Tag() string {
	if t, ok := r.named.(reference.Tagged); ok {
		return t.Tag()
	}
	return ""
}

// Digest is the digest, if the reference names one.
func (r Reference) Digest() string {
	if d, ok := r.named.(reference.Digested); ok {
		return d.Digest().String()
	}
	return ""
}

// Ambiguous reports a reference with both a tag and a digest: the digest
// decides what is read, and the tag may name another image by now.
func (r Reference) Ambiguous() bool { return r.Tag() != "" && r.Digest() != "" }

// IsZero reports the zero Reference.
func (r Reference) IsZero() bool { return r.named == nil }

// String is the full, normalised reference (docker.io/library/alpine:3).
func (r Reference) String() string {
	if r.named == nil {
		return ""
	}
	return r.named.String()
}

// Familiar is the reference as docker shows it (alpine:3).
func (r Reference) Familiar() string { return reference.FamiliarString(r.named) }

// WithTag is the repository with tag (any digest dropped).
func (r Reference) WithTag(tag string) (Reference, error) {
	t, err := reference.WithTag(reference.TrimNamed(r.named), tag)
	if err != nil {
		return Reference{}, invalid(tag, err)
	}
	return Reference{named: t}, nil
}

// WithDigest is the repository at digest (any tag dropped).
func (r Reference) WithDigest(d string) (Reference, error) {
	dg, err := digest.Parse(d)
	if err != nil {
		return Reference{}, invalid(d, err)
	}
	c, err := reference.WithDigest(reference.TrimNamed(r.named), dg)
	if err != nil {
		return Reference{}, invalid(d, err)
	}
	return Reference{named: c}, nil
}

// Pinned is what a read fetches: the repository at the digest when there
// is one (docker's rule: the digest decides), else the reference itself.
func (r Reference) Pinned() Reference {
	if d := r.Digest(); d != "" && r.Tag() != "" {
		p, _ := r.WithDigest(d)
		return p
	}
	return r
}

// CheckImage says what is wrong with a reference to read or pull (any
// docker accepts: name, name:tag, name@digest, name:tag@digest).
func CheckImage(s string) error {
	if strings.TrimSpace(s) == "" {
		return &Error{Reason: "give an image, e.g. team/app:1.0 or team/app@sha256:…"}
	}
	_, err := Parse(s)
	return err
}

// CheckTarget says what is wrong with a reference to tag an image as
// (docker tag's target: no digest; no tag means latest).
func CheckTarget(s string) error {
	if strings.TrimSpace(s) == "" {
		return &Error{Reason: "give a name, e.g. team/app:1.0"}
	}
	r, err := Parse(s)
	if err == nil && r.Digest() != "" {
		return &Error{Input: s, Reason: "a tag is named by name:tag; a digest cannot be a tag"}
	}
	return err
}

// CheckDestination says what is wrong with where to copy an image in a
// registry: a repository or repository:tag whose registry is named (a
// bare team/app would mean Docker Hub: write docker.io/team/app for it).
func CheckDestination(s string) error {
	if err := CheckTarget(s); err != nil {
		return err
	}
	if !Explicit(s) {
		return &Error{Input: s, Reason: "name the registry, e.g. registry.example.com/team/app (docker.io/team/app for Docker Hub)"}
	}
	return nil
}

// Explicit reports whether s names its registry, rather than meaning
// Docker Hub by default.
func Explicit(s string) bool {
	first, _, ok := strings.Cut(s, "/")
	if !ok {
		return false
	}
	r, err := Parse(s)
	return err == nil && (r.Domain() == first || first == "index.docker.io")
}

// Latest is r with the tag latest when it names neither a tag nor a
// digest (what docker pulls for a bare name).
func (r Reference) Latest() Reference {
	if r.Tag() != "" || r.Digest() != "" {
		return r
	}
	t, _ := r.WithTag("latest")
	return t
}

// FamiliarName is the repository as docker shows it (alpine, team/app,
// ghcr.io/o/app).
func (r Reference) FamiliarName() string { return reference.FamiliarName(r.named) }
