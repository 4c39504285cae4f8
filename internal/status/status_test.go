package status_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/status"
)

var errNotFound = errors.New("not found")

// fakeRemote is registries in memory: what each tag names, each
// repository's tags, each digest's creation time; down registries fail.
type fakeRemote struct {
	mu      sync.Mutex
	digests map[string]string // reference → digest
	tags    map[string][]string
	created map[string]time.Time
	down    map[string]bool
	asked   []string
}

func (f *fakeRemote) Resolve(_ context.Context, ref string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, ref)
	if f.down[strings.SplitN(ref, "/", 2)[0]] {
		return "", fmt.Errorf("%s: unreachable", ref)
	}
	d, ok := f.digests[ref]
	if !ok {
		return "", errNotFound
	}
	return d, nil
}

func (f *fakeRemote) Tags(_ context.Context, repo string) ([]string, error) {
	if f.down[strings.SplitN(repo, "/", 2)[0]] {
		return nil, fmt.Errorf("%s: unreachable", repo)
	}
	t, ok := f.tags[repo]
	if !ok {
		return nil, errNotFound
	}
	return t, nil
}

func (f *fakeRemote) Created(_ context.Context, _ string, digests []string, each func(string, time.Time, error)) error {
	for _, d := range digests {
		t, ok := f.created[d]
		if !ok {
			each(d, time.Time{}, errNotFound)
			continue
		}
		each(d, t, nil)
	}
	return nil
}

func dg(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }

var (
	t0     = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	images = []domain.LocalImage{
		// Pulled from reg.example, and the remote tag still names it.
		{ID: dg('1'), RepoTags: []string{"reg.example/team/app:1.0"}, RepoDigests: []string{"reg.example/team/app@" + dg('a')}, Created: t0},
		// Pulled, but the remote tag moved since: pull the newer.
		{ID: dg('2'), RepoTags: []string{"reg.example/team/app:latest"}, RepoDigests: []string{"reg.example/team/app@" + dg('b')}, Created: t0},
		// Built here, never pushed, and the registry has another image
		// under the tag.
		{ID: dg('3'), RepoTags: []string{"reg.example/team/web:2"}, Created: t0},
		// Not in the registry at all.
		{ID: dg('4'), RepoTags: []string{"reg.example/team/new:1"}, Created: t0},
		// A registry that is down; a registry wharf does not know; Hub.
		{ID: dg('5'), RepoTags: []string{"down.example/x:1", "unknown.example/y:1", "alpine:3.20"}, Created: t0},
		// Dangling: nothing to compare.
		{ID: dg('6'), Dangling: true},
	}
	known = func(host string) bool { return host != "unknown.example" }
)

func sampleRemote() *fakeRemote {
	return &fakeRemote{
		digests: map[string]string{
			"reg.example/team/app:1.0":           dg('a'),
			"reg.example/team/app:latest":        dg('c'),
			"reg.example/team/web:2":             dg('d'),
			"docker.io/library/alpine:3.20":      dg('e'),
			"reg.example/team/app:only-remote-1": dg('f'),
		},
		tags: map[string][]string{
			"reg.example/team/app":     {"1.0", "latest", "only-remote-1"},
			"reg.example/team/web":     {"2"},
			"docker.io/library/alpine": {"3.20", "3.19"},
		},
		created: map[string]time.Time{dg('c'): t0.Add(time.Hour), dg('d'): t0.Add(2 * time.Hour)},
		down:    map[string]bool{"down.example": true},
	}
}

func byRef(ss []domain.SyncStatus) map[string]domain.SyncStatus {
	out := map[string]domain.SyncStatus{}
	for _, s := range ss {
		out[s.Reference] = s
	}
	return out
}

