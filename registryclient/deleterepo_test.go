package registryclient_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/registryclient"
)

// A repository that changed between what was shown and the delete — a tag
// added, one moved, one gone — is left whole; what was shown is deleted.
func TestDeleteRepositoryActsOnWhatWasShown(t *testing.T) {
	w := writeTargets()["registry2"](t)
	repo := w.seed(t) // a, b, c (App) and solo (AppOld)
	c := w.client(t)
	shown, err := c.TagDigests(testCtx(t), repo)
	if err != nil {
		t.Fatal(err)
	}
	byTag := map[string]string{}
	for _, td := range shown {
		byTag[td.Tag] = td.Digest
	}
	stale := [][]domain.TagDigest{
		slices.DeleteFunc(slices.Clone(shown), func(td domain.TagDigest) bool { return td.Tag == "solo" }), // solo is "new"
		append(slices.Clone(shown), domain.TagDigest{Tag: "gone", Digest: byTag["a"]}),                     // gone is gone
	}
	moved := slices.Clone(shown)
	for i := range moved {
		if moved[i].Tag == "b" {
			moved[i].Digest = byTag["solo"]
		}
	}
	stale = append(stale, moved)
	for _, s := range stale {
		if _, err := c.DeleteRepository(testCtx(t), repo, s, nil); !errors.Is(err, registryclient.ErrConflict) {
			t.Errorf("with %v shown: %v, want ErrConflict", s, err)
		}
		for tag, d := range byTag {
			if got := w.digestOf(t, repo+":"+tag); got != d {
				t.Fatalf("a refused delete moved %s to %q", tag, got)
			}
		}
	}
	res, err := c.DeleteRepository(testCtx(t), repo, shown, nil)
	if err != nil || len(res.Manifests) != 2 {
		t.Fatalf("delete as shown: %+v %v", res, err)
	}
	for tag := range byTag {
		if got := w.digestOf(t, repo+":"+tag); got != "" {
			t.Errorf("%s still resolves to %s", tag, got)
		}
	}
}
