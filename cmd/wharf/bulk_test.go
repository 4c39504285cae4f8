package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// Five tags deleted at once among their siblings, on registry:2 (placeholder
// path) and distribution v3 (delete by tag): the siblings keep their
// digests, the five are gone, and one undo puts all five back at their
// digests. Every reference is checked before anything is deleted.
func TestBulkDeleteSparesSiblingsAndOneUndoRestoresAll(t *testing.T) {
	for _, kind := range []testenv.Kind{testenv.Anonymous, testenv.V3} {
		t.Run(string(kind), func(t *testing.T) {
			reg := testenv.NeedRegistry(t, kind)
			ctx := testenv.Context(t, 2*time.Minute)
			layer := []int64{300}
			a, b, c := fixtures.Spec{Seed: 901, LayerSizes: layer}, fixtures.Spec{Seed: 902, LayerSizes: layer}, fixtures.Spec{Seed: 903, LayerSizes: layer}
			if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
				{Repo: "bulk/app", Tags: []string{"a1", "a2", "a3"}, Image: &a},
				{Repo: "bulk/app", Tags: []string{"b1", "b2"}, Image: &b},
				{Repo: "bulk/app", Tags: []string{"c1", "c2", "c3", "c4"}, Image: &c},
			}, reg.RemoteOptions(ctx, "")...); err != nil {
				t.Fatal(err)
			}
			repo := reg.Repo("bulk/app")
			env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir()}
			digests := func() map[string]string {
				t.Helper()
				out, err := runWharf(t, env, "tags", "--digests", "--json", repo)
				var rows []tagJSON
				if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
					t.Fatalf("tags: %v\n%s", err, out)
				}
				m := map[string]string{}
				for _, r := range rows {
					m[r.Tag] = r.Digest
				}
				return m
			}
			before := digests()
			if before["a1"] == before["b1"] || before["b1"] == before["c1"] || before["a1"] != before["a3"] {
				t.Fatalf("the fixture is not three images: %v", before)
			}

			// One bad reference: nothing at all is deleted.
			if _, err := runWharf(t, env, "rmtag", repo+":a1", repo); err == nil || !strings.Contains(err.Error(), "nothing was deleted") {
				t.Fatalf("a reference without a tag: %v", err)
			}
			if len(digests()) != 9 {
				t.Fatal("a refused bulk delete deleted something")
			}

			list := filepath.Join(t.TempDir(), "tags.txt")
			if err := os.WriteFile(list, []byte("# the release candidates\n"+repo+":c1\n\n"+repo+":c2\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := runWharf(t, env, "rmtag", repo+":a1", repo+":a2", repo+":b1", "--from-file", list)
			if err != nil || !strings.Contains(out, "5 deleted as one batch") || strings.Count(out, "deleted\t") != 5 {
				t.Fatalf("rmtag of five (%v):\n%s", err, out)
			}
			after := digests()
			for _, gone := range []string{"a1", "a2", "b1", "c1", "c2"} {
				if _, ok := after[gone]; ok {
					t.Errorf("%s is still there", gone)
				}
			}
			for _, kept := range []string{"a3", "b2", "c3", "c4"} {
				if after[kept] != before[kept] {
					t.Errorf("sibling %s moved from %s to %s", kept, before[kept], after[kept])
				}
			}

			out, err = runWharf(t, env, "undo", "--yes")
			if err != nil || strings.Count(out, "undid ") != 5 {
				t.Fatalf("one undo (%v):\n%s", err, out)
			}
			restored := digests()
			for tag, d := range before {
				if restored[tag] != d {
					t.Errorf("after the undo %s is at %q, was %s", tag, restored[tag], d)
				}
			}
			if len(restored) != len(before) {
				t.Errorf("after the undo: %v, before: %v", restored, before)
			}
		})
	}
}

// A repository deleted whole, on registry:2 and v3: every tag goes, a
// manifest at a time; one undo puts every tag back at its digest. On a
// registry with deletes disabled it is refused up front and nothing moves.
func TestDeleteARepositoryAndPutItBack(t *testing.T) {
	for _, kind := range []testenv.Kind{testenv.Anonymous, testenv.V3} {
		t.Run(string(kind), func(t *testing.T) {
			reg := testenv.NeedRegistry(t, kind)
			ctx := testenv.Context(t, 2*time.Minute)
			a, b := fixtures.Spec{Seed: 911, LayerSizes: []int64{300}}, fixtures.Spec{Seed: 912, LayerSizes: []int64{300}}
			if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
				{Repo: "rmrepo/app", Tags: []string{"1.0", "1", "latest"}, Image: &a},
				{Repo: "rmrepo/app", Tags: []string{"0.9"}, Image: &b},
			}, reg.RemoteOptions(ctx, "")...); err != nil {
				t.Fatal(err)
			}
			repo := reg.Repo("rmrepo/app")
			env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir()}
			before, _ := runWharf(t, env, "tags", "--digests", repo)
			out, err := runWharf(t, env, "rmrepo", "--yes", repo)
			if err != nil || !strings.Contains(out, "2 manifests, as one batch") {
				t.Fatalf("rmrepo (%v):\n%s", err, out)
			}
			if out, err := runWharf(t, env, "tags", repo); err == nil && strings.TrimSpace(out) != "" {
				t.Errorf("tags left after rmrepo:\n%s", out)
			}
			if out, err := runWharf(t, env, "undo", "--yes"); err != nil || strings.Count(out, "undid ") != 2 {
				t.Fatalf("undo (%v):\n%s", err, out)
			}
			if after, err := runWharf(t, env, "tags", "--digests", repo); err != nil || after != before {
				t.Errorf("after the undo (%v):\n%s\nbefore:\n%s", err, after, before)
			}
		})
	}
	t.Run("deletes disabled", func(t *testing.T) {
		reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous, DisableDelete: true})
		ctx := testenv.Context(t, time.Minute)
		if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "rmrepo/app", Tags: []string{"1.0"}, Image: &fixtures.App}}, reg.RemoteOptions(ctx, "")...); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir()}
		if _, err := runWharf(t, env, "rmrepo", "--yes", reg.Repo("rmrepo/app")); err == nil || !strings.Contains(err.Error(), "deletes are disabled") {
			t.Errorf("rmrepo on a registry with deletes disabled: %v", err)
		}
		if out, _ := runWharf(t, env, "tags", reg.Repo("rmrepo/app")); out != "1.0\n" {
			t.Errorf("after a refused rmrepo the tags are:\n%s", out)
		}
	})
}
