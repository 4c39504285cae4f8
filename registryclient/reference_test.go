package registryclient_test

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// countingTransport counts what would have gone out, and sends nothing.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("no network in this test")
}

// The client reads every reference of the corpus as docker does (ref,
// whose own test holds it to docker's grammar): same verdict, same
// registry, repository and tag or digest (the digest when both are given;
// latest for a bare name).
func TestClientReadsReferencesAsDockerDoes(t *testing.T) {
	c, err := registryclient.New(registryclient.WithTransport(&countingTransport{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range testenv.References(t) {
		want, werr := ref.Parse(s)
		host, repo, id, err := registryclient.ParsedReference(c, s)
		if (err == nil) != (werr == nil) {
			t.Errorf("reference %q: %v; docker: %v", s, err, werr)
			continue
		}
		if err == nil {
			wantID := want.Digest()
			if wantID == "" {
				wantID = cmpOr(want.Tag(), "latest")
			}
			if config.NormalizeHost(host) != config.NormalizeHost(want.Domain()) || repo != want.Path() || id != wantID {
				t.Errorf("reference %q read as %s / %s / %s; docker: %s / %s / %s", s, host, repo, id, want.Domain(), want.Path(), wantID)
			}
		}
		_, wrerr := ref.ParseRepository(s)
		if _, repo, err := registryclient.ParsedRepository(c, s); (err == nil) != (wrerr == nil) || err == nil && repo != want.Path() {
			t.Errorf("repository %q: %s %v; docker: %v", s, repo, err, wrerr)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// An invalid reference is refused, as an invalid reference, by every
// reading and writing call, before a single request.
func TestInvalidReferencesSendNothing(t *testing.T) {
	tr := &countingTransport{}
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := registryclient.New(registryclient.WithTransport(tr), registryclient.WithJournal(j))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	drain := func(seq iter.Seq2[[]string, error]) error {
		for _, err := range seq {
			if err != nil {
				return err
			}
		}
		return nil
	}
	calls := map[string]func(string) error{
		"describe":  func(s string) error { _, err := c.Describe(ctx, s); return err },
		"resolve":   func(s string) error { _, err := c.Resolve(ctx, s); return err },
		"platforms": func(s string) error { _, err := c.PlatformImages(ctx, s); return err },
		"referrers": func(s string) error { _, err := c.Referrers(ctx, s); return err },
		"diff":      func(s string) error { _, err := c.Diff(ctx, s, s); return err },
		"tags":      func(s string) error { _, err := c.Tags(ctx, s); return err },
		"tag pages": func(s string) error { return drain(c.TagPages(ctx, s)) },
		"rmtag":     func(s string) error { _, err := c.DeleteTag(ctx, s); return err },
		"rmdigest":  func(s string) error { _, err := c.DeleteDigest(ctx, s, nil); return err },
		"retag":     func(s string) error { _, err := c.Retag(ctx, s, "x", domain.Overwrite{}); return err },
		"retag to": func(s string) error {
			_, err := c.Retag(ctx, "r.example/team/app:1", s, domain.Overwrite{})
			return err
		},
		"copy": func(s string) error {
			_, err := c.Copy(ctx, s, "r.example/team/app", registryclient.CopyOptions{})
			return err
		},
		"copy to": func(s string) error {
			_, err := c.Copy(ctx, "r.example/team/app:1", s, registryclient.CopyOptions{})
			return err
		},
	}
	invalid := 0
	for _, s := range testenv.References(t) {
		if _, err := ref.Parse(s); err == nil {
			continue
		}
		invalid++
		for what, call := range calls {
			if what == "retag to" {
				if ref.CheckTag(s) == nil {
					continue
				}
			}
			before := tr.n.Load()
			err := call(s)
			if !errors.Is(err, registryclient.ErrInvalidReference) {
				t.Errorf("%s %q: %v, want an invalid reference", what, s, err)
			}
			if n := tr.n.Load() - before; n != 0 {
				t.Errorf("%s %q sent %d requests", what, s, n)
			}
			if err != nil && !strings.Contains(err.Error(), "invalid") {
				t.Errorf("%s %q: %q does not say it is invalid", what, s, err)
			}
		}
	}
	if invalid < 100 {
		t.Fatalf("only %d invalid references in the corpus", invalid)
	}
}

// name:tag@digest is refused by every write: the tag may name another
// image than the digest by now. Reads take the digest.
func TestWritesRefuseTagAndDigest(t *testing.T) {
	tr := &countingTransport{}
	j, _ := journal.Open(t.TempDir())
	c, err := registryclient.New(registryclient.WithTransport(tr), registryclient.WithJournal(j))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	both := "r.example/team/app:2.0@sha256:" + strings.Repeat("ab", 32)
	for what, err := range map[string]error{
		"rmtag":   second(c.DeleteTag(ctx, both)),
		"retag":   second(c.Retag(ctx, both, "x", domain.Overwrite{})),
		"copy":    second(c.Copy(ctx, both, "r.example/team/other", registryclient.CopyOptions{})),
		"copy to": second(c.Copy(ctx, "r.example/team/app:1", both, registryclient.CopyOptions{})),
	} {
		if !errors.Is(err, registryclient.ErrInvalidReference) || !strings.Contains(err.Error(), "both a tag and a digest") {
			t.Errorf("%s %s: %v", what, both, err)
		}
	}
	if tr.n.Load() != 0 {
		t.Errorf("%d requests sent", tr.n.Load())
	}
	if _, _, id, err := registryclient.ParsedReference(c, both); err != nil || !strings.HasPrefix(id, "sha256:") {
		t.Errorf("a read of %s asks for %s (%v), want the digest", both, id, err)
	}
}

func second[T any](_ T, err error) error { return err }
