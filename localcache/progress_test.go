package localcache

import (
	"testing"

	"github.com/moby/moby/api/types/jsonstream"
)

func TestParseProgress(t *testing.T) {
	d := "sha256:" + "ab12000000000000000000000000000000000000000000000000000000000000"[:64]
	for _, tc := range []struct {
		msg  jsonstream.Message
		want Progress
	}{
		{jsonstream.Message{ID: "a1", Status: "Preparing"}, Progress{Layer: "a1", Phase: PhasePreparing, Status: "Preparing"}},
		{jsonstream.Message{ID: "a1", Status: "Pushing", Progress: &jsonstream.Progress{Current: 5, Total: 10}}, Progress{Layer: "a1", Phase: PhasePushing, Status: "Pushing", Current: 5, Total: 10}},
		{jsonstream.Message{ID: "a1", Status: "Layer already exists"}, Progress{Layer: "a1", Phase: PhaseExists, Status: "Layer already exists"}},
		{jsonstream.Message{ID: "a1", Status: "Mounted from team/base"}, Progress{Layer: "a1", Phase: PhaseMounted, Status: "Mounted from team/base", MountedFrom: "team/base"}},
		{jsonstream.Message{ID: "a1", Status: "Retrying in 5 seconds"}, Progress{Layer: "a1", Phase: PhaseRetrying, Status: "Retrying in 5 seconds"}},
		{jsonstream.Message{ID: "1.0", Status: "1.0: digest: " + d + " size: 949"}, Progress{Phase: PhaseDigest, Status: "1.0: digest: " + d + " size: 949", Digest: d}},
		{jsonstream.Message{Status: "Digest: " + d}, Progress{Phase: PhaseDigest, Status: "Digest: " + d, Digest: d}},
		{jsonstream.Message{ID: "b2", Status: "Downloading", Progress: &jsonstream.Progress{Current: 1, Total: 2}}, Progress{Layer: "b2", Phase: PhaseDownloading, Status: "Downloading", Current: 1, Total: 2}},
		{jsonstream.Message{ID: "b2", Status: "Pull complete"}, Progress{Layer: "b2", Phase: PhasePullComplete, Status: "Pull complete"}},
		{jsonstream.Message{Status: "Status: Image is up to date for x:1"}, Progress{Phase: PhaseStatus, Status: "Status: Image is up to date for x:1"}},
	} {
		if got := parseProgress(tc.msg); got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.msg.Status, got, tc.want)
		}
	}
}

func TestParseTag(t *testing.T) {
	for in, want := range map[string]string{
		"app":                 "app:latest",
		"docker.io/library/a": "a:latest",
		"ghcr.io/o/app:1.0":   "ghcr.io/o/app:1.0",
		"127.0.0.1:5000/x/y":  "127.0.0.1:5000/x/y:latest",
	} {
		got, err := ParseTag(in)
		if err != nil || got != want {
			t.Errorf("ParseTag(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "team/UPPER", "a:b:c", "app@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "x:" + string(make([]byte, 200))} {
		if _, err := ParseTag(bad); err == nil {
			t.Errorf("ParseTag(%q) accepted", bad)
		}
	}
}
