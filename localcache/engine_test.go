package localcache_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/localcache"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func TestPingPrivateEngine(t *testing.T) {
	eng := testenv.NeedEngine(t)
	ep, err := localcache.ResolveEndpoint(envOf(map[string]string{"DOCKER_HOST": eng.Host}))
	if err != nil {
		t.Fatal(err)
	}
	c, err := localcache.Open(ep)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	info, err := c.Ping(ctx)
	if err != nil {
		t.Fatalf("ping: %v", err)
	}
	// Debian 12's engine is 20.10 and speaks API 1.41; the client negotiates down.
	if info.APIVersion == "" || info.Version == "" || info.OS != "linux" {
		t.Errorf("engine info %+v", info)
	}
	t.Logf("engine %s, API %s", info.Version, info.APIVersion)
}

func TestPingEngineDown(t *testing.T) {
	sock := "unix://" + t.TempDir() + "/nobody.sock"
	c, err := localcache.Open(localcache.Endpoint{Host: sock})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Ping(context.Background())
	if !errors.Is(err, localcache.ErrEngineUnreachable) {
		t.Fatalf("got %v, want ErrEngineUnreachable", err)
	}
	if !strings.Contains(err.Error(), "engine not reachable at "+sock) {
		t.Errorf("message %q does not name the host", err)
	}
}
