// Package intoto opens what attestations wrap: a DSSE envelope's payload
// and an in-toto statement's predicate, as cosign attest writes them. It
// parses bytes; finding attestations is the registry client's business.
package intoto

import (
	"encoding/base64"
	"encoding/json"
)

// Open returns what b carries: the predicate (and its type) when b is an
// in-toto statement, bare or in a DSSE envelope; else b itself and "".
func Open(b []byte) (predicate []byte, predicateType string) {
	var env struct {
		Payload string `json:"payload"`
	}
	if json.Unmarshal(b, &env) == nil && env.Payload != "" {
		if p, err := base64.StdEncoding.DecodeString(env.Payload); err == nil {
			b = p
		}
	}
	var st struct {
		PredicateType string          `json:"predicateType"`
		Predicate     json.RawMessage `json:"predicate"`
	}
	if json.Unmarshal(b, &st) != nil || st.PredicateType == "" || len(st.Predicate) == 0 {
		return b, ""
	}
	return st.Predicate, st.PredicateType
}
