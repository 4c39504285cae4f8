package registryclient_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func testCtx(t *testing.T) context.Context { return testenv.Context(t, time.Minute) }
