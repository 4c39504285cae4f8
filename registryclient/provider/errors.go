package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/wharf-dev/wharf/internal/ref"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/deadline"
	"github.com/wharf-dev/wharf/internal/domain"
)

// The kinds of failure a user must react to differently. Match them with
// errors.Is; an *Error carries the details.
var (
	ErrUnauthorized     = errors.New("unauthorized")
	ErrDenied           = errors.New("denied")
	ErrNotFound         = errors.New("not found")
	ErrRateLimited      = errors.New("rate limited")
	ErrServer           = errors.New("registry error")
	ErrTimeout          = errors.New("timed out")
	ErrTLSUntrusted     = errors.New("TLS certificate not trusted")
	ErrUnreachable      = errors.New("unreachable")
	ErrUnsupported      = errors.New("unsupported by this registry")
	ErrInvalidReference = ref.ErrInvalid
	ErrConflict         = errors.New("conflict")
	// ErrLocked: the registry keeps the tag as it is (ECR's IMMUTABLE
	// tags, ACR's locks); the detail says how to change that.
	ErrLocked = errors.New("locked by the registry")
	// ErrCorrupt: what the registry sent does not match its digest.
	ErrCorrupt = errors.New("content does not match its digest")
	// ErrUntrustedRealm: the registry's token server is one wharf does not
	// send credentials to.
	ErrUntrustedRealm = errors.New("token server refused")
)

// Error is a registry failure classified for people: what was being done,
// against which registry, which kind of failure, and the registry's own words.
type Error struct {
	// Op is what was being done, e.g. "push" or "list tags".
	Op string
	// Registry is the registry host, e.g. "ghcr.io" or "127.0.0.1:5000".
	Registry string
	// Kind is one of the Err* sentinels.
	Kind error
	// Status is the HTTP status code when the registry answered.
	Status int
	// Code is the registry's error code (DENIED, MANIFEST_UNKNOWN…), if any.
	Code string
	// Detail is the registry's message, stripped of anything secret.
	Detail string
	// RetryAfter is how long a rate-limited caller should wait, when known.
	RetryAfter time.Duration
	// Budget is the request budget the registry last stated, when it did.
	Budget *domain.RateBudget
	// Advice is what to do when the kind's usual hint does not apply (a
	// cloud API's own credentials, not `docker login`).
	Advice string
	// Err is the underlying error.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Registry)
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	if hint := e.Hint(); hint != "" {
		b.WriteString(": ")
		b.WriteString(hint)
	}
	return b.String()
}

// Hint is what the user can do about the failure, in words.
func (e *Error) Hint() string {
	switch {
	case e.Advice != "":
		return e.Advice
	case errors.Is(e.Kind, ErrUnauthorized):
		return fmt.Sprintf("no or wrong credentials; run `docker login %s`", e.Registry)
	case errors.Is(e.Kind, ErrDenied):
		return fmt.Sprintf("the credentials for %s do not allow this; log in as a user who may (`docker login %s`) or ask for access", e.Registry, e.Registry)
	case errors.Is(e.Kind, ErrRateLimited):
		return e.rateLimitHint()
	case errors.Is(e.Kind, ErrTLSUntrusted):
		return fmt.Sprintf("add the registry's CA with `ca_file` in wharf's config, or put it in /etc/docker/certs.d/%s/ca.crt", e.Registry)
	case errors.Is(e.Kind, ErrUnreachable):
		return "check the address and that the registry is running"
	case errors.Is(e.Kind, ErrTimeout):
		return "the registry did not answer in time; try again"
	case errors.Is(e.Kind, ErrServer):
		return "the registry failed; try again later"
	case errors.Is(e.Kind, ErrUnsupported) && strings.HasPrefix(e.Op, "delete"):
		return "this registry does not allow deletes; registry:2 allows them only with storage.delete.enabled: true (REGISTRY_STORAGE_DELETE_ENABLED=true)"
	case errors.Is(e.Kind, ErrCorrupt):
		return "nothing was used; try again, and tell the registry's operators if it persists"
	case errors.Is(e.Kind, ErrUntrustedRealm):
		return "the registry asks clients to fetch tokens from a server wharf will not send credentials to (plain HTTP for a TLS registry, or a private address); its operators must fix its auth configuration"
	}
	return ""
}

