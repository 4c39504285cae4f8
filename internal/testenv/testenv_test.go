package testenv_test

import (
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// Every registry variant takes a push, lists tags and serves manifests of the
// seeded fixtures with the digests the fixtures have.
func TestRegistryVariantsPushListPull(t *testing.T) {
	app, err := fixtures.Image(fixtures.App)
	if err != nil {
		t.Fatal(err)
	}
	appDigest, err := app.Digest()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range testenv.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			ctx := testenv.Context(t, 2*time.Minute)
			reg := testenv.NeedRegistry(t, kind)
			opts := reg.RemoteOptions(ctx, "")

			pushed, err := random.Image(512, 2)
			if err != nil {
				t.Fatal(err)
			}
			ref := testenv.Ref(t, reg.Repo("it/push:"+string(kind)))
			if err := remote.Push(ref, pushed, opts...); err != nil {
				t.Fatalf("push to %s registry: %v", kind, err)
			}
			desc, err := remote.Head(ref, opts...)
			if err != nil {
				t.Fatalf("HEAD after push: %v", err)
			}
			if want, _ := pushed.Digest(); desc.Digest != want {
				t.Errorf("pushed digest %s, registry has %s", want, desc.Digest)
			}

			tags, err := remote.List(testenv.Ref(t, reg.Repo("fixtures/app")).Context(), opts...)
			if err != nil {
				t.Fatalf("list tags: %v", err)
			}
			for _, want := range append(slices.Clone(fixtures.SharedTags), "0.9.0", "1.1.0-rc.1") {
				if !slices.Contains(tags, want) {
					t.Errorf("tags of fixtures/app = %v, missing %q", tags, want)
				}
			}

			got, err := remote.Get(testenv.Ref(t, reg.Repo("fixtures/app:stable")), opts...)
			if err != nil {
				t.Fatalf("get manifest: %v", err)
			}
			if got.Digest != appDigest {
				t.Errorf("fixtures/app:stable is %s, want the App fixture %s", got.Digest, appDigest)
			}

			idx, err := remote.Index(testenv.Ref(t, reg.Repo("fixtures/multiarch:latest")), opts...)
			if err != nil {
				t.Fatalf("get index: %v", err)
			}
			im, err := idx.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			var platforms []string
			for _, m := range im.Manifests {
				platforms = append(platforms, m.Platform.String())
			}
			if !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64/v8"}) {
				t.Errorf("multiarch platforms = %v", platforms)
			}
		})
	}
}

// distribution v3 deletes a manifest by tag and keeps the digest's other
// tags; registry:2 2.8 refuses a delete by tag. wharf's delete-tag must handle
// both, so the environment must really differ.
func TestDeleteByTagDiffersBetweenRegistryVersions(t *testing.T) {
	for _, tc := range []struct {
		kind   testenv.Kind
		status int
	}{
		{testenv.Anonymous, http.StatusBadRequest},
		{testenv.V3, http.StatusAccepted},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			ctx := testenv.Context(t, 2*time.Minute)
			reg := testenv.NeedRegistry(t, tc.kind)
			opts := reg.RemoteOptions(ctx, "")
			img, err := random.Image(256, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, tag := range []string{"a", "b"} {
				if err := remote.Push(testenv.Ref(t, reg.Repo("it/deltag:"+tag)), img, opts...); err != nil {
					t.Fatal(err)
				}
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodDelete, reg.URL()+"/v2/it/deltag/manifests/a", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := (&http.Client{Transport: reg.Transport()}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("DELETE by tag on %s: status %d, want %d", tc.kind, resp.StatusCode, tc.status)
			}
			if _, err := remote.Head(testenv.Ref(t, reg.Repo("it/deltag:b")), opts...); err != nil {
				t.Errorf("sibling tag b is gone after deleting a: %v", err)
			}
		})
	}
}

// The private engine loads the fixtures: tagged images, two dangling images
// and a stopped container that uses one image.
func TestEngineFixtures(t *testing.T) {
	ctx := testenv.Context(t, 2*time.Minute)
	eng := testenv.NeedEngine(t)
	fx := testenv.NeedEngineFixtures(t, eng)
	cli, err := eng.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	ping, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		t.Fatalf("ping private engine: %v", err)
	}
	t.Logf("private engine at %s speaks API %s", eng.Host, ping.APIVersion)

	list, err := cli.ImageList(ctx, client.ImageListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string][]string{}
	for _, img := range list.Items {
		byID[img.ID] = img.RepoTags
	}
	for ref, id := range fx.Tagged {
		if ref == "wharf-fixtures/moving:latest" && id != fx.Tagged[ref] {
			continue
		}
		if _, ok := byID[id]; !ok {
			t.Errorf("image %s (%s) not in the engine", ref, id)
		}
	}
	if got := byID[fx.Tagged["wharf-fixtures/app:1.0.0"]]; !slices.Contains(got, "wharf-fixtures/app:latest") {
		t.Errorf("app:1.0.0 and app:latest should be one image, tags = %v", got)
	}
	for _, id := range fx.Dangling {
		tags, ok := byID[id]
		if !ok {
			t.Errorf("dangling image %s missing from the engine", id)
		}
		for _, tag := range tags {
			if tag != "<none>:<none>" {
				t.Errorf("dangling image %s still has tag %s", id, tag)
			}
		}
	}

	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range cs.Items {
		if c.ID == fx.StoppedContainer {
			found = true
			if c.ImageID != fx.UsedImage || c.State == "running" {
				t.Errorf("stopped container: image %s state %s", c.ImageID, c.State)
			}
		}
	}
	if !found {
		t.Errorf("stopped container %s not listed", fx.StoppedContainer)
	}
}

// The engine pushes to the test registry (127.0.0.0/8 is insecure to dockerd
// by default) and the pushed image keeps its image ID.
func TestEnginePushesToRegistry(t *testing.T) {
	ctx := testenv.Context(t, 2*time.Minute)
	eng := testenv.NeedEngine(t)
	fx := testenv.NeedEngineFixtures(t, eng)
	reg := testenv.NeedRegistry(t, testenv.Anonymous)
	cli, err := eng.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	target := reg.Repo("engine/app:pushed")
	if _, err := cli.ImageTag(ctx, client.ImageTagOptions{Source: "wharf-fixtures/app:1.0.0", Target: target}); err != nil {
		t.Fatal(err)
	}
	resp, err := cli.ImagePush(ctx, target, client.ImagePushOptions{RegistryAuth: "e30="})
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Wait(ctx); err != nil {
		t.Fatalf("engine push: %v", err)
	}
	img, err := remote.Image(testenv.Ref(t, target), reg.RemoteOptions(ctx, "")...)
	if err != nil {
		t.Fatalf("pulling what the engine pushed: %v", err)
	}
	cfg, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.String() != fx.Tagged["wharf-fixtures/app:1.0.0"] {
		t.Errorf("registry image config %s, engine image ID %s", cfg, fx.Tagged["wharf-fixtures/app:1.0.0"])
	}
}
