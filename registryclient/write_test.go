package registryclient_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// writeTarget is a registry the change tests write to, with how to reach it.
type writeTarget struct {
	host string
	// push are the options fixtures are pushed with; opts make the client.
	push []remote.Option
	opts []registryclient.Option
	// sharedPath is how the registry deletes a tag that shares its digest,
	// onlyPath one that does not.
	sharedPath, onlyPath domain.DeletePath
	// seedRepo, when set, is the namespace seed's repository goes under
	// instead of changes/ (Hub's repositories have exactly one).
	seedRepo string
}

func writeTargets() map[string]func(t *testing.T) writeTarget {
	r2 := func(k testenv.Kind) func(t *testing.T) writeTarget {
		return func(t *testing.T) writeTarget {
			reg := testenv.NeedRegistry(t, k)
			return registryTarget(t, reg, testenv.AdminUser)
		}
	}
	return map[string]func(t *testing.T) writeTarget{
		"registry2": r2(testenv.Anonymous),
		"token":     r2(testenv.Token),
		"v3":        r2(testenv.V3),
		"in-process": func(t *testing.T) writeTarget {
			return writeTarget{host: testenv.InProcess(t), sharedPath: domain.DeletedByTag, onlyPath: domain.DeletedByTag}
		},
	}
}

func registryTarget(t *testing.T, reg *testenv.Registry, user string) writeTarget {
	t.Helper()
	w := writeTarget{
		host: reg.Host, push: reg.RemoteOptions(testCtx(t), ""), opts: []registryclient.Option{registryclient.WithTransport(reg.Transport())},
		sharedPath: domain.DeletedByPlaceholder, onlyPath: domain.DeletedByDigest,
	}
	if reg.NeedsAuth() {
		w.opts = append(w.opts, registryclient.WithKeychain(reg.Keychain(user)))
	}
	if reg.Kind == testenv.V3 {
		w.sharedPath, w.onlyPath = domain.DeletedByTag, domain.DeletedByTag
	}
	return w
}

// client is a client of the target with a journal of its own.
func (w writeTarget) client(t *testing.T, opts ...registryclient.Option) *registryclient.Client {
	t.Helper()
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, append(append(slices.Clone(w.opts), registryclient.WithJournal(j)), opts...)...)
}

// seed pushes App under tags a, b and c and AppOld under solo to a
// repository of the test's own, and returns it.
func (w writeTarget) seed(t *testing.T) string {
	t.Helper()
	ns := "changes/"
	if w.seedRepo != "" {
		ns = w.seedRepo
	}
	repo := ns + strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	err := fixtures.Push(testCtx(t), w.host, []fixtures.Entry{
		{Repo: repo, Tags: []string{"a", "b", "c"}, Image: &fixtures.App},
		{Repo: repo, Tags: []string{"solo"}, Image: &fixtures.AppOld},
	}, w.push...)
	if err != nil {
		t.Fatal(err)
	}
	return w.host + "/" + repo
}

// digestOf resolves ref with its own client ("" when it does not exist).
func (w writeTarget) digestOf(t *testing.T, ref string) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	opts := w.push
	if len(opts) == 0 {
		opts = []remote.Option{remote.WithContext(testCtx(t))}
	}
	d, err := remote.Head(r, opts...)
	if err != nil {
		if strings.Contains(err.Error(), "404") || strings.Contains(err.Error(), "MANIFEST_UNKNOWN") {
			return ""
		}
		t.Fatalf("HEAD %s: %v", ref, err)
	}
	return d.Digest.String()
}