// Is matches the sentinel kind, so errors.Is(err, ErrDenied) works.
func (e *Error) Is(target error) bool { return e.Kind == target }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Classify turns an error from go-containerregistry or net/http into an
// *Error for op against registry. Errors that are already classified, and
// context cancellation, are returned as they are.
func Classify(op, registry string, err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) || errors.Is(err, context.Canceled) {
		return err
	}
	e := &Error{Op: op, Registry: registry, Err: err, Kind: ErrServer}
	var terr *transport.Error
	var nope *deadline.Error
	// TLS first: for loopback hosts go-containerregistry also tries plain
	// HTTP, whose 400 from a TLS port would otherwise hide the real cause.
	switch {
	case isTLSUntrusted(err):
		e.Kind = ErrTLSUntrusted
		e.Detail = "certificate signed by an unknown authority"
	case errors.As(err, &terr):
		e.fromTransport(terr)
	case errors.As(err, &nope):
		// The operation's deadline ended it: say how long it went
		// without progress, and on what it waited.
		e.Kind = ErrTimeout
		e.Detail, e.Advice = nope.What(), nope.Advice()
	case isTimeout(err):
		e.Kind = ErrTimeout
	case strings.Contains(err.Error(), "does not match"), strings.Contains(err.Error(), "error verifying sha256 checksum"):
		e.Kind = ErrCorrupt
		e.Detail = redact(err.Error())
	case strings.Contains(err.Error(), "invalid realm in www-authenticate"):
		// The registry sends its clients for a token somewhere it should
		// not (plain HTTP from a TLS registry, a private address).
		e.Kind = ErrUntrustedRealm
		e.Detail = redact(err.Error())
	case isConnectionClosed(err):
		e.Kind = ErrUnreachable
		e.Detail = "connection closed before an answer"
	case isMalformed(err):
		e.Detail = "malformed answer: " + redact(err.Error())
	case isUnreachable(err):
		e.Kind = ErrUnreachable
		e.Detail = unreachableDetail(err)
	default:
		e.Detail = redact(err.Error())
	}
	return e
}

func (e *Error) fromTransport(terr *transport.Error) {
	e.Status = terr.StatusCode
	if len(terr.Errors) > 0 {
		e.Code = string(terr.Errors[0].Code)
		e.Detail = redact(terr.Errors[0].Message)
	}
	switch {
	case terr.StatusCode == http.StatusUnauthorized || e.Code == string(transport.UnauthorizedErrorCode):
		e.Kind = ErrUnauthorized
	case terr.StatusCode == http.StatusForbidden || e.Code == string(transport.DeniedErrorCode):
		e.Kind = ErrDenied
	case terr.StatusCode == http.StatusNotFound:
		e.Kind = ErrNotFound
	case terr.StatusCode == http.StatusTooManyRequests || e.Code == string(transport.TooManyRequestsErrorCode):
		e.Kind = ErrRateLimited
	case terr.StatusCode == http.StatusMethodNotAllowed || e.Code == string(transport.UnsupportedErrorCode):
		e.Kind = ErrUnsupported
	case terr.StatusCode == http.StatusConflict:
		e.Kind = ErrConflict
	case terr.StatusCode >= 500:
		e.Kind = ErrServer
	case terr.StatusCode == http.StatusBadRequest:
		e.Kind = ErrInvalidReference
	}
	if e.Detail == "" {
		e.Detail = http.StatusText(terr.StatusCode)
	}
}

// isConnectionClosed: the connection ended before an answer (an EOF from
// the HTTP round trip itself, not from decoding a body).
func isConnectionClosed(err error) bool {
	// go-containerregistry's ping joins its https and http attempts in an
	// error that answers Is and As for each, but does not unwrap.
	var uerr *url.Error
	return errors.As(err, &uerr) && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF))
}

// isMalformed: a body that is not the JSON it should be (cut short or not
// JSON at all).
func isMalformed(err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syntax) || errors.As(err, &typ) || errors.Is(err, io.ErrUnexpectedEOF)
}

func isTLSUntrusted(err error) bool {
	var unknown x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	var hostname x509.HostnameError
	return errors.As(err, &unknown) || errors.As(err, &verify) || errors.As(err, &hostname)
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var nerr net.Error
	return errors.As(err, &nerr) && nerr.Timeout()
}

func isUnreachable(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || errors.As(err, &op) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

func unreachableDetail(err error) string {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns):
		return "no such host"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	}
	return redact(err.Error())
}

// redact is domain.Redact: nothing secret leaves in a message.
func redact(msg string) string { return domain.Redact(msg) }

// Redact is domain.Redact without secrets of the client's: what looks
// like a credential, for a provider's own messages.
func Redact(msg string) string { return domain.Redact(msg) }

// rateLimitHint explains a 429: whose limit, how much of it is left, when
// to try again, and what raises it.
func (e *Error) rateLimitHint() string {
	var b strings.Builder
	hub := config.NormalizeHost(e.Registry) == domain.DockerHub || e.Registry == "index.docker.io" || e.Registry == "registry-1.docker.io"
	if hub {
		b.WriteString("Docker Hub's pull limit is used up")
	} else {
		b.WriteString("the registry's request limit is used up")
	}
	if e.Budget != nil && e.Budget.Limit > 0 {
		fmt.Fprintf(&b, " (%s)", e.Budget)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; try again in %s", e.RetryAfter.Round(time.Second))
	} else {
		b.WriteString("; wait before trying again")
	}
	if hub {
		b.WriteString("; a `docker login` raises the limit, and digest checks (HEAD) do not count against it")
	}
	return b.String()
}
