package testenv

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// env holds what this test binary has started. The parts are started lazily,
// once, and stopped by Main after every test has run.
type env struct {
	mu         sync.Mutex
	engine     *Engine
	engineErr  error
	registries map[Kind]*Registry
	regErrs    map[Kind]error
	inproc     *httptest.Server
}

var shared = &env{registries: map[Kind]*Registry{}, regErrs: map[Kind]error{}}

// Main runs the package's tests and then stops whatever they started. Call it
// from TestMain: func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if err := shared.stopAll(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv: stopping the test environment:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func (e *env) stopAll() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []string
	for k, r := range e.registries {
		if err := r.Stop(); err != nil {
			errs = append(errs, fmt.Sprintf("registry %s: %v", k, err))
		}
	}
	if e.engine != nil {
		if err := e.engine.Stop(); err != nil {
			errs = append(errs, "engine: "+err.Error())
		}
	}
	if e.inproc != nil {
		e.inproc.Close()
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// NeedEngine returns the private engine, starting it on first use. Without
// root or dockerd the test fails in CI and is skipped elsewhere.
func NeedEngine(tb testing.TB) *Engine {
	tb.Helper()
	skipIfShort(tb)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.engine == nil && shared.engineErr == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		shared.engine, shared.engineErr = StartEngine(ctx)
	}
	if shared.engineErr != nil {
		unavailable(tb, "the private Docker engine", shared.engineErr)
	}
	return shared.engine
}

// NeedRegistry returns the running registry of the given variant, starting it
// on first use.
func NeedRegistry(tb testing.TB, k Kind) *Registry {
	tb.Helper()
	skipIfShort(tb)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.registries[k] == nil && shared.regErrs[k] == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		r, err := StartRegistry(ctx, RegistryOptions{Kind: k})
		if err == nil {
			if err = r.Seed(ctx); err != nil {
				_ = r.Stop()
			}
		}
		if err != nil {
			shared.regErrs[k] = err
		} else {
			shared.registries[k] = r
		}
	}
	if err := shared.regErrs[k]; err != nil {
		unavailable(tb, "the "+string(k)+" registry", err)
	}
	return shared.registries[k]
}

// NeedPrivateRegistry starts a registry of its own for one test (for example
// with deletes disabled) and stops it when the test ends.
func NeedPrivateRegistry(tb testing.TB, opts RegistryOptions) *Registry {
	tb.Helper()
	skipIfShort(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := StartRegistry(ctx, opts)
	if err != nil {
		unavailable(tb, "a "+string(opts.Kind)+" registry", err)
	}
	tb.Cleanup(func() {
		if err := r.Stop(); err != nil {
			tb.Errorf("stopping registry: %v", err)
		}
	})
	return r
}

// InProcess returns go-containerregistry's in-process registry, served on a
// loopback port: fast, always available, for unit tests.
func InProcess(tb testing.TB) string {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.inproc == nil {
		shared.inproc = httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	}
	return strings.TrimPrefix(shared.inproc.URL, "http://")
}

// NeedPrivateEngine starts an engine of its own for one test (one that will
// prune, or be stopped) and stops it when the test ends.
func NeedPrivateEngine(tb testing.TB) *Engine {
	tb.Helper()
	skipIfShort(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	e, err := StartEngine(ctx)
	if err != nil {
		unavailable(tb, "a private Docker engine", err)
	}
	tb.Cleanup(func() {
		if err := e.Stop(); err != nil {
			tb.Errorf("stopping engine: %v", err)
		}
	})
	return e
}
