package localcache_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
)

// The engine side reads every reference of the corpus as docker does:
// a tag target (tag, push) takes no digest and means latest without a
// tag; a pull takes any reference. An invalid one never reaches the
// engine.
func TestEngineSideReadsReferencesAsDockerDoes(t *testing.T) {
	f := sampleEngine()
	c := openFake(f)
	defer c.Close()
	for _, s := range testenv.References(t) {
		want, werr := ref.Parse(s)
		got, err := localcache.ParseTag(s)
		targetOK := werr == nil && want.Digest() == ""
		if (err == nil) != targetOK {
			t.Errorf("ParseTag(%q): %q %v; docker: %v", s, got, err, werr)
		} else if err == nil && got != want.Latest().Familiar() {
			t.Errorf("ParseTag(%q) = %q, docker: %q", s, got, want.Latest().Familiar())
		}
		if err != nil && !errors.Is(err, localcache.ErrInvalidReference) {
			t.Errorf("ParseTag(%q): %v is not an invalid reference", s, err)
		}

		f.calls = nil
		_, err = c.Pull(unitCtx(t), s, localcache.PullOptions{}, nil)
		pulled := slices.ContainsFunc(f.calls, func(call string) bool { return strings.HasPrefix(call, "pull ") })
		switch {
		case werr != nil && (!errors.Is(err, localcache.ErrInvalidReference) || pulled):
			t.Errorf("pull %q: %v, engine asked: %v", s, err, f.calls)
		case werr == nil && !slices.Contains(f.calls, "pull "+want.Latest().Familiar()):
			t.Errorf("pull %q asked the engine %v, want pull %s", s, f.calls, want.Latest().Familiar())
		}
	}
}
