package domain

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

var (
	// authValue is an Authorization header's value, or a scheme and its
	// credential in running text ("you sent Basic cmVzZXQ6..."), with the
	// space as it is or URL-encoded ("Basic%20cmVz…", "Bearer+eyJ…").
	authValue = regexp.MustCompile(`(?i)\b(basic|bearer|token)(\s+|%20|\+)[A-Za-z0-9._~+/=%-]{8,}`)
	// authHeader is an Authorization header echoed whole.
	authHeader = regexp.MustCompile(`(?i)(authorization"?\s*[:=]\s*"?)[^"\s,;}]+(\s+[^"\s,;}]+)?`)
	// jwt is a JSON web token, however it got there.
	jwt = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	// secretField is a credential by its field's name, in JSON, a form or a
	// query: "refresh_token":"…", password=…, identitytoken: ….
	secretField = regexp.MustCompile(`(?i)("?\b(?:access_token|refresh_token|id_token|identity_?token|registry_?token|password|passwd|secret|client_secret|token)"?\s*[:=]\s*"?)[A-Za-z0-9._~+/=%-]{8,}`)
	// b64 is a run that may be base64: checked by what it decodes to.
	b64 = regexp.MustCompile(`[A-Za-z0-9+/_-]{8,}={0,2}`)
	// encodings are the base64 a credential may be sent or echoed in:
	// standard and URL, padded or not.
	encodings = []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding}
)

// Redact takes out of a message from a registry or the engine anything that
// may be a credential: Authorization headers and values (with or without
// their scheme word, URL-encoded too), JSON web tokens, credentials by their
// field's name (refresh_token, password, …), anything base64 that decodes to
// a user:password pair, user info and query strings of URLs, and each of
// secrets (the user's own credentials and tokens) wherever it appears, in
// every encoding wharf or a registry may have put it in (as it is, base64,
// URL-encoded, JSON-escaped). Every text that comes from outside passes it
// before it is printed, shown, cached or journaled.
func Redact(msg string, secrets ...string) string {
	for _, s := range SecretForms(secrets...) {
		msg = strings.ReplaceAll(msg, s, "[redacted]")
	}
	msg = authHeader.ReplaceAllString(msg, "${1}[redacted]")
	msg = authValue.ReplaceAllString(msg, "$1 [redacted]")
	msg = jwt.ReplaceAllString(msg, "[redacted token]")
	msg = secretField.ReplaceAllString(msg, "${1}[redacted]")
	msg = b64.ReplaceAllStringFunc(msg, func(run string) string {
		if isEncodedPair(run) {
			return "[redacted]"
		}
		return run
	})
	fields := strings.Fields(msg)
	for i, f := range fields {
		trimmed := strings.Trim(f, `"':,;()`)
		u, err := url.Parse(trimmed)
		if err != nil || u.Scheme == "" || u.Host == "" {
			continue
		}
		if u.User != nil || u.RawQuery != "" {
			u.User = nil
			u.RawQuery = ""
			fields[i] = strings.Replace(f, trimmed, u.String(), 1)
		}
	}
	return strings.Join(fields, " ")
}

// SecretForms are secrets (of four characters or more) in every form a
// message may carry them in: as they are, base64 (standard and URL, padded
// or not), URL-encoded (query and path) and JSON-escaped; longest first,
// so that a form is taken out whole before a part of it.
func SecretForms(secrets ...string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if len(s) >= 4 && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		if j, err := json.Marshal(s); err == nil {
			add(strings.Trim(string(j), `"`))
		}
		for _, enc := range encodings {
			e := enc.EncodeToString([]byte(s))
			add(e)
			add(url.QueryEscape(e))
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return out
}

// isEncodedPair: run decodes (as any base64) to printable text of the
// form user:password, what a Basic credential is.
func isEncodedPair(run string) bool {
	for _, enc := range encodings {
		b, err := enc.DecodeString(run)
		if err != nil || len(b) < 3 || !utf8.Valid(b) {
			continue
		}
		user, pass, ok := strings.Cut(string(b), ":")
		if !ok || user == "" || pass == "" {
			continue
		}
		if !strings.ContainsFunc(string(b), func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return true
		}
	}
	return false
}