func TestDeleteTagSparesItsSiblingsAndUndoRestoresIt(t *testing.T) {
	app := testenv.FixtureDigest(t, fixtures.App)
	for name, target := range writeTargets() {
		t.Run(name, func(t *testing.T) {
			w := target(t)
			repo := w.seed(t)
			c := w.client(t)
			res, err := c.DeleteTag(testCtx(t), repo+":a")
			if err != nil {
				t.Fatalf("delete: %v", err)
			}
			if res.Path != w.sharedPath || !slices.Equal(res.Siblings, []string{"b", "c"}) || res.Digest != app || len(res.Restored) != 0 {
				t.Errorf("result %+v, want path %s, siblings [b c], digest %s", res, w.sharedPath, app)
			}
			if got := w.digestOf(t, repo+":a"); got != "" {
				t.Errorf("a still resolves to %s", got)
			}
			for _, sib := range []string{"b", "c"} {
				if got := w.digestOf(t, repo+":"+sib); got != app {
					t.Errorf("sibling %s resolves to %q, want %s", sib, got, app)
				}
			}
			entry, err := registryclient.JournalOf(c).Last()
			if err != nil || entry.ID != res.JournalID || entry.Op != domain.OpDeleteTag || entry.Digest != app {
				t.Fatalf("journal's last entry %+v (%v), want the delete of a", entry, err)
			}
			undone, err := c.Undo(testCtx(t), entry, false)
			if err != nil {
				t.Fatalf("undo: %v", err)
			}
			if !slices.Equal(undone.Restored, []string{repo + ":a"}) {
				t.Errorf("undo restored %v", undone.Restored)
			}
			if got := w.digestOf(t, repo+":a"); got != app {
				t.Errorf("after undo a resolves to %q, want %s", got, app)
			}
			if _, err := c.Undo(testCtx(t), mustEntry(t, c, entry.ID), false); err == nil || !strings.Contains(err.Error(), "undone already") {
				t.Errorf("undoing twice: %v, want 'undone already'", err)
			}
		})
	}
}

func mustEntry(t *testing.T, c *registryclient.Client, id int) domain.JournalEntry {
	t.Helper()
	e, err := registryclient.JournalOf(c).Entry(id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestDeleteTheOnlyTagOfADigest(t *testing.T) {
	old := testenv.FixtureDigest(t, fixtures.AppOld)
	for name, target := range writeTargets() {
		t.Run(name, func(t *testing.T) {
			w := target(t)
			repo := w.seed(t)
			c := w.client(t)
			res, err := c.DeleteTag(testCtx(t), repo+":solo")
			if err != nil {
				t.Fatalf("delete: %v", err)
			}
			if res.Path != w.onlyPath || len(res.Siblings) != 0 || res.Digest != old {
				t.Errorf("result %+v, want path %s and no siblings", res, w.onlyPath)
			}
			if got := w.digestOf(t, repo+":solo"); got != "" {
				t.Errorf("solo still resolves to %s", got)
			}
			if got := w.digestOf(t, repo+":a"); got == "" {
				t.Error("a went with solo")
			}
			if _, err := c.Undo(testCtx(t), mustEntry(t, c, res.JournalID), false); err != nil {
				t.Fatalf("undo: %v", err)
			}
			if got := w.digestOf(t, repo+":solo"); got != old {
				t.Errorf("after undo solo resolves to %q, want %s", got, old)
			}
		})
	}
}

func TestDeleteOnARegistryWithDeletesDisabled(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous, DisableDelete: true})
	proxy := testenv.StartProxy(t, reg)
	w := writeTarget{host: proxy.Host}
	repo := w.seed(t)
	c := w.client(t)
	proxy.ResetCounts()
	for _, tag := range []string{"a", "solo"} {
		before := w.digestOf(t, repo+":"+tag)
		_, err := c.DeleteTag(testCtx(t), repo+":"+tag)
		if !errors.Is(err, registryclient.ErrUnsupported) || !strings.Contains(err.Error(), "storage.delete.enabled") {
			t.Errorf("delete %s: %v, want ErrUnsupported naming storage.delete.enabled", tag, err)
		}
		if got := w.digestOf(t, repo+":"+tag); got != before {
			t.Errorf("%s moved from %s to %q", tag, before, got)
		}
	}
	for _, tag := range []string{"b", "c"} {
		if got := w.digestOf(t, repo+":"+tag); got != testenv.FixtureDigest(t, fixtures.App) {
			t.Errorf("%s resolves to %q", tag, got)
		}
	}
	// The client probed the registry once, before the first delete (two
	// DELETEs of a tag and a digest that do not exist), and then asked
	// nothing more of it: nothing was journaled, no tag was moved.
	if n := proxy.Counts()["DELETE manifest"]; n != 2 {
		t.Errorf("%d DELETE requests, want the probe's 2: %v", n, proxy.Counts())
	}
	if n := proxy.Counts()["PUT manifest"]; n != 0 {
		t.Errorf("%d manifests put on a registry that refuses deletes", n)
	}
	if entries, err := registryclient.JournalOf(c).Entries(); err != nil || len(entries) != 0 {
		t.Errorf("journal: %d entries (%v), want none", len(entries), err)
	}
}

