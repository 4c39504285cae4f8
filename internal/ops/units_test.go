package ops_test

// ops at the unit level, with fakes of the client seams it uses and a real
// journal and config in temporary directories: no engine, no registry
// process (`make unit` runs these).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

const (
	dApp = "sha256:aaaa000000000000000000000000000000000000000000000000000000000001"
	dOld = "sha256:bbbb000000000000000000000000000000000000000000000000000000000002"
)

// retentionFake answers Resolve from now (a missing tag is not found,
// one in failing fails) and records each delete.
type retentionFake struct {
	now     map[string]string
	failing map[string]bool
	deleted []string
}

func (f *retentionFake) DescribeTags(context.Context, string) ([]domain.RetainedTag, error) {
	var out []domain.RetainedTag
	for tag, d := range f.now {
		out = append(out, domain.RetainedTag{Tag: tag, Digest: d, Created: time.Unix(int64(len(tag)), 0)})
	}
	return out, nil
}

func (f *retentionFake) Resolve(_ context.Context, ref string) (string, error) {
	tag := ref[strings.LastIndex(ref, ":")+1:]
	if f.failing[tag] {
		return "", &registryclient.Error{Kind: registryclient.ErrServer, Status: 500, Registry: "r.example", Detail: "storage failed"}
	}
	d, ok := f.now[tag]
	if !ok {
		return "", &registryclient.Error{Kind: registryclient.ErrNotFound, Status: 404, Registry: "r.example"}
	}
	return d, nil
}

func (f *retentionFake) DeleteTagAt(_ context.Context, ref, digest string) (domain.DeleteResult, error) {
	f.deleted = append(f.deleted, ref+"@"+digest)
	return domain.DeleteResult{Reference: ref, Digest: digest, Deleted: []string{ref}}, nil
}

// A retention run deletes only what still is as planned: a tag gone, one
// that cannot be read and one that moved are each reported and left.
func TestApplyRetentionDeletesOnlyWhatIsAsPlanned(t *testing.T) {
	f := &retentionFake{now: map[string]string{"1.0": dOld, "moved": dApp, "unread": dOld}, failing: map[string]bool{"unread": true}}
	plan := domain.RetentionPlan{Repository: "r.example/app", Delete: []domain.RetainedTag{
		{Tag: "1.0", Digest: dOld}, {Tag: "gone", Digest: dOld}, {Tag: "moved", Digest: dOld}, {Tag: "unread", Digest: dOld},
	}}
	said := map[string]error{}
	if err := ops.ApplyRetention(context.Background(), f, plan, func(t domain.RetainedTag, _ domain.DeleteResult, err error) { said[t.Tag] = err }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.deleted, []string{"r.example/app:1.0@" + dOld}) {
		t.Errorf("deleted %v, want 1.0 alone", f.deleted)
	}
	for tag, want := range map[string]string{"gone": "gone already", "moved": "moved since the plan", "unread": "storage failed"} {
		if err := said[tag]; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", tag, err, want)
		}
	}
	if said["1.0"] != nil {
		t.Errorf("1.0: %v", said["1.0"])
	}
	// A cancelled run stops between tags.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.deleted = nil
	if err := ops.ApplyRetention(ctx, f, plan, func(domain.RetainedTag, domain.DeleteResult, error) {}); !errors.Is(err, context.Canceled) || len(f.deleted) != 0 {
		t.Errorf("cancelled: %v, deleted %v", err, f.deleted)
	}
}

func TestPlanRetentionRefusesAPolicyThatLimitsNothing(t *testing.T) {
	f := &retentionFake{now: map[string]string{"1.0": dOld, "2.0": dApp}}
	if _, err := ops.PlanRetention(context.Background(), f, "r.example/app", domain.RetentionPolicy{}); err == nil {
		t.Error("a policy that keeps everything and deletes nothing was planned")
	}
	plan, err := ops.PlanRetention(context.Background(), f, "r.example/app", domain.RetentionPolicy{KeepNewest: 1})
	if err != nil || len(plan.Keep) != 1 || len(plan.Delete) != 1 || plan.Keep[0].Tag != "2.0" {
		t.Errorf("plan %+v (%v), want 2.0 kept and 1.0 deleted", plan, err)
	}
}

