package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A key binding that names no action stops wharf before the app opens,
// with the file, line and field, as every config mistake does.
func TestBadKeyBindingIsRefusedWithWhere(t *testing.T) {
	xdg := t.TempDir()
	path := filepath.Join(xdg, "wharf", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("keys:\n  tags:\n    delete: D\n    dlete: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runWharf(t, map[string]string{"XDG_CONFIG_HOME": xdg, "DOCKER_CONFIG": t.TempDir(), "DOCKER_HOST": "unix://" + filepath.Join(t.TempDir(), "none.sock")}, "--demo")
	if err == nil || !strings.Contains(err.Error(), path+`:4: keys.tags.dlete: no action "dlete" in tags`) {
		t.Errorf("wharf with a misspelt action: %v\n%s", err, out)
	}
}
