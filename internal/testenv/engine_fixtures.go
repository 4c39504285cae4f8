package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/fixtures"
)

// Specs of the images whose tag moves, leaving the first one dangling.
var (
	movingOld  = fixtures.Spec{Seed: 7, LayerSizes: []int64{700}, Labels: map[string]string{"dev.wharf.fixture": "moving-old"}}
	movingNew  = fixtures.Spec{Seed: 8, LayerSizes: []int64{800}, Labels: map[string]string{"dev.wharf.fixture": "moving-new"}}
	rebuiltOld = fixtures.Spec{Seed: 9, LayerSizes: []int64{900}, Labels: map[string]string{"dev.wharf.fixture": "rebuilt-old"}}
	rebuiltNew = fixtures.Spec{Seed: 10, LayerSizes: []int64{1000}, Labels: map[string]string{"dev.wharf.fixture": "rebuilt-new"}}
)

// EngineFixtures are the facts of what LoadEngineFixtures put in the engine.
type EngineFixtures struct {
	// Tagged maps each loaded reference to its image ID (the config digest).
	Tagged map[string]string
	// Dangling lists the image IDs left without a tag by a tag moving on.
	Dangling []string
	// StoppedContainer is the ID of a created, never started container that
	// uses UsedImage.
	StoppedContainer string
	UsedImage        string
}

var engineFixtures struct {
	once sync.Once
	fx   *EngineFixtures
	err  error
}

// NeedEngineFixtures starts the engine and loads the fixtures once per test
// binary; tests must not remove what it lists (copy an image under a new tag
// and change that instead).
func NeedEngineFixtures(tb testing.TB, e *Engine) *EngineFixtures {
	tb.Helper()
	engineFixtures.once.Do(func() {
		engineFixtures.fx, engineFixtures.err = LoadEngineFixtures(context.Background(), e)
	})
	if engineFixtures.err != nil {
		tb.Fatal("loading engine fixtures: ", engineFixtures.err)
	}
	return engineFixtures.fx
}

// LoadEngineFixtures loads the fixture images into the engine: the app in
// three tags, the 24-layer image, two tags that moved to new images (leaving
// two dangling images), and creates a stopped container.
func LoadEngineFixtures(ctx context.Context, e *Engine) (*EngineFixtures, error) {
	cli, err := e.Client()
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	fx := &EngineFixtures{Tagged: map[string]string{}}
	batches := []map[string]fixtures.Spec{
		{
			"wharf-fixtures/app:1.0.0":   fixtures.App,
			"wharf-fixtures/app:latest":  fixtures.App,
			"wharf-fixtures/app:0.9.0":   fixtures.AppOld,
			"wharf-fixtures/deep:latest": fixtures.Deep,
		},
		{"wharf-fixtures/moving:latest": movingOld, "wharf-fixtures/rebuilt:latest": rebuiltOld},
		{"wharf-fixtures/moving:latest": movingNew, "wharf-fixtures/rebuilt:latest": rebuiltNew},
	}
	for _, batch := range batches {
		if err := loadImages(ctx, cli, batch, fx.Tagged); err != nil {
			return nil, err
		}
	}
	for _, spec := range []fixtures.Spec{movingOld, rebuiltOld} {
		id, err := imageID(spec)
		if err != nil {
			return nil, err
		}
		fx.Dangling = append(fx.Dangling, id)
	}

	fx.UsedImage = fx.Tagged["wharf-fixtures/app:0.9.0"]
	if fx.StoppedContainer, err = CreateContainer(ctx, cli, "wharf-fixture-stopped", "wharf-fixtures/app:0.9.0"); err != nil {
		return nil, fmt.Errorf("creating the stopped container: %w", err)
	}
	return fx, nil
}

// LoadImage loads one fixture image into the engine under ref and returns
// its image ID.
func LoadImage(ctx context.Context, e *Engine, ref string, spec fixtures.Spec) (string, error) {
	cli, err := e.Client()
	if err != nil {
		return "", err
	}
	defer cli.Close()
	ids := map[string]string{}
	if err := loadImages(ctx, cli, map[string]fixtures.Spec{ref: spec}, ids); err != nil {
		return "", err
	}
	return ids[ref], nil
}

// LoadImages loads fixture images into the engine in one go, and returns
// each reference's image ID.
func LoadImages(ctx context.Context, e *Engine, refs map[string]fixtures.Spec) (map[string]string, error) {
	cli, err := e.Client()
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	ids := map[string]string{}
	return ids, loadImages(ctx, cli, refs, ids)
}

func imageID(s fixtures.Spec) (string, error) {
	img, err := fixtures.Image(s)
	if err != nil {
		return "", err
	}
	h, err := img.ConfigName()
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// loadImages writes the images as one docker-save tarball and loads it,
// recording each reference's image ID in ids.
func loadImages(ctx context.Context, cli *client.Client, refs map[string]fixtures.Spec, ids map[string]string) error {
	byRef := map[name.Reference]v1.Image{}
	for ref, spec := range refs {
		tag, err := name.NewTag(ref)
		if err != nil {
			return err
		}
		img, err := fixtures.Image(spec)
		if err != nil {
			return err
		}
		byRef[tag] = img
		id, err := img.ConfigName()
		if err != nil {
			return err
		}
		ids[ref] = id.String()
	}
	var buf bytes.Buffer
	if err := tarball.MultiRefWrite(byRef, &buf); err != nil {
		return err
	}
	resp, err := cli.ImageLoad(ctx, &buf, client.ImageLoadWithQuiet(true))
	if err != nil {
		return fmt.Errorf("loading fixtures: %w", err)
	}
	defer resp.Close()
	return jsonStreamError(resp)
}

// jsonStreamError reads an engine JSON message stream to its end and returns
// the first error it carries.
func jsonStreamError(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var msg struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if msg.Error != "" {
			return errors.New(msg.Error)
		}
	}
}

// CreateContainer creates (never starts) a container from image and returns
// its ID.
func CreateContainer(ctx context.Context, cli *client.Client, name, image string) (string, error) {
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       name,
		Config:     &container.Config{Image: image, Cmd: []string{"/nothing"}},
		HostConfig: &container.HostConfig{NetworkMode: "none"},
	})
	return res.ID, err
}