func TestCompareEveryState(t *testing.T) {
	r := sampleRemote()
	got, err := status.Compare(context.Background(), images, r, status.Options{
		Known: known, NotFound: func(err error) bool { return errors.Is(err, errNotFound) },
	})
	if err != nil {
		t.Fatal(err)
	}
	m := byRef(got)
	check := func(ref string, state domain.SyncState, moved bool, remote string) {
		t.Helper()
		s, ok := m[ref]
		switch {
		case !ok:
			t.Errorf("%s not compared: %v", ref, got)
		case s.State != state || s.Moved != moved || s.RemoteDigest != remote:
			t.Errorf("%s: %+v, want %s moved=%v remote %s", ref, s, state, moved, remote)
		}
	}
	check("reg.example/team/app:1.0", domain.SyncUpToDate, false, dg('a'))
	check("reg.example/team/app:latest", domain.SyncStale, true, dg('c'))
	check("reg.example/team/web:2", domain.SyncStale, false, dg('d'))
	check("reg.example/team/new:1", domain.SyncLocalOnly, false, "")
	check("docker.io/library/alpine:3.20", domain.SyncStale, false, dg('e'))
	if s := m["down.example/x:1"]; s.State != domain.SyncUnknown || !strings.Contains(s.Err, "unreachable") {
		t.Errorf("a registry that is down: %+v", s)
	}
	if _, ok := m["unknown.example/y:1"]; ok {
		t.Error("a tag of a registry wharf does not know was compared")
	}
	// Both ages of a stale tag.
	if s := m["reg.example/team/web:2"]; !s.RemoteCreated.Equal(t0.Add(2*time.Hour)) || !s.LocalCreated.Equal(t0) || s.LocalID != dg('3') || s.Local != "reg.example/team/web:2" {
		t.Errorf("stale tag's sides: %+v", s)
	}
	// What to do, in words.
	if a := m["reg.example/team/app:latest"].Action(); !strings.Contains(a, "pull") {
		t.Errorf("moved tag's action %q", a)
	}
	if a := m["reg.example/team/new:1"].Action(); !strings.Contains(a, "push") {
		t.Errorf("local-only tag's action %q", a)
	}
	// Sorted by repository, then tag.
	for i := 1; i < len(got); i++ {
		if got[i-1].Repository > got[i].Repository || got[i-1].Repository == got[i].Repository && got[i-1].Tag > got[i].Tag {
			t.Errorf("not in order at %d: %s after %s", i, got[i].Reference, got[i-1].Reference)
		}
	}
}

func TestCompareOnlyAndRemoteOnly(t *testing.T) {
	r := sampleRemote()
	got, err := status.Compare(context.Background(), images, r, status.Options{
		Known: known, NotFound: func(err error) bool { return errors.Is(err, errNotFound) },
		Only: []string{"reg.example/team/app", "alpine"}, RemoteOnly: true, Concurrency: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, s := range got {
		refs = append(refs, string(s.State)+" "+s.Reference)
	}
	want := []string{
		"up to date reg.example/team/app:1.0", "stale reg.example/team/app:latest", "remote only reg.example/team/app:only-remote-1",
		"stale docker.io/library/alpine:3.20", "remote only docker.io/library/alpine:3.19",
	}
	if len(refs) != len(want) {
		t.Fatalf("got %v, want %v", refs, want)
	}
	for _, w := range want {
		found := false
		for _, r := range refs {
			found = found || r == w
		}
		if !found {
			t.Errorf("missing %q in %v", w, refs)
		}
	}
	// "alpine" means Docker Hub's library/alpine, as docker says it.
	for _, a := range r.asked {
		if strings.Contains(a, "team/web") || strings.Contains(a, "team/new") {
			t.Errorf("asked about %s, which --only left out", a)
		}
	}
}

func TestCompareRemoteOnlyOfARegistryThatIsDown(t *testing.T) {
	r := sampleRemote()
	got, err := status.Compare(context.Background(), images, r, status.Options{
		Known: known, NotFound: func(err error) bool { return errors.Is(err, errNotFound) },
		Only: []string{"down.example"}, RemoteOnly: true, // a bare host: everything there
	})
	if err != nil {
		t.Fatal(err)
	}
	var listing bool
	for _, s := range got {
		listing = listing || s.State == domain.SyncUnknown && strings.HasPrefix(s.Err, "listing tags: ")
	}
	if !listing {
		t.Errorf("the failed tag listing is not reported: %+v", got)
	}
}

func TestCompareStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := status.Compare(ctx, images, sampleRemote(), status.Options{Known: known}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestCompareOnlyABareHost(t *testing.T) {
	got, err := status.Compare(context.Background(), images, sampleRemote(), status.Options{
		Known: known, NotFound: func(err error) bool { return errors.Is(err, errNotFound) }, Only: []string{"reg.example"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Errorf("a bare host prefix compared %d tags, want reg.example's 4: %+v", len(got), got)
	}
}
