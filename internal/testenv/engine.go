package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/moby/moby/client"
)

// Engine is a private dockerd: its data root, exec root, pid file and socket
// live in a temporary directory, it has no bridge and touches no iptables.
type Engine struct {
	// Host is the DOCKER_HOST value that reaches this engine (unix://…).
	Host string
	// Dir holds everything the engine writes.
	Dir  string
	sock string
	bin  string
	proc *process
}

// StartEngine starts a private dockerd and waits until /_ping answers. It needs
// root and Debian's docker.io (dockerd, containerd, runc).
func StartEngine(ctx context.Context) (*Engine, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("a private dockerd needs root")
	}
	bin, err := lookBinary("WHARF_DOCKERD", "dockerd")
	if err != nil {
		return nil, err
	}
	// Unix socket paths are limited to 108 bytes: keep the directory short.
	dir, err := os.MkdirTemp("", "wharf-engine-")
	if err != nil {
		return nil, err
	}
	e := &Engine{Dir: dir, sock: filepath.Join(dir, "docker.sock"), bin: bin}
	e.Host = "unix://" + e.sock
	if err := e.start(ctx); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return e, nil
}

func (e *Engine) start(ctx context.Context) error {
	var err error
	e.proc, err = startProcess("dockerd", filepath.Join(e.Dir, "dockerd.log"), e.bin,
		"--data-root", filepath.Join(e.Dir, "root"),
		"--exec-root", filepath.Join(e.Dir, "exec"),
		"--pidfile", filepath.Join(e.Dir, "docker.pid"),
		"-H", e.Host,
		"--iptables=false", "--bridge=none",
		"--userland-proxy=false",
	)
	if err != nil {
		return err
	}
	waitCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := e.proc.waitFor(waitCtx, e.ping); err != nil {
		_ = e.proc.stop(30 * time.Second)
		return err
	}
	return nil
}

// Halt stops the engine but keeps its data, as an engine restart or crash
// would; Resume starts it again on the same socket.
func (e *Engine) Halt() error { return e.proc.stop(30 * time.Second) }

// Resume starts a halted engine again with the same data and socket.
func (e *Engine) Resume(ctx context.Context) error { return e.start(ctx) }

func (e *Engine) ping(ctx context.Context) error {
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", e.sock)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/_ping: %s %s", resp.Status, body)
	}
	return nil
}

// Client returns a moby client for this engine; it negotiates the API version
// (Debian's engine speaks 1.41).
func (e *Engine) Client() (*client.Client, error) {
	return client.New(client.WithHost(e.Host))
}

// Stop shuts the engine down and removes its directory.
func (e *Engine) Stop() error {
	err := e.proc.stop(30 * time.Second)
	if rmErr := os.RemoveAll(e.Dir); rmErr != nil && err == nil {
		err = fmt.Errorf("removing engine directory: %w", rmErr)
	}
	return err
}
