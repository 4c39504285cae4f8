package main

import (
	"strings"
	"testing"
)

func TestVersionAndHelp(t *testing.T) {
	out, err := runWharf(t, map[string]string{}, "--version")
	if err != nil || !strings.HasPrefix(out, "wharf version ") {
		t.Errorf("--version: %v %q", err, out)
	}
	out, err = runWharf(t, map[string]string{}, "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage:", "wharf [flags]", "doctor", "--demo"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
	if _, err := runWharf(t, map[string]string{}, "no-such-command"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
}
