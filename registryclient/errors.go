package registryclient

import "github.com/wharf-dev/wharf/registryclient/provider"

// The kinds of failure a user must react to differently (see
// provider.Error, where they are defined so that every provider package
// returns them): match them with errors.Is; an *Error carries the details.
var (
	ErrUnauthorized     = provider.ErrUnauthorized
	ErrDenied           = provider.ErrDenied
	ErrNotFound         = provider.ErrNotFound
	ErrRateLimited      = provider.ErrRateLimited
	ErrServer           = provider.ErrServer
	ErrTimeout          = provider.ErrTimeout
	ErrTLSUntrusted     = provider.ErrTLSUntrusted
	ErrUnreachable      = provider.ErrUnreachable
	ErrUnsupported      = provider.ErrUnsupported
	ErrInvalidReference = provider.ErrInvalidReference
	ErrConflict         = provider.ErrConflict
	ErrLocked           = provider.ErrLocked
	ErrCorrupt          = provider.ErrCorrupt
	ErrUntrustedRealm   = provider.ErrUntrustedRealm
)

// Error is a registry failure classified for people (provider.Error).
type Error = provider.Error

// Classify turns an error from go-containerregistry or net/http into an
// *Error for op against registry (provider.Classify).
func Classify(op, registry string, err error) error { return provider.Classify(op, registry, err) }
