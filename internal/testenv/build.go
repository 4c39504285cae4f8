package testenv

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
)

// BuildSteps builds FROM scratch in four steps with the classic builder
// (a WORKDIR among them: a layer of size 0 by the engine's count),
// which keeps an image per step: the intermediates docker images -a shows.
func BuildSteps(t testing.TB, eng *Engine, tag string) {
	t.Helper()
	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	for name, body := range map[string]string{
		"Dockerfile": "FROM scratch\nCOPY a /a\nWORKDIR /srv\nCOPY b /b\nLABEL dev.wharf.fixture=steps\n",
		"a":          "first step\n", "b": "second step\n",
	} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	cli, err := eng.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	res, err := cli.ImageBuild(Context(t, 2*time.Minute), &ctxTar, client.ImageBuildOptions{Tags: []string{tag}, Version: build.BuilderV1, Remove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if strings.Contains(string(out), `"error"`) {
		t.Fatalf("build: %s", out)
	}
}