type deleterFake struct {
	refs []string
	fail string
}

func (f *deleterFake) DeleteTagAt(_ context.Context, ref, digest string) (domain.DeleteResult, error) {
	f.refs = append(f.refs, ref)
	if ref == f.fail {
		return domain.DeleteResult{}, fmt.Errorf("%s names another digest now, not %s", ref, digest)
	}
	return domain.DeleteResult{Reference: ref}, nil
}

// A bulk delete goes on past a tag that fails, telling of each.
func TestDeleteTagsGoesOnPastAFailure(t *testing.T) {
	f := &deleterFake{fail: "r/app:b"}
	var errs []string
	tags := []domain.TagAt{{Reference: "r/app:a", Digest: dApp}, {Reference: "r/app:b", Digest: dApp}, {Reference: "r/app:c", Digest: dOld}}
	if err := ops.DeleteTags(context.Background(), f, tags, func(t domain.TagAt, _ domain.DeleteResult, err error) {
		if err != nil {
			errs = append(errs, t.Reference)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.refs, []string{"r/app:a", "r/app:b", "r/app:c"}) || !slices.Equal(errs, []string{"r/app:b"}) {
		t.Errorf("asked %v, failed %v", f.refs, errs)
	}
}

type undoerFake struct {
	undone []int
	fail   int
}

func (f *undoerFake) Undo(_ context.Context, e domain.JournalEntry, _ bool) (domain.UndoResult, error) {
	if e.ID == f.fail {
		return domain.UndoResult{}, errors.New("the tag moved since")
	}
	f.undone = append(f.undone, e.ID)
	return domain.UndoResult{Entry: e, Restored: []string{fmt.Sprint(e.ID)}}, nil
}

func newJournal(t *testing.T) *journal.Journal {
	t.Helper()
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func record(t *testing.T, j *journal.Journal, e domain.JournalEntry) domain.JournalEntry {
	t.Helper()
	e, err := j.Record(e)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Undo walks back: the newest change first, with the rest of its batch,
// newest first; a change undone or refused is not undone again; a failure
// part way says how far it got.
func TestUndoWalksBackThroughTheJournal(t *testing.T) {
	j := newJournal(t)
	first := record(t, j, domain.JournalEntry{Op: domain.OpRetag, Repository: "r/app", Tags: []string{"a"}})
	b1 := record(t, j, domain.JournalEntry{Op: domain.OpDeleteTag, Repository: "r/app", Tags: []string{"b"}, Batch: "run-1"})
	refused := record(t, j, domain.JournalEntry{Op: domain.OpDeleteTag, Repository: "r/app", Tags: []string{"x"}, Batch: "run-1"})
	if err := j.MarkRefused(refused.ID, errors.New("405")); err != nil {
		t.Fatal(err)
	}
	b2 := record(t, j, domain.JournalEntry{Op: domain.OpDeleteTag, Repository: "r/app", Tags: []string{"c"}, Batch: "run-1"})

	u := &undoerFake{}
	res, err := ops.Undo(context.Background(), u, j, 0, false)
	if err != nil || !slices.Equal(u.undone, []int{b2.ID, b1.ID}) || len(res.Restored) != 2 {
		t.Fatalf("undo of the newest batch: %v, undid %v", err, u.undone)
	}
	for _, id := range u.undone {
		if err := j.MarkUndone(id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ops.FindUndo(j, b1.ID); err == nil || !strings.Contains(err.Error(), "undone already") {
		t.Errorf("an undone entry was found to undo: %v", err)
	}
	if _, err := ops.FindUndo(j, refused.ID); err == nil || !strings.Contains(err.Error(), "changed nothing") {
		t.Errorf("a refused entry was found to undo: %v", err)
	}
	e, err := ops.FindUndo(j, 0)
	if err != nil || e.ID != first.ID {
		t.Errorf("next to undo: %+v %v, want entry %d", e, err, first.ID)
	}
	if _, err := ops.FindUndo(nil, 0); !errors.Is(err, registryclient.ErrNoJournal) {
		t.Errorf("without a journal: %v", err)
	}
	// A batch that fails part way says how far it got.
	batch := domain.JournalEntry{ID: 9, With: []domain.JournalEntry{{ID: 8}, {ID: 7}}}
	u = &undoerFake{fail: 8}
	if _, err := ops.UndoAll(context.Background(), u, batch, false); err == nil || !strings.Contains(err.Error(), "undid 1 of the batch's 3 changes; entry 8") {
		t.Errorf("part way: %v (undid %v)", err, u.undone)
	}
}

// env is a user's environment in temporary directories.
func env(t *testing.T, configYAML string) config.Env {
	t.Helper()
	vars := map[string]string{
		"XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir(),
		"DOCKER_CONFIG": t.TempDir(), "XDG_RUNTIME_DIR": t.TempDir(), "HOME": t.TempDir(),
		"DOCKER_HOST": "unix://" + filepath.Join(t.TempDir(), "none.sock"),
	}
	if configYAML != "" {
		dir := filepath.Join(vars["XDG_CONFIG_HOME"], "wharf")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(configYAML), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return func(k string) string { return vars[k] }
}

// A session opens from the config files alone: the registries they name,
// a client, the journal; the budget of its operations follows
// stall_timeout; a bad config names the file and line.
func TestSessionOpensFromTheConfigFiles(t *testing.T) {
	s, err := ops.Open(env(t, "stall_timeout: 5s\nrequest_timeout: 2s\nregistries:\n  - host: reg.example:5000\n    name: release\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Client == nil || s.Journal == nil || len(s.Notes) != 0 {
		t.Fatalf("session: client %v, journal %v, notes %q", s.Client != nil, s.Journal != nil, s.Notes)
	}
	if got := s.Budget(); got != 35*time.Second {
		t.Errorf("budget %s, want stall_timeout + 30s", got)
	}
	if r, ok := s.Browsable(); !ok || r.Host != "reg.example:5000" {
		t.Errorf("browsable %+v %v", r, ok)
	}
	if r := s.Lookup("release"); r.Host != "reg.example:5000" {
		t.Errorf("lookup by name: %+v", r)
	}
	if r := s.Lookup("other.example"); r.Source != config.SourceArgument {
		t.Errorf("an unknown host: %+v", r)
	}
	if _, err := s.Engine(); err != nil {
		t.Errorf("the engine is opened lazily, even when down: %v", err)
	}
	plain, err := ops.Open(env(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Budget() != 150*time.Second {
		t.Errorf("default budget %s", plain.Budget())
	}
	if _, err := ops.Open(env(t, "stall_timeout: 5s\nrequest_timeout: 1ms\n")); err == nil || !strings.Contains(err.Error(), "request_timeout") {
		t.Errorf("a request_timeout below 100ms: %v", err)
	}
}

// A change a process that is gone did not finish is said when the next
// session opens, with the undo that puts it back.
func TestSessionSaysWhatACrashedWharfLeft(t *testing.T) {
	e := env(t, "")
	j, err := journal.Open(config.DataDir(e))
	if err != nil {
		t.Fatal(err)
	}
	entry := record(t, j, domain.JournalEntry{Op: domain.OpDeleteTag, Repository: "r.example/app", Tags: []string{"a"}, Digest: dApp})
	if err := j.MarkPlaceholder(entry.ID, dOld); err != nil {
		t.Fatal(err)
	}
	// The process that recorded it is gone.
	b, err := os.ReadFile(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	mine := fmt.Sprintf(`"pid":%d`, os.Getpid())
	if !strings.Contains(string(b), mine) {
		t.Fatalf("the journal does not record its writer as %s:\n%s", mine, b)
	}
	if err := os.WriteFile(j.Path(), []byte(strings.ReplaceAll(string(b), mine, `"pid":2147483000`)), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ops.Open(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "journal entry 1") || !strings.Contains(s.Notes[0], "placeholder") || !strings.Contains(s.Notes[0], "wharf undo 1") {
		t.Errorf("notes %q", s.Notes)
	}
	r := ops.NewRemote(s)
	if got := r.Placeholders("r.example/app"); got[dOld] != 1 {
		t.Errorf("placeholders %v", got)
	}
	if next, err := r.NextUndo(context.Background(), "r.example/app"); err != nil || next.ID != 1 {
		t.Errorf("next undo %+v %v", next, err)
	}
}

// The app's registry settings round-trip through wharf's config file.
func TestRemoteSavesRegistriesInTheConfigFile(t *testing.T) {
	s, err := ops.Open(env(t, "registries:\n  - host: reg.example:5000\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := ops.NewRemote(s)
	if !r.Writable() {
		t.Error("a session with a journal is not writable")
	}
	want := domain.RegistrySettings{Host: "other.example", Name: "other", Repositories: []string{"team/app"}}
	if err := r.SaveRegistry("", want); err != nil {
		t.Fatal(err)
	}
	got, ok := r.RegistrySettings("other.example")
	if !ok || got.Name != "other" || !slices.Equal(got.Repositories, want.Repositories) {
		t.Errorf("saved %+v, read %+v (%v)", want, got, ok)
	}
	if err := r.RemoveRegistry("other.example"); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.RegistrySettings("other.example"); ok {
		t.Error("the removed registry is still in the config")
	}
	if _, ok := r.RegistrySettings("reg.example:5000"); !ok {
		t.Error("the other registry went with it")
	}
}

// The engine's per-layer events add up to one progress.
func TestTallyAddsUpTheLayers(t *testing.T) {
	var last domain.CopyProgress
	p := ops.Tally(func(c domain.CopyProgress) { last = c })
	p(localcache.Progress{Layer: "l1", Phase: localcache.PhasePushing, Current: 5, Total: 10})
	p(localcache.Progress{Layer: "l2", Phase: localcache.PhasePushed})
	if last.BytesDone != 5 || last.BytesTotal != 10 || last.BlobsDone != 1 || last.BlobsTotal != 2 || len(last.Detail) != 2 {
		t.Errorf("progress %+v", last)
	}
	if ops.Tally(nil) != nil {
		t.Error("no progress wanted, yet a tally")
	}
}

type listerFake struct {
	images []domain.LocalImage
	err    error
}

func (f listerFake) Images(context.Context) (domain.LocalListing, error) {
	return domain.LocalListing{Images: f.images}, f.err
}

// The engine down: status says so, and asks no registry.
func TestStatusWithTheEngineDown(t *testing.T) {
	down := errors.New("engine not reachable")
	if _, err := ops.Status(context.Background(), listerFake{err: down}, nil, nil, false); !errors.Is(err, down) {
		t.Errorf("status: %v", err)
	}
}

// demoRemote is a session on the embedded demo registry (in process) and
// the app's side of it; both end with the test.
func demoRemote(ctx context.Context, t *testing.T) (*ops.Session, *ops.Remote) {
	t.Helper()
	s, err := ops.Open(env(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.StartDemo(ctx); err != nil {
		t.Fatal(err)
	}
	return s, ops.NewRemote(s)
}

// The app's changes, on the embedded demo registry (in process): retag,
// copy, delete a tag as shown, undo it, copy and delete several as one
// batch, retention — each journaled, and each journal entry what it did.
func TestRemoteChangesOnTheDemoRegistry(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, r := demoRemote(ctx, t)
	repo := s.DemoHost + "/fixtures/app"
	app, err := s.Client.Resolve(ctx, repo+":1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	old, err := s.Client.Resolve(ctx, repo+":0.9.0")
	if err != nil {
		t.Fatal(err)
	}
	digestOf := func(ref string) string {
		d, err := s.Client.Resolve(ctx, ref)
		if err != nil {
			return ""
		}
		return d
	}
	if res, err := r.Retag(ctx, repo+":1.0.0", "stable-copy", domain.Overwrite{}); err != nil || res.JournalID == 0 || digestOf(repo+":stable-copy") != app {
		t.Fatalf("retag: %+v %v", res, err)
	}
	// Onto a tag that names another image: refused, naming both.
	var ow *domain.OverwriteError
	if _, err := r.Retag(ctx, repo+":1.0.0", "0.9.0", domain.Overwrite{}); !errors.As(err, &ow) || ow.Existing != old {
		t.Errorf("retag over another image: %v", err)
	}
	if res, err := r.Copy(ctx, repo+":0.9.0", s.DemoHost+"/copies/app:0.9.0", domain.Overwrite{}, nil); err != nil || res.JournalID == 0 {
		t.Fatalf("copy: %+v %v", res, err)
	}
	// A delete as shown: refused when the tag names another digest now.
	if _, err := r.DeleteTag(ctx, repo+":stable-copy", old); !errors.Is(err, registryclient.ErrConflict) {
		t.Errorf("delete of a tag shown at another digest: %v", err)
	}
	if res, err := r.DeleteTag(ctx, repo+":stable-copy", app); err != nil || digestOf(repo+":stable-copy") != "" || digestOf(repo+":1.0.0") != app {
		t.Fatalf("delete: %+v %v", res, err)
	}
	next, err := r.NextUndo(ctx, repo)
	if err != nil || next.Op != domain.OpDeleteTag {
		t.Fatalf("next undo in %s: %+v %v", repo, next, err)
	}
	if _, err := r.Undo(ctx, next); err != nil || digestOf(repo+":stable-copy") != app {
		t.Fatalf("undo: %v; stable-copy is %q", err, digestOf(repo+":stable-copy"))
	}
	// Several at once, one batch each.
	var copied []string
	if err := r.CopyTags(ctx, []domain.TagAt{{Reference: repo + ":1.0.0", Digest: app}, {Reference: repo + ":0.9.0", Digest: old}}, s.DemoHost+"/copies/batch", func(_ domain.TagAt, to string, _ domain.WriteResult, err error) {
		if err == nil {
			copied = append(copied, to)
		}
	}); err != nil || len(copied) != 2 {
		t.Fatalf("copy tags: %v, copied %v", err, copied)
	}
	var deleted int
	if err := r.DeleteTags(ctx, []domain.TagAt{{Reference: s.DemoHost + "/copies/batch:1.0.0", Digest: app}}, func(_ domain.TagAt, _ domain.DeleteResult, err error) {
		if err == nil {
			deleted++
		}
	}); err != nil || deleted != 1 {
		t.Fatalf("delete tags: %v, deleted %d", err, deleted)
	}
	plan, err := r.PlanRetention(ctx, repo, domain.RetentionPolicy{KeepNewest: 1})
	if err != nil || len(plan.Delete) == 0 {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	var gone []string
	if err := r.ApplyRetention(ctx, plan, func(t domain.RetainedTag, _ domain.DeleteResult, err error) {
		if err == nil {
			gone = append(gone, t.Tag)
		}
	}); err != nil || len(gone) != len(plan.Delete) {
		t.Errorf("retention: %v, deleted %v of %d", err, gone, len(plan.Delete))
	}
	for _, k := range plan.Keep {
		if digestOf(repo+":"+k.Tag) == "" {
			t.Errorf("kept %s is gone", k.Tag)
		}
	}
	d, err := r.Describe(ctx, repo+":"+plan.Keep[0].Tag)
	if err != nil || d.Digest == "" {
		t.Errorf("describe: %+v %v", d, err)
	}
	entries, err := s.Journal.Entries()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Outcome == "" {
			t.Errorf("entry %d (%s) has no outcome", e.ID, e.Summary())
		}
	}
}

// Inside the demo's images: packages, reports, what changed between two
// releases — read from the registry alone.
func TestRemoteReadsInsideTheDemoImages(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, r := demoRemote(ctx, t)
	repo := s.DemoHost + "/fixtures/app"
	if _, err := r.Packages(ctx, repo+":1.0.0"); err != nil {
		t.Errorf("packages: %v", err)
	}
	if _, _, err := r.Vulnerabilities(ctx, repo+":1.0.0"); err != nil {
		t.Errorf("vulnerabilities: %v", err)
	}
	files, err := r.FileDiff(ctx, repo+":0.9.0", repo+":1.0.0")
	if err != nil || len(files) == 0 {
		t.Errorf("two releases differ in no file (%v)", err)
	}
	fd, _, _, _, err := r.DeepDiff(ctx, repo+":0.9.0", repo+":1.0.0")
	if err != nil || len(fd) != len(files) {
		t.Errorf("deep diff: %d files (%v), the file diff %d", len(fd), err, len(files))
	}
	if _, err := r.Packages(ctx, repo+":no-such-tag"); !errors.Is(err, registryclient.ErrNotFound) {
		t.Errorf("packages of a missing tag: %v", err)
	}
}

// With the engine down, every change the app asks of it says so and
// changes nothing; reading says so too.
func TestLocalWithTheEngineDown(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := ops.Open(env(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := s.Engine()
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	l := ops.NewLocal(s, eng)
	down := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, localcache.ErrEngineUnreachable) {
			t.Errorf("%s with the engine down: %v", what, err)
		}
	}
	down("tag", l.Tag(ctx, "team/app:1", "team/app:2", domain.Overwrite{}))
	_, err = l.Untag(ctx, "team/app:1", "")
	down("untag", err)
	// Told to replace whatever is there, past the registry it cannot
	// read (nothing listens on port 1), to the engine.
	_, err = l.Push(ctx, "127.0.0.1:1/team/app:1", domain.OverwriteAny, nil)
	down("push", err)
	_, err = l.TagAndPush(ctx, "team/app:1", "127.0.0.1:1/team/app:1", domain.OverwriteAny, nil)
	down("tag and push", err)
	// Without: refused at the registry it cannot read, before the engine.
	var unread *ops.UnreadError
	if _, err = l.Push(ctx, "127.0.0.1:1/team/app:1", domain.Overwrite{}, nil); !errors.As(err, &unread) {
		t.Errorf("push to a registry that cannot be read: %v", err)
	}
	_, err = l.Pull(ctx, "127.0.0.1:1/team/app:1", "", nil)
	down("pull", err)
	_, err = l.Describe(ctx, "team/app:1")
	down("describe", err)
	_, err = l.SyncStatus(ctx)
	down("sync status", err)
	_, err = l.Packages(ctx, "team/app:1")
	down("packages", err)
	if !l.Syncs() {
		t.Error("outside the demo the engine's tags are compared with their registries")
	}
	if l.Batch(ctx) == ctx {
		t.Error("a batch is no batch")
	}
}

type lifecycleFake struct {
	settings domain.RepositorySettings
	infos    []domain.TagInfo
}

func (f lifecycleFake) RepositorySettings(context.Context, string) (domain.RepositorySettings, error) {
	return f.settings, nil
}

func (f lifecycleFake) TagInfos(context.Context, string) ([]domain.TagInfo, error) {
	return f.infos, nil
}

// ECR's lifecycle policy, previewed on the listing's push times.
func TestPlanLifecyclePreviewsThePolicy(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	policy := `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["build-"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`
	f := lifecycleFake{
		settings: domain.RepositorySettings{Repository: "app", LifecyclePolicy: policy},
		infos: []domain.TagInfo{
			{Tag: "build-1", Digest: dOld, Pushed: now.Add(-48 * time.Hour)},
			{Tag: "build-2", Digest: dApp, Pushed: now.Add(-time.Hour)},
		},
	}
	rep, err := ops.PlanLifecycle(context.Background(), f, "123.dkr.ecr.eu-west-1.amazonaws.com/app", now)
	if err != nil || rep.Plan == nil {
		t.Fatalf("lifecycle: %+v %v", rep, err)
	}
	if len(rep.Plan.Delete) != 1 || rep.Plan.Delete[0].Tag != "build-1" {
		t.Errorf("expires %+v, want build-1", rep.Plan.Delete)
	}
	f.settings.LifecyclePolicy = ""
	if rep, err := ops.PlanLifecycle(context.Background(), f, "app", now); err != nil || rep.Plan != nil {
		t.Errorf("no policy: %+v %v", rep, err)
	}
}
