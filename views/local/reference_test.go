package local_test

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/prompt"
	"github.com/wharf-dev/wharf/views/theme"
)

// engine is one tagged image and a changer that records nothing.
type engine struct{}

func (engine) Images(context.Context) (domain.LocalListing, error) {
	return domain.LocalListing{Images: []domain.LocalImage{{ID: "sha256:" + strings.Repeat("a", 64), RepoTags: []string{"team/app:1.0"}}}}, nil
}
func (engine) ImageChanges(context.Context) <-chan domain.EngineEvent { return nil }
func (engine) PrunePreview(context.Context) (domain.PrunePlan, error) { return domain.PrunePlan{}, nil }

func (engine) Prune(context.Context) (domain.PruneResult, error)           { return domain.PruneResult{}, nil }
func (engine) Tag(context.Context, string, string, domain.Overwrite) error { return nil }
func (engine) Untag(context.Context, string, string) (bool, error)         { return false, nil }
func (engine) Push(context.Context, string, domain.Overwrite, func(domain.CopyProgress)) (domain.PushResult, error) {
	return domain.PushResult{}, nil
}

func (engine) TagAndPush(context.Context, string, string, domain.Overwrite, func(domain.CopyProgress)) (domain.PushResult, error) {
	return domain.PushResult{}, nil
}

func (engine) Pull(context.Context, string, string, func(domain.CopyProgress)) (string, error) {
	return "", nil
}

// promptOf presses k and returns the prompt it asks the root to open.
func promptOf(t *testing.T, m *local.Model, k string) prompt.RequestMsg {
	t.Helper()
	var got *prompt.RequestMsg
	teatestutil.Drain(t, func(msg tea.Msg) tea.Cmd {
		if p, ok := msg.(prompt.RequestMsg); ok {
			got = &p
			return nil
		}
		return m.Update(msg)
	}, m.Update(tea.KeyPressMsg{Code: rune(k[0]), Text: k}), 50)
	if got == nil {
		t.Fatalf("%s opened no prompt", k)
	}
	return *got
}

// The tag (t), move (m), push-to-a-registry (P) and pull (L) prompts take
// what docker takes, for every reference of the corpus: t, m and P a tag
// target (docker tag: no digest), L any reference (docker pull: by tag or
// digest), followed by a platform if one likes.
func TestPromptsTakeWhatDockerTakes(t *testing.T) {
	m := local.New(engine{}, engine{}, []string{"registry.example.com"}, theme.New(theme.Default(), true))
	m.SetSize(80, 20)
	m.SetFocused(true)
	teatestutil.Drain(t, m.Update, m.Init(), 50)
	prompts := map[string]prompt.RequestMsg{}
	for _, k := range []string{"t", "m", "P", "L"} {
		prompts[k] = promptOf(t, m, k)
	}
	for _, s := range testenv.References(t) {
		parsed, err := ref.Parse(s)
		target := err == nil && parsed.Digest() == ""
		for _, k := range []string{"t", "m", "P"} {
			if got := prompts[k].Validate(s) == nil; got != target {
				t.Errorf("%s takes %q: %v (%v), docker tag takes it: %v", k, s, got, prompts[k].Validate(s), target)
			}
		}
		// The pull prompt trims what was typed and takes "REF [os/arch]".
		trimmed := strings.TrimSpace(s)
		if strings.ContainsAny(trimmed, " \t") {
			continue
		}
		_, perr := ref.Parse(trimmed)
		if got := prompts["L"].Validate(s) == nil; got != (perr == nil) {
			t.Errorf("L takes %q: %v (%v), docker pull takes it: %v", s, got, prompts["L"].Validate(s), perr == nil)
		}
	}
	if err := prompts["L"].Validate("registry.example.com/team/app@sha256:" + strings.Repeat("ab", 32)); err != nil {
		t.Errorf("L refuses a digest: %v", err)
	}
	if err := prompts["L"].Validate("alpine:3.20 linux/arm64"); err != nil {
		t.Errorf("L refuses a platform: %v", err)
	}
}
