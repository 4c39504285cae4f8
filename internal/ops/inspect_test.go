package ops_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// "Is what I built what is in the registry", without pushing: a local
// image against the pushed one is the same image; rebuilt with one layer
// changed, the comparison names that layer on each side, the shared ones,
// and the config change — the same diff as between two remote tags.
func TestCompareALocalImageWithTheRegistrys(t *testing.T) {
	eng := testenv.NeedEngine(t)
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	ctx := testenv.Context(t, 2*time.Minute)
	built := fixtures.Spec{Seed: 61, LayerSizes: []int64{300, 400, 500}, Labels: map[string]string{"version": "1"}}
	rebuilt := fixtures.Spec{Seed: 61, LayerSizes: []int64{300, 400, 501}, Labels: map[string]string{"version": "2"}}
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{{Repo: "compare/app", Tags: []string{"1"}, Image: &built}}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	ref := reg.Repo("compare/app:1")
	if _, err := testenv.LoadImage(ctx, eng, ref, built); err != nil {
		t.Fatal(err)
	}
	lc, err := localcache.Open(localcache.Endpoint{Host: eng.Host})
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()
	rc, err := registryclient.New(registryclient.WithTransport(reg.Transport()))
	if err != nil {
		t.Fatal(err)
	}
	same, err := ops.CompareLocal(ctx, lc, rc, ref, ref, true)
	if err != nil {
		t.Fatal(err)
	}
	if !same.Same() {
		t.Errorf("the image as pushed compares as different: %+v", same)
	}

	if _, err := testenv.LoadImage(ctx, eng, ref, rebuilt); err != nil {
		t.Fatal(err)
	}
	d, err := ops.CompareLocal(ctx, lc, rc, ref, ref, true)
	if err != nil {
		t.Fatal(err)
	}
	local, remote := d.A, d.B
	if d.Same() || local.Local == nil || remote.Local != nil {
		t.Fatalf("sides: local %v, remote %v, same %v", local.Local != nil, remote.Local == nil, d.Same())
	}
	if len(d.LayersShared) != 2 || d.LayersShared[0].Digest != remote.DiffIDs[0] || d.LayersShared[1].Digest != remote.DiffIDs[1] {
		t.Errorf("shared layers %+v, want the first two diff IDs %v", d.LayersShared, remote.DiffIDs[:2])
	}
	if len(d.LayersRemoved) != 1 || d.LayersRemoved[0].Digest != local.DiffIDs[2] || d.LayersRemoved[0].Size == 0 {
		t.Errorf("only in the local image: %+v, want its third layer %s with its size", d.LayersRemoved, local.DiffIDs[2])
	}
	if len(d.LayersAdded) != 1 || d.LayersAdded[0].Digest != remote.DiffIDs[2] || d.LayersAdded[0].Size == 0 {
		t.Errorf("only in the registry: %+v, want its third layer %s with its size", d.LayersAdded, remote.DiffIDs[2])
	}
	if !slices.Contains(d.Config, domain.ValueChange{Key: "label:version", Old: "2", New: "1"}) {
		t.Errorf("config changes %+v", d.Config)
	}
	if !slices.ContainsFunc(d.HistoryAdded, func(h string) bool { return strings.Contains(h, "500 bytes") }) {
		t.Errorf("history changes: + %v - %v", d.HistoryAdded, d.HistoryRemoved)
	}
	// The other way round: the registry's image first.
	if back, err := ops.CompareLocal(ctx, lc, rc, ref, ref, false); err != nil || back.A.Local != nil || back.B.Local == nil || len(back.LayersAdded) != 1 || back.LayersAdded[0].Digest != local.DiffIDs[2] {
		t.Errorf("registry first: %+v %v", back, err)
	}
}

// With the registry unreachable, Details of a tag read before is what
// wharf read then, noted as offline with its age; one never read is the
// error.
func TestDetailsOfflineAreWhatWasReadBefore(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	proxy := testenv.StartProxy(t, reg)
	ctx := testenv.Context(t, time.Minute)
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir(), "DOCKER_HOST": "unix:///nonexistent.sock"}
	s, err := ops.Open(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := ops.NewRemote(s)
	online, err := r.Describe(ctx, proxy.Repo("fixtures/app:1.0.0"))
	if err != nil || len(online.Notes) != 0 {
		t.Fatalf("online: %v %v", err, online.Notes)
	}
	proxy.Inject(func(*http.Request) bool { return true }, testenv.Fault{Reset: true})
	off, err := r.Describe(ctx, proxy.Repo("fixtures/app:1.0.0"))
	if err != nil || off.Digest != online.Digest || len(off.Layers) != len(online.Layers) {
		t.Fatalf("offline: %+v %v", off, err)
	}
	if len(off.Notes) != 1 || !strings.Contains(off.Notes[0], "offline") || !strings.Contains(off.Notes[0], "<1m ago") {
		t.Errorf("offline details are not said to be: %q", off.Notes)
	}
	if _, err := r.Describe(ctx, proxy.Repo("fixtures/app:0.9.0")); !errors.Is(err, registryclient.ErrUnreachable) {
		t.Errorf("a tag never read, offline: %v", err)
	}
}
