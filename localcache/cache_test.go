package localcache_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
)

func openCache(t *testing.T, eng *testenv.Engine, opts ...localcache.Option) *localcache.Cache {
	t.Helper()
	c, err := localcache.Open(localcache.Endpoint{Host: eng.Host}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func byID(l localcache.Listing, id string) *domain.LocalImage {
	for i := range l.Images {
		if l.Images[i].ID == id {
			return &l.Images[i]
		}
	}
	return nil
}

func TestListGroupsTagsAndMarksDangling(t *testing.T) {
	ctx := testenv.Context(t, time.Minute)
	eng := testenv.NeedEngine(t)
	fx := testenv.NeedEngineFixtures(t, eng)
	c := openCache(t, eng)

	l, err := c.List(ctx, localcache.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	app := byID(l, fx.Tagged["wharf-fixtures/app:1.0.0"])
	if app == nil || !slices.Contains(app.RepoTags, "wharf-fixtures/app:1.0.0") || !slices.Contains(app.RepoTags, "wharf-fixtures/app:latest") || app.Dangling {
		t.Errorf("app image should carry both its tags: %+v", app)
	}
	if used := byID(l, fx.UsedImage); used == nil || !slices.Contains(used.Containers, "wharf-fixture-stopped") {
		t.Errorf("image used by the stopped container does not name it: %+v", used)
	}
	var want int64
	for _, id := range fx.Dangling {
		img := byID(l, id)
		if img == nil || !img.Dangling || len(img.RepoTags) != 0 {
			t.Errorf("dangling fixture %s: %+v", id, img)
			continue
		}
		want += img.Size - max(img.SharedSize, 0)
	}
	if l.Dangling < len(fx.Dangling) || l.Reclaimable < want {
		t.Errorf("listing counts %d dangling, %d reclaimable; want at least %d and %d", l.Dangling, l.Reclaimable, len(fx.Dangling), want)
	}

	only, err := c.List(ctx, localcache.ListOptions{DanglingOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range only.Images {
		if !img.Dangling {
			t.Errorf("--dangling listed a tagged image %v", img.RepoTags)
		}
	}
}

func TestInspectAndHistory(t *testing.T) {
	ctx := testenv.Context(t, time.Minute)
	eng := testenv.NeedEngine(t)
	testenv.NeedEngineFixtures(t, eng)
	c := openCache(t, eng)

	d, err := c.Inspect(ctx, "wharf-fixtures/app:1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if d.Labels["dev.wharf.fixture"] != "app" || d.Entrypoint[0] != "/app" || d.Cmd[0] != "--serve" ||
		len(d.Layers) != 3 || d.OS != "linux" || d.Arch != "amd64" || !d.Created.Equal(fixtures.Epoch) {
		t.Errorf("inspect: %+v", d)
	}
	h, err := c.History(ctx, "wharf-fixtures/app:1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 4 || h[0].CreatedBy != fixtures.App.EmptyHistory || h[1].CreatedBy != fixtures.LayerCreatedBy(0, 1024) || h[3].CreatedBy != fixtures.LayerCreatedBy(2, 4096) {
		t.Errorf("history oldest first: %+v", h)
	}
	if _, err := c.Inspect(ctx, "wharf-fixtures/nope:1"); !errors.Is(err, localcache.ErrNotFound) {
		t.Errorf("inspect missing: %v, want ErrNotFound", err)
	}
}

func TestTagGuardsAndMovingLeavesDangling(t *testing.T) {
	ctx := testenv.Context(t, time.Minute)
	eng := testenv.NeedEngine(t)
	fx := testenv.NeedEngineFixtures(t, eng)
	c := openCache(t, eng)
	soloID, err := testenv.LoadImage(ctx, eng, "wharf-test/solo:1", fixtures.Spec{Seed: 501, LayerSizes: []int64{321}})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := c.Tag(ctx, "wharf-fixtures/deep:latest", "Bad Tag!", localcache.TagOptions{}); !errors.Is(err, localcache.ErrInvalidReference) {
		t.Errorf("invalid target: %v, want ErrInvalidReference", err)
	}
	_, err = c.Tag(ctx, "wharf-fixtures/deep:latest", "wharf-test/solo:1", localcache.TagOptions{})
	var conflict *localcache.TagConflict
	if !errors.Is(err, localcache.ErrTagExists) || !errors.As(err, &conflict) || conflict.CurrentID != soloID || !conflict.WouldDangle {
		t.Fatalf("tag onto an existing tag: %v (%+v), want ErrTagExists that says solo would dangle", err, conflict)
	}
	if img, _ := c.Inspect(ctx, "wharf-test/solo:1"); img.ID != soloID {
		t.Fatalf("a refused tag moved the tag anyway")
	}

	res, err := c.Tag(ctx, "wharf-fixtures/deep:latest", "wharf-test/solo:1", localcache.TagOptions{Overwrite: domain.OverwriteAny})
	if err != nil || res.Moved == nil || res.Target != "wharf-test/solo:1" {
		t.Fatalf("overwrite: %+v %v", res, err)
	}
	l, err := c.List(ctx, localcache.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := byID(l, soloID); img == nil || !img.Dangling {
		t.Errorf("the image the tag moved off is not listed as dangling: %+v", img)
	}
	if img := byID(l, fx.Tagged["wharf-fixtures/deep:latest"]); img == nil || !slices.Contains(img.RepoTags, "wharf-test/solo:1") {
		t.Errorf("deep does not carry the moved tag: %+v", img)
	}
}

func TestRemoveConflictsAreTypedAndChangeNothing(t *testing.T) {
	ctx := testenv.Context(t, time.Minute)
	eng := testenv.NeedEngine(t)
	fx := testenv.NeedEngineFixtures(t, eng)
	c := openCache(t, eng)

	_, err := c.Untag(ctx, "wharf-fixtures/app:0.9.0", localcache.RemoveOptions{})
	if !errors.Is(err, localcache.ErrInUse) || !strings.Contains(err.Error(), "stopped container wharf-fixture-stopped") {
		t.Errorf("untag of an image a stopped container uses: %v", err)
	}
	_, err = c.Remove(ctx, fx.Tagged["wharf-fixtures/app:1.0.0"], localcache.RemoveOptions{})
	if !errors.Is(err, localcache.ErrMultipleReferences) {
		t.Errorf("remove by ID of an image with two tags: %v, want ErrMultipleReferences", err)
	}
	if d, err := c.Inspect(ctx, "wharf-fixtures/app:0.9.0"); err != nil || d.ID != fx.UsedImage {
		t.Errorf("refused removal changed the image: %v", err)
	}

	if _, err := c.Tag(ctx, "wharf-fixtures/app:1.0.0", "wharf-test/extra:1", localcache.TagOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Untag(ctx, "wharf-test/extra:1", localcache.RemoveOptions{})
	if err != nil || !slices.Equal(res.Untagged, []string{"wharf-test/extra:1"}) || len(res.Deleted) != 0 {
		t.Errorf("untag of one of several tags: %+v %v", res, err)
	}
}

// The cleanup preview lists exactly what prune then removes; images a
// container keeps and tagged images stay. On an engine of its own.
func TestPrunePreviewEqualsPrune(t *testing.T) {
	ctx := testenv.Context(t, 2*time.Minute)
	eng := testenv.NeedPrivateEngine(t)
	fx, err := testenv.LoadEngineFixtures(ctx, eng)
	if err != nil {
		t.Fatal(err)
	}
	c := openCache(t, eng)
	// A dangling image a container still uses: tag, create a container, move the tag.
	blockedID, err := testenv.LoadImage(ctx, eng, "wharf-test/blocked:1", fixtures.Spec{Seed: 502, LayerSizes: []int64{222}})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := eng.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if _, err := testenv.CreateContainer(ctx, cli, "blocker", "wharf-test/blocked:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tag(ctx, "wharf-fixtures/deep:latest", "wharf-test/blocked:1", localcache.TagOptions{Overwrite: domain.OverwriteAny}); err != nil {
		t.Fatal(err)
	}

	plan, err := c.PrunePreview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var planned []string
	for _, d := range plan.Remove {
		planned = append(planned, d.ID)
	}
	slices.Sort(planned)
	want := slices.Sorted(slices.Values(fx.Dangling))
	if !slices.Equal(planned, want) {
		t.Errorf("preview removes %v, want the dangling fixtures %v", planned, want)
	}
	if len(plan.Blocked) != 1 || plan.Blocked[0].ID != blockedID || !slices.Contains(plan.Blocked[0].BlockedBy, "blocker") {
		t.Errorf("preview blocked %+v, want %s kept by container blocker", plan.Blocked, blockedID)
	}

	res, err := c.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	removed := slices.Sorted(slices.Values(res.Removed))
	if !slices.Equal(removed, planned) {
		t.Errorf("prune removed %v, preview said %v", removed, planned)
	}
	if res.SpaceReclaimed == 0 {
		t.Errorf("prune reclaimed no space")
	}
	l, err := c.List(ctx, localcache.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Tagged maps each reference to the image it names now.
	for ref, id := range fx.Tagged {
		if byID(l, id) == nil {
			t.Errorf("prune removed tagged image %s", ref)
		}
	}
	if byID(l, blockedID) == nil {
		t.Errorf("prune removed an image a container uses")
	}
}

func TestEventsForTagAndUntag(t *testing.T) {
	ctx := testenv.Context(t, time.Minute)
	eng := testenv.NeedEngine(t)
	testenv.NeedEngineFixtures(t, eng)
	c := openCache(t, eng)
	events := c.Watch(ctx)
	time.Sleep(200 * time.Millisecond) // let the subscription start

	if _, err := c.Tag(ctx, "wharf-fixtures/deep:latest", "wharf-test/events:1", localcache.TagOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Untag(ctx, "wharf-test/events:1", localcache.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, want := range []string{"tag", "untag"} {
		for {
			select {
			case e := <-events:
				if e.Kind != localcache.EventImage {
					continue
				}
				seen = append(seen, e.Action+" "+e.Name)
				if e.Action != want {
					continue
				}
			case <-ctx.Done():
				t.Fatalf("no %s event; saw %v", want, seen)
			}
			break
		}
	}
}

// An engine that stops is a typed "not reachable"; Watch says so, and says
// when it is back.
func TestEngineStoppedThenReconnected(t *testing.T) {
	ctx := testenv.Context(t, 2*time.Minute)
	eng := testenv.NeedPrivateEngine(t)
	c := openCache(t, eng)
	events := c.Watch(ctx)
	if _, err := c.List(ctx, localcache.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Halt(); err != nil {
		t.Fatal(err)
	}
	_, err := c.List(ctx, localcache.ListOptions{})
	if !errors.Is(err, localcache.ErrEngineUnreachable) || !strings.Contains(err.Error(), "engine not reachable at "+eng.Host) {
		t.Fatalf("list with the engine stopped: %v", err)
	}
	expect(ctx, t, events, localcache.EventDisconnected)
	if err := eng.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	expect(ctx, t, events, localcache.EventReconnected)
	if _, err := c.List(ctx, localcache.ListOptions{}); err != nil {
		t.Errorf("list after the engine is back: %v", err)
	}
}

func expect(ctx context.Context, t *testing.T, events <-chan localcache.Event, kind localcache.EventKind) {
	t.Helper()
	for {
		select {
		case e := <-events:
			if e.Kind == kind {
				return
			}
		case <-ctx.Done():
			t.Fatalf("no %s event", kind)
		}
	}
}

// A local image's details are what docker image inspect and docker history
// say: the history entry by entry as the engine's own /images/{id}/history
// (oldest first), each layer sized from it, and the containers using it.
func TestInspectIsWhatTheEngineKnows(t *testing.T) {
	ctx := testenv.Context(t, time.Minute)
	eng := testenv.NeedEngine(t)
	fx := testenv.NeedEngineFixtures(t, eng)
	c := openCache(t, eng)
	cli, err := eng.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	for _, ref := range []string{"wharf-fixtures/app:0.9.0", "wharf-fixtures/deep:latest", fx.Dangling[0]} {
		d, err := c.Inspect(ctx, ref)
		if err != nil {
			t.Fatalf("inspect %s: %v", ref, err)
		}
		raw, err := cli.ImageHistory(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.History) != len(raw.Items) {
			t.Fatalf("%s: %d history entries, the engine %d", ref, len(d.History), len(raw.Items))
		}
		var sized []int64
		for i, h := range d.History {
			e := raw.Items[len(raw.Items)-1-i] // the engine answers newest first
			if h.CreatedBy != e.CreatedBy || h.Size != e.Size || h.Comment != e.Comment || h.ID != e.ID || !h.Created.Equal(time.Unix(e.Created, 0)) {
				t.Errorf("%s step %d: %+v, the engine: %+v", ref, i, h, e)
			}
			if !h.EmptyLayer {
				sized = append(sized, h.Size)
			}
		}
		if len(d.Layers) != len(sized) || !d.Local.LayerSizes {
			t.Fatalf("%s: %d layers, %d steps that made one (sizes known: %v)", ref, len(d.Layers), len(sized), d.Local.LayerSizes)
		}
		for i, l := range d.Layers {
			if l.Size != sized[i] || l.Digest != d.DiffIDs[i] {
				t.Errorf("%s layer %d: %+v, want size %d", ref, i, l, sized[i])
			}
		}
		if d.Local == nil {
			t.Fatalf("%s: no local facts", ref)
		}
	}
	used, err := c.Inspect(ctx, "wharf-fixtures/app:0.9.0")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(used.Local.Containers, domain.ContainerUse{Name: "wharf-fixture-stopped", State: "created"}) {
		t.Errorf("containers of the used image: %+v", used.Local.Containers)
	}
	if free, err := c.Inspect(ctx, "wharf-fixtures/deep:latest"); err != nil || len(free.Local.Containers) != 0 {
		t.Errorf("containers of an unused image: %+v %v", free.Local, err)
	}
}

// A WORKDIR step makes a layer the engine sizes 0, like the steps that
// make none: the layers' sizes are then said to be unknown, never guessed.
func TestLayerSizesUnknownWhenStepsAndLayersDisagree(t *testing.T) {
	ctx := testenv.Context(t, time.Minute)
	eng := testenv.NeedEngine(t)
	testenv.BuildSteps(t, eng, "wharf-test/workdir:1")
	d, err := openCache(t, eng).Inspect(ctx, "wharf-test/workdir:1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Local.LayerSizes || len(d.Layers) != 3 {
		t.Errorf("layers %+v, sizes known %v: want 3 layers (COPY, WORKDIR, COPY), sizes unknown", d.Layers, d.Local.LayerSizes)
	}
}