// assertAllRefused checks the journal has n entries, each marked refused by
// the registry, and nothing to undo.
func assertAllRefused(t *testing.T, j *journal.Journal, n int) {
	t.Helper()
	entries, err := j.Entries()
	if err != nil || len(entries) != n {
		t.Fatalf("%d journal entries (%v), want %d", len(entries), err, n)
	}
	for _, e := range entries {
		if e.Refused == "" {
			t.Errorf("entry %d (%s) is not marked refused", e.ID, e.Summary())
		}
	}
	if last, err := j.Last(); !errors.Is(err, journal.ErrNoSuchEntry) {
		t.Errorf("Last() = %d, %v; want nothing to undo", last.ID, err)
	}
}

func TestReadOnlyUserIsRefusedAndNothingChanges(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Token)
	admin := registryTarget(t, reg, testenv.AdminUser)
	repo := admin.seed(t)
	reader := registryTarget(t, reg, testenv.ReaderUser).client(t)
	app := testenv.FixtureDigest(t, fixtures.App)
	_, err := reader.DeleteTag(testCtx(t), repo+":a")
	if !errors.Is(err, registryclient.ErrDenied) {
		t.Errorf("reader's delete: %v, want ErrDenied", err)
	}
	var e *registryclient.Error
	if errors.As(err, &e) && e.Status != 403 {
		t.Errorf("status %d, want 403", e.Status)
	}
	if _, err := reader.Retag(testCtx(t), repo+":a", "new", domain.OverwriteIf(false)); !errors.Is(err, registryclient.ErrDenied) {
		t.Errorf("reader's retag: %v, want ErrDenied", err)
	}
	for _, tag := range []string{"a", "b", "c"} {
		if got := admin.digestOf(t, repo+":"+tag); got != app {
			t.Errorf("%s resolves to %q, want %s", tag, got, app)
		}
	}
	if got := admin.digestOf(t, repo+":new"); got != "" {
		t.Errorf("the refused retag created new → %s", got)
	}
	assertAllRefused(t, registryclient.JournalOf(reader), 2)
}

var errCrash = errors.New("simulated crash")

// TestUndoAfterACrashBetweenJournalAndRequest plays wharf dying right after
// it journaled a change and before it asked the registry: undo must still
// work, and leave things as they were.
func TestUndoAfterACrashBetweenJournalAndRequest(t *testing.T) {
	app, old := testenv.FixtureDigest(t, fixtures.App), testenv.FixtureDigest(t, fixtures.AppOld)
	changes := map[string]func(c *registryclient.Client, repo string) error{
		"delete-shared-tag": func(c *registryclient.Client, repo string) error {
			_, err := c.DeleteTag(testCtx(t), repo+":a")
			return err
		},
		"delete-only-tag": func(c *registryclient.Client, repo string) error {
			_, err := c.DeleteTag(testCtx(t), repo+":solo")
			return err
		},
		"retag-over": func(c *registryclient.Client, repo string) error {
			_, err := c.Retag(testCtx(t), repo+":a", "solo", domain.OverwriteIf(true))
			return err
		},
		"retag-new": func(c *registryclient.Client, repo string) error {
			_, err := c.Retag(testCtx(t), repo+":a", "fresh", domain.OverwriteIf(false))
			return err
		},
		"delete-digest": func(c *registryclient.Client, repo string) error {
			_, err := c.DeleteDigest(testCtx(t), repo+"@"+app, []string{"a", "b", "c"})
			return err
		},
	}
	want := map[string]string{"a": app, "b": app, "c": app, "solo": old, "fresh": ""}
	for _, tname := range []string{"registry2", "in-process"} {
		for cname, change := range changes {
			t.Run(tname+"/"+cname, func(t *testing.T) {
				w := writeTargets()[tname](t)
				repo := w.seed(t)
				dir := t.TempDir()
				j, err := journal.Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				crashing := newClient(t, append(slices.Clone(w.opts), registryclient.WithJournal(j), registryclient.WithCrashAfterJournal(errCrash))...)
				if err := change(crashing, repo); !errors.Is(err, errCrash) {
					t.Fatalf("change: %v, want the crash", err)
				}
				// A new process: reopen the journal.
				j2, err := journal.Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				c := newClient(t, append(slices.Clone(w.opts), registryclient.WithJournal(j2))...)
				entry, err := j2.Last()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Undo(testCtx(t), entry, false); err != nil {
					t.Fatalf("undo: %v", err)
				}
				for tag, d := range want {
					if got := w.digestOf(t, repo+":"+tag); got != d {
						t.Errorf("%s resolves to %q, want %q", tag, got, d)
					}
				}
			})
		}
	}
}

