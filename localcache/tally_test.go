package localcache_test

import (
	"slices"
	"testing"

	"github.com/wharf-dev/wharf/localcache"
)

func TestTallyAddsUpLayers(t *testing.T) {
	var tl localcache.Tally
	events := []localcache.Progress{
		{Layer: "bbb", Phase: localcache.PhasePreparing},
		{Layer: "aaa", Phase: localcache.PhasePushing, Current: 100, Total: 400},
		{Layer: "bbb", Phase: localcache.PhaseExists},
		{Layer: "aaa", Phase: localcache.PhasePushing, Current: 300, Total: 400},
		{Phase: localcache.PhaseDigest, Digest: "sha256:x"},
	}
	var done, total int64
	var layersDone, layers int
	for _, e := range events {
		done, total, layersDone, layers = tl.Add(e)
	}
	if done != 300 || total != 400 || layersDone != 1 || layers != 2 {
		t.Errorf("tally %d/%d bytes, %d/%d layers; want 300/400, 1/2", done, total, layersDone, layers)
	}
	done, _, layersDone, _ = tl.Add(localcache.Progress{Layer: "aaa", Phase: localcache.PhasePushed})
	if done != 400 || layersDone != 2 {
		t.Errorf("after aaa pushed: %d bytes, %d layers done", done, layersDone)
	}
	if got := tl.Lines(); !slices.Equal(got, []string{"aaa  pushed  400/400 bytes", "bbb  already exists"}) {
		t.Errorf("lines %q", got)
	}
}
