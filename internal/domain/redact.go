package domain

import (
	"net/url"
	"regexp"
	"strings"
)

var (
	// authValue is an Authorization header's value, or a scheme and its
	// credential in running text ("you sent Basic cmVzZXQ6...").
	authValue = regexp.MustCompile(`(?i)\b(basic|bearer|token)\s+[A-Za-z0-9._~+/=-]{8,}`)
	// authHeader is an Authorization header echoed whole.
	authHeader = regexp.MustCompile(`(?i)(authorization"?\s*[:=]\s*"?)[^"\s,;}]+(\s+[^"\s,;}]+)?`)
	// jwt is a JSON web token, however it got there.
	jwt = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
)

// Redact takes out of a message from a registry or the engine anything that
// may be a credential: Authorization headers and values, Basic and Bearer
// credentials, JSON web tokens, user info and query strings of URLs, and
// each of secrets (the user's own credentials) wherever it appears. Every
// text that comes from outside passes it before it is printed, shown or
// journaled.
func Redact(msg string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	msg = authHeader.ReplaceAllString(msg, "${1}[redacted]")
	msg = authValue.ReplaceAllString(msg, "$1 [redacted]")
	msg = jwt.ReplaceAllString(msg, "[redacted token]")
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
