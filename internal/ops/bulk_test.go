package ops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/internal/testenv"
)

// Selected tags copied to another repository keep their tags, at the
// digests shown, as one batch: one undo takes every copy back.
func TestCopyTagsIsOneBatch(t *testing.T) {
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	ctx := testenv.Context(t, 2*time.Minute)
	a, b := fixtures.Spec{Seed: 921, LayerSizes: []int64{200}}, fixtures.Spec{Seed: 922, LayerSizes: []int64{200}}
	if err := fixtures.Push(ctx, reg.Host, []fixtures.Entry{
		{Repo: "bulkcopy/src", Tags: []string{"1.0"}, Image: &a},
		{Repo: "bulkcopy/src", Tags: []string{"2.0"}, Image: &b},
	}, reg.RemoteOptions(ctx, "")...); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKER_CONFIG": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir(), "DOCKER_HOST": "unix:///nonexistent.sock"}
	s, err := ops.Open(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := ops.NewRemote(s)
	da, _ := fixtures.Digest(a)
	db, _ := fixtures.Digest(b)
	src := reg.Repo("bulkcopy/src")
	dest := reg.Repo("bulkcopy/dest")
	var copied []string
	err = r.CopyTags(ctx, []domain.TagAt{{Reference: src + ":1.0", Digest: da}, {Reference: src + ":2.0", Digest: db}}, dest, func(_ domain.TagAt, to string, _ domain.WriteResult, err error) {
		if err != nil {
			t.Errorf("%s: %v", to, err)
		}
		copied = append(copied, to)
	})
	if err != nil || len(copied) != 2 {
		t.Fatalf("copied %v: %v", copied, err)
	}
	for tag, d := range map[string]string{"1.0": da, "2.0": db} {
		if got, err := s.Client.Resolve(ctx, dest+":"+tag); err != nil || got != d {
			t.Errorf("%s:%s is %q (%v), want %s", dest, tag, got, err, d)
		}
	}
	next, err := r.NextUndo(ctx, dest)
	if err != nil || len(next.With) != 1 {
		t.Fatalf("the next undo in %s is %+v (%v), want a batch of two", dest, next, err)
	}
	if _, err := r.Undo(ctx, next); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"1.0", "2.0"} {
		if _, err := s.Client.Resolve(ctx, dest+":"+tag); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("after the undo %s:%s: %v", dest, tag, err)
		}
	}
}
