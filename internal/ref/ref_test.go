package ref_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/distribution/reference"

	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// docker is docker's own verdict on s, and its normalisation. A name
// whose first part looks like a host but is not one (bad_host.com/app)
// parses with no registry at all, which nothing can pull: refused.
func docker(s string) (reference.Named, error) {
	n, err := reference.ParseNormalizedNamed(s)
	if err == nil && reference.Domain(n) == "" {
		first, _, _ := strings.Cut(s, "/")
		return nil, errors.New("invalid reference format: " + first + " is not a valid registry host")
	}
	return n, err
}

func dockerTag(n reference.Named) string {
	if t, ok := n.(reference.Tagged); ok {
		return t.Tag()
	}
	return ""
}

func dockerDigest(n reference.Named) string {
	if d, ok := n.(reference.Digested); ok {
		return d.Digest().String()
	}
	return ""
}

// Every reference of the corpus gets docker's verdict, docker's
// normalisation and docker's words, from each of ref's readers.
func TestReadsEveryReferenceAsDockerDoes(t *testing.T) {
	for _, s := range testenv.References(t) {
		want, derr := docker(s)
		got, err := ref.Parse(s)
		if (err == nil) != (derr == nil) {
			t.Errorf("Parse(%q): %v; docker: %v", s, err, derr)
			continue
		}
		if err != nil {
			var e *ref.Error
			if !errors.As(err, &e) || e.Reason != derr.Error() || !errors.Is(err, ref.ErrInvalid) {
				t.Errorf("Parse(%q) says %q; docker says %q", s, err, derr)
			}
		} else if got.String() != want.String() || got.Domain() != reference.Domain(want) || got.Path() != reference.Path(want) ||
			got.Tag() != dockerTag(want) || got.Digest() != dockerDigest(want) || got.Familiar() != reference.FamiliarString(want) {
			t.Errorf("Parse(%q) = %s (%s | %s | %s | %s); docker: %s", s, got, got.Domain(), got.Path(), got.Tag(), got.Digest(), want)
		}
		valid := derr == nil
		hasDigest := valid && dockerDigest(want) != ""
		nameOnly := valid && reference.IsNameOnly(want)
		checks := []struct {
			what string
			err  error
			ok   bool
		}{
			{"CheckImage", ref.CheckImage(s), valid && strings.TrimSpace(s) != ""},
			{"CheckTarget", ref.CheckTarget(s), valid && !hasDigest},
			{"CheckDestination", ref.CheckDestination(s), valid && !hasDigest && explicit(s, want)},
			{"ParseRepository", second(ref.ParseRepository(s)), nameOnly},
			{"ParseTagged", second(ref.ParseTagged(s)), valid && !hasDigest && dockerTag(want) != ""},
		}
		for _, c := range checks {
			if (c.err == nil) != c.ok {
				t.Errorf("%s(%q): %v, want ok=%v (docker: %v)", c.what, s, c.err, c.ok, derr)
			}
			if c.err != nil && !errors.Is(c.err, ref.ErrInvalid) {
				t.Errorf("%s(%q): %v is not an ErrInvalid", c.what, s, c.err)
			}
		}
		if _, terr := reference.WithTag(mustName(t), s); (ref.CheckTag(s) == nil) != (terr == nil) {
			t.Errorf("CheckTag(%q): %v; docker: %v", s, ref.CheckTag(s), terr)
		}
	}
}

// explicit: the input names its registry (docker did not default it).
func explicit(s string, n reference.Named) bool {
	first, _, ok := strings.Cut(s, "/")
	return ok && (first == reference.Domain(n) || first == "index.docker.io")
}

func second(_ ref.Reference, err error) error { return err }

func mustName(t *testing.T) reference.Named {
	n, err := reference.WithName("x")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// name:tag@digest: the digest decides what is read, as docker; the
// reference says it is ambiguous, and Pinned drops the tag.
func TestTagAndDigest(t *testing.T) {
	d := "sha256:" + strings.Repeat("ab", 32)
	r, err := ref.Parse("registry.example.com/team/app:2.0@" + d)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Ambiguous() || r.Tag() != "2.0" || r.Digest() != d || r.Pinned().String() != "registry.example.com/team/app@"+d {
		t.Errorf("%s: ambiguous=%v tag=%s digest=%s pinned=%s", r, r.Ambiguous(), r.Tag(), r.Digest(), r.Pinned())
	}
	if _, err := ref.ParseTagged("registry.example.com/team/app:2.0@" + d); !errors.Is(err, ref.ErrInvalid) {
		t.Errorf("a write target with a digest: %v", err)
	}
}

// Hosts in the config: what docker can address as a registry.
func TestCheckHost(t *testing.T) {
	for host, ok := range map[string]bool{
		"registry.example.com": true, "registry.example.com:5000": true, "localhost": true, "localhost:5000": true,
		"10.0.0.5:5000": true, "[::1]:5000": true, "LOCALDOMAIN": true, "docker.io": true, "index.docker.io": true,
		"myregistry": false, "ghcr.io/team": false, "not a host!": false, "": false, "https://r.example": false,
	} {
		if err := ref.CheckHost(host); (err == nil) != ok {
			t.Errorf("CheckHost(%q): %v, want ok=%v", host, err, ok)
		}
	}
}