func TestRetagGuardsOverwritesAndUndoes(t *testing.T) {
	app, old := testenv.FixtureDigest(t, fixtures.App), testenv.FixtureDigest(t, fixtures.AppOld)
	for name, target := range writeTargets() {
		t.Run(name, func(t *testing.T) {
			w := target(t)
			repo := w.seed(t)
			c := w.client(t)
			_, err := c.Retag(testCtx(t), repo+":a", "solo", domain.OverwriteIf(false))
			var ow *domain.OverwriteError
			if !errors.As(err, &ow) || ow.Existing != old || ow.Incoming != app {
				t.Fatalf("retag over solo: %v, want an OverwriteError from %s to %s", err, old, app)
			}
			if got := w.digestOf(t, repo+":solo"); got != old {
				t.Fatalf("the refused retag moved solo to %s", got)
			}
			res, err := c.Retag(testCtx(t), repo+":a", "solo", domain.OverwriteIf(true))
			if err != nil || res.Replaced != old || res.Digest != app {
				t.Fatalf("retag with overwrite: %+v, %v", res, err)
			}
			if got := w.digestOf(t, repo+":solo"); got != app {
				t.Fatalf("solo resolves to %s after the retag, want %s", got, app)
			}
			if _, err := c.Undo(testCtx(t), mustEntry(t, c, res.JournalID), false); err != nil {
				t.Fatalf("undo: %v", err)
			}
			if got := w.digestOf(t, repo+":solo"); got != old {
				t.Errorf("after undo solo resolves to %s, want %s", got, old)
			}

			res, err = c.Retag(testCtx(t), repo+"@"+old, "fresh", domain.OverwriteIf(false))
			if err != nil || res.Replaced != "" {
				t.Fatalf("retag to a new tag: %+v, %v", res, err)
			}
			if again, err := c.Retag(testCtx(t), repo+":solo", "fresh", domain.OverwriteIf(false)); err != nil || !again.Unchanged {
				t.Errorf("retag onto a tag already there: %+v, %v; want unchanged", again, err)
			}
			if got := w.digestOf(t, repo+":fresh"); got != old {
				t.Fatalf("fresh resolves to %q", got)
			}
			undone, err := c.Undo(testCtx(t), mustEntry(t, c, res.JournalID), false)
			if err != nil || !slices.Equal(undone.Deleted, []string{"fresh"}) {
				t.Fatalf("undo of a new tag: %+v, %v; want fresh deleted", undone, err)
			}
			if got := w.digestOf(t, repo+":fresh"); got != "" {
				t.Errorf("fresh still resolves to %s", got)
			}
			if got := w.digestOf(t, repo+":solo"); got != old {
				t.Errorf("undoing fresh took solo (%q) with it", got)
			}
		})
	}
}

// Undo is a stack: retag a → fresh, then undo three times. The first
// deletes fresh; the second finds nothing more to undo (the first's delete
// is part of the undo, not a change of its own to bring fresh back); so
// does the third.
func TestUndoWalksBackAndNeverForward(t *testing.T) {
	for _, name := range []string{"registry2", "v3"} {
		t.Run(name, func(t *testing.T) {
			w := writeTargets()[name](t)
			repo := w.seed(t)
			c := w.client(t)
			j := registryclient.JournalOf(c)
			if _, err := c.Retag(testCtx(t), repo+":a", "fresh", domain.Overwrite{}); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 3; i++ {
				e, err := j.Last()
				if i > 1 {
					if !errors.Is(err, journal.ErrNoSuchEntry) {
						t.Errorf("undo %d finds %+v (%v), want nothing left to undo", i, e, err)
					}
					continue
				}
				if err != nil || e.Op != domain.OpRetag {
					t.Fatalf("undo %d: %+v %v", i, e, err)
				}
				if _, err := c.Undo(testCtx(t), e, false); err != nil {
					t.Fatalf("undo %d: %v", i, err)
				}
				if got := w.digestOf(t, repo+":fresh"); got != "" {
					t.Fatalf("after undo %d fresh resolves to %s", i, got)
				}
			}
			if got := w.digestOf(t, repo+":fresh"); got != "" {
				t.Errorf("fresh came back: %s", got)
			}
			if entries, _ := j.Entries(); len(entries) != 1 {
				t.Errorf("the journal has %d entries, want the retag alone: %+v", len(entries), entries)
			}
			if got := w.digestOf(t, repo+":a"); got != testenv.FixtureDigest(t, fixtures.App) {
				t.Errorf("a resolves to %s", got)
			}
		})
	}
}

