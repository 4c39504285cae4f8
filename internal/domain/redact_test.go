package domain_test

import (
	"strings"
	"testing"

	"github.com/wharf-dev/wharf/internal/domain"
)

func TestRedact(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
	for in, leak := range map[string]string{
		"unauthorized (you sent Basic cmVzZXQ6aHVudGVyMg==)":                        "cmVzZXQ6aHVudGVyMg==",
		`denied: {"Authorization":"Bearer abcdefghijklmnop"}`:                       "abcdefghijklmnop",
		"Authorization: Basic dXNlcjpwYXNz":                                         "dXNlcjpwYXNz",
		"token " + jwt + " expired":                                                 jwt,
		"bad request from https://user:hunter2@reg.example/v2/?access_token=s3cret": "hunter2",
		"the password s3cr3t-pass was refused":                                      "s3cr3t-pass",
	} {
		out := domain.Redact(in, "s3cr3t-pass")
		if strings.Contains(out, leak) {
			t.Errorf("%q leaks %q: %q", in, leak, out)
		}
		if !strings.Contains(out, "redacted") && !strings.Contains(in, "https://") {
			t.Errorf("%q: %q says nothing was taken out", in, out)
		}
	}
	if out := domain.Redact("manifest unknown: tag 1.0 not found", "x"); out != "manifest unknown: tag 1.0 not found" {
		t.Errorf("an innocent message changed: %q", out)
	}
}
