package localcache

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/wharf-dev/wharf/internal/ref"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/domain"
)

// The kinds of failure a caller must react to differently; match with
// errors.Is. An *OpError carries the details.
var (
	ErrNotFound         = errors.New("no such image")
	ErrInvalidReference = ref.ErrInvalid
	// ErrInUse: a container (running or stopped) uses the image.
	ErrInUse = errors.New("image is in use by a container")
	// ErrMultipleReferences: removing an image by ID that several tags
	// point at needs force (or untag them one by one).
	ErrMultipleReferences = errors.New("image is referenced by several tags")
	// ErrTagExists: the target tag already points at another image.
	ErrTagExists = errors.New("tag already exists on another image")
	// ErrMoved: the reference names another image than the one the user
	// was shown; nothing was changed.
	ErrMoved        = errors.New("the reference moved")
	ErrUnauthorized = errors.New("unauthorized")
	// ErrStalled: a push or pull went without a word from the engine for
	// the stall timeout, and wharf stopped waiting.
	ErrStalled = errors.New("transfer stalled")
	ErrDenied  = errors.New("denied")
)

// OpError is a failed engine operation, in words a user can act on.
type OpError struct {
	Op   string // "remove", "tag", "push", …
	Ref  string
	Kind error
	// Containers names the containers that block a remove (ErrInUse).
	Containers []string
	// Detail is the engine's own words.
	Detail string
	Err    error
}

func (e *OpError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.Op, e.Ref, e.Kind)
	if len(e.Containers) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(e.Containers, ", "))
	}
	if hint := e.Hint(); hint != "" {
		b.WriteString(": " + hint)
	} else if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Hint says what to do next.
func (e *OpError) Hint() string {
	switch {
	case errors.Is(e.Kind, ErrInUse):
		return "remove the container first (docker rm), or force the removal"
	case errors.Is(e.Kind, ErrMultipleReferences):
		return "untag the references one by one, or force the removal"
	case errors.Is(e.Kind, ErrUnauthorized):
		return "run `docker login " + registryHost(e.Ref) + "`"
	case errors.Is(e.Kind, ErrDenied):
		return "the credentials for " + registryHost(e.Ref) + " do not allow this; log in as a user who may (`docker login " + registryHost(e.Ref) + "`)"
	}
	return ""
}

// Is matches the kind, so errors.Is(err, ErrInUse) works.
func (e *OpError) Is(target error) bool { return errors.Is(e.Kind, target) }

func (e *OpError) Unwrap() error { return e.Err }

var (
	reContainerUsing = regexp.MustCompile(`container ([0-9a-f]{12,64}) is using`)
	reRunning        = regexp.MustCompile(`running container ([0-9a-f]{12,64})`)
)

// classify turns an engine error into an *OpError (or an *EngineError when
// the engine did not answer).
func (c *Cache) classify(op, ref string, err error) error {
	if err == nil {
		return nil
	}
	var already *OpError
	var down *EngineError
	if errors.As(err, &already) || errors.As(err, &down) {
		return err
	}
	if client.IsErrConnectionFailed(err) {
		return &EngineError{Host: c.ep.Host, Err: err}
	}
	msg := err.Error()
	e := &OpError{Op: op, Ref: ref, Err: err, Detail: domain.Redact(msg), Kind: errors.New("failed")}
	lower := strings.ToLower(msg)
	switch {
	case cerrdefs.IsConflict(err) && (reContainerUsing.MatchString(msg) || reRunning.MatchString(msg)):
		e.Kind = ErrInUse
		for _, re := range []*regexp.Regexp{reContainerUsing, reRunning} {
			if m := re.FindStringSubmatch(msg); m != nil {
				e.Containers = append(e.Containers, m[1])
			}
		}
	case cerrdefs.IsConflict(err) && strings.Contains(lower, "referenced in multiple repositories"):
		e.Kind = ErrMultipleReferences
	case cerrdefs.IsNotFound(err) || strings.Contains(lower, "no such image") || strings.Contains(lower, "manifest unknown") || strings.Contains(lower, "not found"):
		e.Kind = ErrNotFound
	case strings.Contains(lower, "denied"):
		e.Kind = ErrDenied
	case strings.Contains(lower, "unauthorized") || strings.Contains(lower, "authentication required"):
		e.Kind = ErrUnauthorized
	case cerrdefs.IsInvalidArgument(err):
		e.Kind = ErrInvalidReference
	}
	return e
}

// registryHost is the registry part of a reference ("docker.io" when none).
func registryHost(ref string) string {
	first, _, ok := strings.Cut(ref, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return "docker.io"
}
