package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// A command that asks a registry runs under a deadline; one that asks
// only the engine or wharf's own files (a prune may take long and say
// nothing) does not.
func TestRegistryCommandsRunUnderADeadline(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		deadline bool
	}{
		{[]string{"tags", "127.0.0.1:1/team/app"}, true},
		{[]string{"rmtag", "127.0.0.1:1/team/app:1"}, true},
		{[]string{"journal"}, false},
		{[]string{"prune", "--dry-run"}, false},
	} {
		env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir(), "DOCKER_CONFIG": t.TempDir(), "DOCKER_HOST": "unix:///nonexistent.sock"}
		var out bytes.Buffer
		a := &app{env: func(k string) string { return env[k] }, stdout: &out, stderr: &out}
		cmd := newRootCmd(a)
		cmd.SetArgs(tc.args)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_ = cmd.ExecuteContext(ctx)
		cancel()
		if got := a.stopDeadline != nil; got != tc.deadline {
			t.Errorf("wharf %v: deadline %v, want %v", tc.args, got, tc.deadline)
		}
		if a.stopDeadline != nil {
			a.stopDeadline()
		}
	}
}