// A delete the user confirmed for one digest leaves a tag that moved since
// alone.
func TestDeleteTagAtRefusesATagMovedSince(t *testing.T) {
	w := writeTargets()["registry2"](t)
	repo := w.seed(t)
	c := w.client(t)
	old := testenv.FixtureDigest(t, fixtures.AppOld)
	_, err := c.DeleteTagAt(testCtx(t), repo+":a", old)
	if !errors.Is(err, registryclient.ErrConflict) || !strings.Contains(err.Error(), "not "+domain.ShortDigest(old)+" as shown") {
		t.Fatalf("delete of a tag that names another digest: %v", err)
	}
	if got := w.digestOf(t, repo+":a"); got != testenv.FixtureDigest(t, fixtures.App) {
		t.Errorf("a resolves to %q", got)
	}
	if entries, _ := registryclient.JournalOf(c).Entries(); len(entries) != 0 {
		t.Errorf("a refused delete was journaled: %+v", entries)
	}
}

func TestUndoRefusesATagMovedSince(t *testing.T) {
	w := writeTargets()["in-process"](t)
	repo := w.seed(t)
	c := w.client(t)
	res, err := c.DeleteTag(testCtx(t), repo+":solo")
	if err != nil {
		t.Fatal(err)
	}
	// Someone else pushes solo again, another image.
	if _, err := c.Retag(testCtx(t), repo+":b", "solo", domain.OverwriteIf(false)); err != nil {
		t.Fatal(err)
	}
	_, err = c.Undo(testCtx(t), mustEntry(t, c, res.JournalID), false)
	var ow *domain.OverwriteError
	if !errors.As(err, &ow) {
		t.Fatalf("undo over a moved tag: %v, want an OverwriteError", err)
	}
	if got := w.digestOf(t, repo+":solo"); got != testenv.FixtureDigest(t, fixtures.App) {
		t.Errorf("the refused undo moved solo to %s", got)
	}
}

func TestDeleteDigestNeedsTheListOfItsTags(t *testing.T) {
	app := testenv.FixtureDigest(t, fixtures.App)
	for name, target := range writeTargets() {
		t.Run(name, func(t *testing.T) {
			w := target(t)
			repo := w.seed(t)
			c := w.client(t)
			_, err := c.DeleteDigest(testCtx(t), repo+"@"+app, []string{"a", "b"})
			if !errors.Is(err, registryclient.ErrConflict) || !strings.Contains(err.Error(), "[a b c]") {
				t.Fatalf("delete with a short list: %v, want ErrConflict naming [a b c]", err)
			}
			if got := w.digestOf(t, repo+":a"); got != app {
				t.Fatalf("the refused delete removed a (%q)", got)
			}
			res, err := c.DeleteDigest(testCtx(t), repo+"@"+app, []string{"c", "b", "a"})
			if err != nil || !slices.Equal(res.Deleted, []string{"a", "b", "c"}) {
				t.Fatalf("delete: %+v, %v", res, err)
			}
			for _, tag := range []string{"a", "b", "c"} {
				if got := w.digestOf(t, repo+":"+tag); got != "" {
					t.Errorf("%s still resolves to %s", tag, got)
				}
			}
			if got := w.digestOf(t, repo+":solo"); got == "" {
				t.Error("solo went too")
			}
			if _, err := c.Undo(testCtx(t), mustEntry(t, c, res.JournalID), false); err != nil {
				t.Fatalf("undo: %v", err)
			}
			for _, tag := range []string{"a", "b", "c"} {
				if got := w.digestOf(t, repo+":"+tag); got != app {
					t.Errorf("after undo %s resolves to %q", tag, got)
				}
			}
		})
	}
}

