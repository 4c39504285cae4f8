package tags_test

import (
	"testing"

	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/views/prompt"
)

// The retag (r) and copy (y) prompts take what docker takes: r a tag, y a
// repository or repository:tag that names its registry (a bare team/app
// would be Docker Hub: the copy asks for docker.io/team/app then). Every
// reference of the corpus is checked (ref holds docker's verdict).
func TestPromptsTakeWhatDockerTakes(t *testing.T) {
	m, _, out := changePane(t)
	run(t, m, out, m.Update(key("r")))
	retag, ok := lastOf[prompt.RequestMsg](*out)
	if !ok {
		t.Fatal("r opened no prompt")
	}
	run(t, m, out, m.Update(key("y")))
	cp, ok := lastOf[prompt.RequestMsg](*out)
	if !ok || cp.Title == retag.Title {
		t.Fatal("y opened no prompt")
	}
	for _, s := range testenv.References(t) {
		if got, want := retag.Validate(s) == nil, ref.CheckTag(s) == nil; got != want {
			t.Errorf("r takes %q: %v, docker: %v", s, got, want)
		}
		parsed, err := ref.Parse(s)
		want := err == nil && parsed.Digest() == "" && ref.Explicit(s)
		if got := cp.Validate(s) == nil; got != want {
			t.Errorf("y takes %q: %v (%v), want %v", s, got, cp.Validate(s), want)
		}
	}
}
