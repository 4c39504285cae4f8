package registryclient_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/wharf-dev/wharf/internal/contracts"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/registryclient"
)

func acrTarget(a *contracts.ACR, creds authn.Authenticator) writeTarget {
	return providerTarget(a.Server, "acr", "", creds, domain.DeletedByAPI)
}

var acrAdmin = &authn.Basic{Username: contracts.ACRUser, Password: contracts.ACRPassword}

// The behaviour suite on ACR's contract server: catalog, tags with digests,
// sizes and times from /acr/v1/, no HEADs to group them, one tag deleted
// with DELETE /acr/v1/{name}/_tags/{tag}, undone.
func TestACRBehavesLikeDistribution(t *testing.T) {
	a := contracts.NewACR(t)
	providerSuite(t, acrTarget(a, acrAdmin), a.Server, true)
	if n := a.Count("api DELETE tag"); n != 3 {
		t.Errorf("ACR's tag DELETE was asked %d times, want one per delete of the suite, 3 (%v)", n, a.Counts())
	}
}

// `az acr login` stores a refresh token under the user 00000000-…: it is
// exchanged at /oauth2/token with the refresh_token grant.
func TestACRTokenFromAzLogin(t *testing.T) {
	a := contracts.NewACR(t)
	w := acrTarget(a, &authn.Basic{Username: contracts.ACRAADUser, Password: contracts.ACRRefreshToken})
	full := w.seed(t)
	tags, err := w.client(t).Tags(testCtx(t), full)
	if err != nil || len(tags) != 4 {
		t.Fatalf("tags with az login's token: %v %v", tags, err)
	}
	bad := acrTarget(a, &authn.Basic{Username: contracts.ACRAADUser, Password: "expired"})
	_, err = bad.client(t).Tags(testCtx(t), full)
	if !errors.Is(err, registryclient.ErrUnauthorized) || strings.Contains(err.Error(), "expired") || !strings.Contains(err.Error(), "az acr login") {
		t.Errorf("a refused token: %v (want unauthorized, and the token not echoed)", err)
	}
}

// A tag ACR has locked is refused before anything is journaled or sent,
// with the reason and the command that unlocks it: a delete when its
// deleteEnabled is false, a retag onto it when its writeEnabled is false.
func TestACRLockedTagIsRefusedUpFront(t *testing.T) {
	a := contracts.NewACR(t)
	w := acrTarget(a, acrAdmin)
	full := w.seed(t)
	repo := strings.TrimPrefix(full, w.host+"/")
	a.Lock(repo, "b", false, false)
	c := w.client(t)
	before := a.Counts()["api DELETE tag"]
	_, err := c.DeleteTag(testCtx(t), full+":b")
	if !errors.Is(err, registryclient.ErrLocked) || !strings.Contains(err.Error(), "deleteEnabled false") || !strings.Contains(err.Error(), "az acr repository update") {
		t.Errorf("delete of a locked tag: %v", err)
	}
	_, err = c.Retag(testCtx(t), full+":solo", "b", domain.OverwriteAny)
	if err == nil || !strings.Contains(err.Error(), "writeEnabled false") {
		t.Errorf("retag onto a write-locked tag: %v", err)
	}
	if n := a.Counts()["api DELETE tag"]; n != before {
		t.Error("the delete was sent")
	}
	if entries, _ := registryclient.JournalOf(c).Entries(); len(entries) != 0 {
		t.Errorf("journaled %+v", entries)
	}
	if got := a.Tags(repo); !slices.Equal(got, []string{"a", "b", "c", "solo"}) || a.Digest(repo, "b") != a.Digest(repo, "a") {
		t.Errorf("tags after the refusals: %v", got)
	}
	infos, err := c.TagInfos(testCtx(t), full)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range infos {
		if ti.Immutable != (ti.Tag == "b") {
			t.Errorf("%s: immutable %v", ti.Tag, ti.Immutable)
		}
	}
}

// A repository whose own deleteEnabled is false answers the tag DELETE with
// 405: the error says why, the journal says refused, nothing changed.
func TestACR405WhenDeleteIsDisabled(t *testing.T) {
	a := contracts.NewACR(t)
	w := acrTarget(a, acrAdmin)
	full := w.seed(t)
	repo := strings.TrimPrefix(full, w.host+"/")
	a.LockRepository(repo)
	c := w.client(t)
	_, err := c.DeleteTag(testCtx(t), full+":b")
	if !errors.Is(err, registryclient.ErrLocked) || !strings.Contains(err.Error(), "deleteEnabled false") || !strings.Contains(err.Error(), "disallowed") {
		t.Errorf("delete refused with 405: %v", err)
	}
	entries, _ := registryclient.JournalOf(c).Entries()
	if len(entries) != 1 || entries[0].Refused == "" {
		t.Errorf("journal %+v, want the delete recorded as refused", entries)
	}
	if got := a.Tags(repo); len(got) != 4 {
		t.Errorf("tags after the refusal: %v", got)
	}
}

// 250 tags come in pages of 100 following ACR's relative Link headers.
func TestACRPagedTags(t *testing.T) {
	a := contracts.NewACR(t)
	w := acrTarget(a, acrAdmin)
	full := w.seed(t)
	repo := strings.TrimPrefix(full, w.host+"/")
	for i := range 246 {
		if !a.PutTag(repo, fmt.Sprintf("build-%03d", i), a.Digest(repo, "a")) {
			t.Fatal("seeding")
		}
	}
	c := w.client(t)
	a.Reset()
	tds, err := c.TagDigests(testCtx(t), full)
	if err != nil || len(tds) != 250 {
		t.Fatalf("%d tags, %v", len(tds), err)
	}
	if got := a.Counts(); got["api GET tags"] != 3 || got["HEAD manifest"] != 0 {
		t.Errorf("requests %v, want 3 tag pages and no HEAD", got)
	}
}
