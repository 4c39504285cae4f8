package registryclient

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/wharf-dev/wharf/internal/domain"
)

// maxSent is how many credentials sent the client keeps to take out of
// messages: tokens are refreshed every few minutes, and an old one has
// long expired.
const maxSent = 256

// sentSecrets are the credentials the client sent — every Authorization
// value (the base64 pair and the user:password it encodes, bearer tokens)
// and the secrets of token requests' forms (refresh tokens, passwords) — so
// that a registry that echoes one, in whatever form, never gets it printed.
type sentSecrets struct {
	mu   sync.Mutex
	seen map[string]bool
	list []string
}

// add keeps v and reports whether it is new (every request sends its
// Authorization again: what was kept is not looked at twice).
func (s *sentSecrets) add(v string) bool {
	if len(v) < 4 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if s.seen[v] {
		return false
	}
	if len(s.list) == maxSent {
		delete(s.seen, s.list[0])
		s.list = s.list[1:]
	}
	s.seen[v] = true
	s.list = append(s.list, v)
	return true
}

func (s *sentSecrets) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.list...)
}

// formSecrets are the fields of a token request's form that carry a
// credential.
var formSecrets = []string{"password", "refresh_token", "access_token", "client_secret", "assertion"}

// note keeps what r sends as credentials.
func (s *sentSecrets) note(r *http.Request) {
	if s == nil {
		return
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, ok := strings.Cut(h, " ")
		if !ok {
			value = scheme
		}
		if s.add(value) && strings.EqualFold(scheme, "basic") {
			s.addPair(value)
		}
	}
	if r.Method == http.MethodPost && r.GetBody != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, err := r.GetBody()
		if err != nil {
			return
		}
		defer body.Close()
		b, err := io.ReadAll(io.LimitReader(body, 64<<10))
		if err != nil {
			return
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return
		}
		for _, f := range formSecrets {
			for _, v := range form[f] {
				s.add(v)
			}
		}
	}
}

// addPair keeps a Basic credential's user:password and password.
func (s *sentSecrets) addPair(b64 string) {
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return
	}
	s.add(string(b))
	if _, pass, ok := strings.Cut(string(b), ":"); ok {
		s.add(pass)
	}
}

// Redact takes out of msg every credential the client knows of (the docker
// credentials it read, what it sent) in every encoding, and anything that
// looks like one (domain.Redact). Text a registry said passes it before it
// is printed, shown, cached or journaled.
func (c *core) Redact(msg string) string {
	return domain.Redact(msg, c.net.knownSecrets()...)
}

// knownSecrets are the credentials read for every host so far and those
// sent.
func (r *reach) knownSecrets() []string {
	r.conns.mu.Lock()
	var out []string
	for _, s := range r.conns.secrets {
		out = append(out, s...)
	}
	r.conns.mu.Unlock()
	return append(out, r.sent.all()...)
}

// redactingJournal takes credentials out of the reasons written to the
// journal (what a registry said of a failed change).
type redactingJournal struct {
	Journal
	redact func(string) string
}

func (j redactingJournal) why(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(j.redact(err.Error()))
}

func (j redactingJournal) MarkRefused(id int, why error) error {
	return j.Journal.MarkRefused(id, j.why(why))
}

func (j redactingJournal) MarkUnknown(id int, why error) error {
	return j.Journal.MarkUnknown(id, j.why(why))
}