func TestChangesNeedAJournal(t *testing.T) {
	host := testenv.InProcess(t)
	c := newClient(t)
	if _, err := c.DeleteTag(testCtx(t), host+"/fixtures/app:latest"); !errors.Is(err, registryclient.ErrNoJournal) {
		t.Errorf("delete without a journal: %v, want ErrNoJournal", err)
	}
}

func TestBadReferencesAreRefusedBeforeAnyRequest(t *testing.T) {
	c := writeTargets()["in-process"](t).client(t)
	ctx := testCtx(t)
	cases := map[string]error{}
	_, cases["delete of a digest"] = c.DeleteTag(ctx, "localhost:1/r@sha256:"+strings.Repeat("a", 64))
	_, cases["delete-digest of a tag"] = c.DeleteDigest(ctx, "localhost:1/r:t", nil)
	_, cases["retag to a bad tag"] = c.Retag(ctx, "localhost:1/r:t", "no spaces", domain.OverwriteIf(false))
	_, cases["copy to a digest"] = c.Copy(ctx, "localhost:1/r:t", "localhost:1/s@sha256:"+strings.Repeat("a", 64), registryclient.CopyOptions{})
	for what, err := range cases {
		if !errors.Is(err, registryclient.ErrInvalidReference) {
			t.Errorf("%s: %v, want ErrInvalidReference", what, err)
		}
	}
	if entries, _ := registryclient.JournalOf(c).Entries(); len(entries) != 0 {
		t.Errorf("refused changes were journaled: %v", entries)
	}
}

func TestCopyIndexBetweenRegistriesKeepsEveryPlatform(t *testing.T) {
	src := testenv.NeedRegistry(t, testenv.Token)
	dst := testenv.NeedRegistry(t, testenv.V3)
	srcT, dstT := registryTarget(t, src, testenv.AdminUser), registryTarget(t, dst, "")
	keychain := registryclient.WithKeychain(testenv.KeychainFor(src.Host, src.Auth(testenv.AdminUser)))
	// One client reaching both: the token registry's CA-less plain HTTP and
	// v3's, with the admin's credentials for the first.
	c := newClient(t, registryclient.WithTransport(src.Transport()), keychain, registryclient.WithJournal(mustJournal(t)))
	// A repository of its own: go-containerregistry asks to mount a blob
	// from the source's repository name, which the destination might hold.
	srcRepo := "copysrc/" + strings.ToLower(t.Name())
	if err := fixtures.Push(testCtx(t), src.Host, []fixtures.Entry{{Repo: srcRepo, Tags: []string{"1.0"}, Platforms: []fixtures.Spec{fixtures.AMD64, fixtures.ARM64}}}, srcT.push...); err != nil {
		t.Fatal(err)
	}
	source := src.Host + "/" + srcRepo + ":1.0"
	var last domain.CopyProgress
	calls := 0
	dest := dst.Host + "/copied/" + strings.ToLower(t.Name())
	res, err := c.Copy(testCtx(t), source, dest, registryclient.CopyOptions{Progress: func(p domain.CopyProgress) { last = p; calls++ }})
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	if last.BlobsDone != last.BlobsTotal || last.BytesDone != last.BytesTotal || last.BlobsTotal != res.Blobs || calls < 2 {
		t.Errorf("last progress %+v after %d calls, want 100%% of %d blobs", last, calls, res.Blobs)
	}
	// Two platforms: two configs and four layers.
	if res.Blobs != 6 || res.Transferred != res.Bytes || res.Reference != dest+":1.0" {
		t.Errorf("result %+v, want 6 blobs all transferred to %s:1.0", res, dest)
	}
	want, err := srcT.client(t).Describe(testCtx(t), source)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dstT.client(t).Describe(testCtx(t), dest+":1.0")
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != want.Digest || len(got.Platforms) != 2 || !slices.Equal(got.Platforms, want.Platforms) {
		t.Errorf("copied index %s %v, want %s %v", got.Digest, got.Platforms, want.Digest, want.Platforms)
	}
	for _, p := range got.Platforms {
		if d, err := dstT.client(t).Describe(testCtx(t), dest+"@"+p.Digest); err != nil || len(d.Layers) != 2 {
			t.Errorf("platform %s at the destination: %v (%d layers)", p, err, len(d.Layers))
		}
	}
	// Copying again moves nothing.
	again, err := c.Copy(testCtx(t), source, dest, registryclient.CopyOptions{})
	if err != nil || !again.Unchanged || again.Transferred != 0 {
		t.Errorf("second copy %+v, %v; want unchanged and nothing sent", again, err)
	}
	// Onto a tag that holds another image: refused unless overwriting.
	_, err = c.Copy(testCtx(t), src.Host+"/fixtures/app:0.9.0", dest+":1.0", registryclient.CopyOptions{})
	var ow *domain.OverwriteError
	if !errors.As(err, &ow) || ow.Existing != want.Digest {
		t.Errorf("copy over: %v, want an OverwriteError naming %s", err, want.Digest)
	}
}

