package registryclient_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func testCtx(t *testing.T) context.Context { return testenv.Context(t, time.Minute) }

func newClient(t testing.TB, opts ...registryclient.Option) *registryclient.Client {
	t.Helper()
	c, err := registryclient.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
