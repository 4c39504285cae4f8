package registryclient_test

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/wharf-dev/wharf/internal/contracts"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

func quayTarget(q *contracts.Quay, creds authn.Authenticator, path domain.DeletePath) writeTarget {
	w := providerTarget(q.Server, "quay", "", creds, path)
	w.seedRepo = contracts.QuayUser + "/"
	return w
}

var quayOAuth = &authn.Basic{Username: contracts.QuayOAuthUser, Password: contracts.QuayToken}

// The behaviour suite on Quay's contract server: the logged-in user's
// repositories and their tags with digests, sizes and dates from Quay's
// API, no HEADs to group them, one tag deleted through the API, undone.
func TestQuayBehavesLikeDistribution(t *testing.T) {
	q := contracts.NewQuay(t)
	providerSuite(t, quayTarget(q, quayOAuth, domain.DeletedByAPI), q.Server, true)
	if n := q.Count("api DELETE tag"); n != 3 {
		t.Errorf("Quay's tag DELETE was asked %d times, want one per delete of the suite, 3 (%v)", n, q.Counts())
	}
}

// Repositories page with next_page; tags with has_additional.
func TestQuayPaging(t *testing.T) {
	q := contracts.NewQuay(t)
	w := quayTarget(q, quayOAuth, domain.DeletedByAPI)
	full := w.seed(t)
	repo := strings.TrimPrefix(full, w.host+"/")
	for i := range 3 {
		more := w
		more.seedRepo = fmt.Sprintf("%s/extra%d-", contracts.QuayUser, i)
		more.seed(t)
	}
	for i := range 146 {
		if !q.PutTag(repo, fmt.Sprintf("build-%d", i), q.Digest(repo, "a")) {
			t.Fatal("seeding")
		}
	}
	c := w.client(t)
	repos, err := c.Catalog(testCtx(t), w.host)
	if err != nil || len(repos) != 4 || !slices.Contains(repos, repo) {
		t.Errorf("repositories %v (%v), want 4 over two pages", repos, err)
	}
	q.Reset()
	tds, err := c.TagDigests(testCtx(t), full)
	if err != nil || len(tds) != 150 {
		t.Fatalf("%d tags (%v)", len(tds), err)
	}
	if got := q.Counts(); got["api tags"] != 2 || got["HEAD manifest"] != 0 {
		t.Errorf("requests %v, want 2 tag pages and no HEAD", got)
	}
}

// With a robot's password (which Quay's API does not take) a private
// repository is listed through the registry API, and a delete goes the
// distribution way.
func TestQuayWithoutAnOAuthTokenGoesTheDistributionWay(t *testing.T) {
	q := contracts.NewQuay(t)
	w := quayTarget(q, &authn.Basic{Username: contracts.QuayUser + "+ci", Password: "robot-secret"}, domain.DeletedByTag)
	full := w.seed(t)
	c := w.client(t)
	tags, err := c.Tags(testCtx(t), full)
	if err != nil || len(tags) != 4 {
		t.Fatalf("tags %v (%v)", tags, err)
	}
	if q.Count("tags/list") == 0 {
		t.Errorf("the registry API was not asked: %v", q.Counts())
	}
}

// Quay's API lists a public repository's digests to anyone, but without an
// OAuth token a delete goes the distribution way (by digest when no other
// tag shares it): then the siblings are each asked of the registry API,
// never taken from the listing.
func TestQuayDeleteWithoutATokenAsksEachSibling(t *testing.T) {
	q := contracts.NewQuay(t)
	q.Public = true
	w := quayTarget(q, &authn.Basic{Username: contracts.QuayUser + "+ci", Password: "robot-secret"}, domain.DeletedByTag)
	full := w.seed(t)
	c := w.client(t)
	if _, err := c.Tags(testCtx(t), full); err != nil || q.Count("api tags") == 0 {
		t.Fatalf("the public listing: %v (%v)", err, q.Counts())
	}
	q.Reset()
	_, _ = c.DeleteTag(testCtx(t), full+":b")
	if n := q.Count("HEAD manifest"); n < 4 {
		t.Errorf("the sibling check sent %d HEADs, want one per tag (%v)", n, q.Counts())
	}
}

// countingKeychain counts how often credentials are read (a credential
// helper may take seconds each time).
type countingKeychain struct {
	authn.Keychain
	n atomic.Int32
}

func (k *countingKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	k.n.Add(1)
	return k.Keychain.Resolve(r)
}

// Credentials are read once a minute, however often the API's calls need
// the token: after a first listing and delete, a second listing and delete
// through Quay's API read them no more (a slow credential helper is asked
// once, not once a call).
func TestQuayCredentialsAreReadOnceAMinute(t *testing.T) {
	q := contracts.NewQuay(t)
	w := quayTarget(q, quayOAuth, domain.DeletedByAPI)
	full := w.seed(t)
	kc := &countingKeychain{Keychain: testenv.KeychainFor(q.Host(), quayOAuth)}
	c := w.client(t, registryclient.WithKeychain(kc))
	for i, tag := range []string{"b", "c"} {
		before := kc.n.Load()
		if _, err := c.Catalog(testCtx(t), w.host); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteTag(testCtx(t), full+":"+tag); err != nil {
			t.Fatal(err)
		}
		if n := kc.n.Load() - before; i == 1 && n != 0 {
			t.Errorf("the second listing and delete read the credentials %d times, want none", n)
		}
	}
}