func mustJournal(t *testing.T) *journal.Journal {
	t.Helper()
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestCopyWithinARegistryMountsBlobs(t *testing.T) {
	w := writeTargets()["registry2"](t)
	repo := w.seed(t)
	c := w.client(t)
	res, err := c.Copy(testCtx(t), repo+":a", w.host+"/mounted/"+strings.ToLower(t.Name()), registryclient.CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Transferred != 0 || res.Blobs != 4 {
		t.Errorf("copy %+v: want 4 blobs mounted, none sent", res)
	}
	if got := w.digestOf(t, w.host+"/mounted/"+strings.ToLower(t.Name())+":a"); got != testenv.FixtureDigest(t, fixtures.App) {
		t.Errorf("the copy resolves to %q", got)
	}
}

func TestCancelledCopyLeavesTheTargetTagUntouched(t *testing.T) {
	w := writeTargets()["registry2"](t)
	w.seed(t)
	dest := testenv.InProcess(t) + "/cancelled/" + strings.ToLower(t.Name())
	if err := fixtures.Push(testCtx(t), testenv.InProcess(t), []fixtures.Entry{{Repo: strings.TrimPrefix(dest, testenv.InProcess(t)+"/"), Tags: []string{"a"}, Image: &fixtures.AppOld}}); err != nil {
		t.Fatal(err)
	}
	c := w.client(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	deep := w.host + "/fixtures/deep:latest"
	_, err := c.Copy(ctx, deep, dest+":a", registryclient.CopyOptions{Overwrite: domain.OverwriteAny, Progress: func(p domain.CopyProgress) {
		if p.BlobsDone >= 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled copy: %v, want context.Canceled", err)
	}
	if got := (writeTarget{}).digestOf(t, dest+":a"); got != testenv.FixtureDigest(t, fixtures.AppOld) {
		t.Errorf("the target tag moved to %q", got)
	}
	if entries, _ := registryclient.JournalOf(c).Entries(); len(entries) != 0 {
		t.Errorf("a cancelled copy left journal entries %v", entries)
	}
}

// After the registry's garbage collector has run, the layers of a deleted
// image are gone: undo says so instead of pretending.
func TestUndoSaysWhenTheGarbageCollectorTookTheLayers(t *testing.T) {
	reg := testenv.NeedPrivateRegistry(t, testenv.RegistryOptions{Kind: testenv.Anonymous})
	w := registryTarget(t, reg, "")
	repo := w.seed(t)
	c := w.client(t)
	res, err := c.DeleteTag(testCtx(t), repo+":solo")
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.GarbageCollect(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	_, err = c.Undo(testCtx(t), mustEntry(t, c, res.JournalID), false)
	if err == nil || !strings.Contains(err.Error(), "garbage collector") {
		t.Fatalf("undo after garbage collection: %v, want it to say the layers are gone", err)
	}
	t.Logf("undo said: %v", err)
	if e, _ := registryclient.JournalOf(c).Entry(res.JournalID); !e.Undone.IsZero() {
		t.Error("a failed undo marked the entry undone")
	}
	// The image the other tags share was kept by the collector.
	if got := w.digestOf(t, repo+":a"); got != testenv.FixtureDigest(t, fixtures.App) {
		t.Errorf("a resolves to %q after garbage collection", got)
	}
}
