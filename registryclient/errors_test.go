package registryclient_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// A read-only user of a token registry can pull but not push: the token
// server refuses the push scope with 403 DENIED, which becomes ErrDenied with
// a message that says what to do and never shows the password.
func TestTokenRegistryReadOnlyUserPushDenied(t *testing.T) {
	ctx := testCtx(t)
	reg := testenv.NeedRegistry(t, testenv.Token)
	reader := []remote.Option{remote.WithContext(ctx), remote.WithTransport(reg.Transport()), remote.WithAuth(reg.Auth(testenv.ReaderUser))}

	if _, err := remote.Get(testenv.Ref(t, reg.Repo("fixtures/app:latest")), reader...); err != nil {
		t.Fatalf("read-only user cannot pull: %v", err)
	}

	img, err := random.Image(128, 1)
	if err != nil {
		t.Fatal(err)
	}
	target := testenv.Ref(t, reg.Repo("fixtures/app:from-reader"))
	err = registryclient.Classify("push", reg.Host, remote.Push(target, img, reader...))
	if !errors.Is(err, registryclient.ErrDenied) {
		t.Fatalf("push as read-only user: got %v, want ErrDenied", err)
	}
	var rerr *registryclient.Error
	if !errors.As(err, &rerr) || rerr.Status != 403 {
		t.Fatalf("want a 403 *registryclient.Error, got %#v", err)
	}
	msg := err.Error()
	t.Logf("read-only push refused with: %s", msg)
	for _, want := range []string{"push", reg.Host, "denied", "docker login " + reg.Host} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, testenv.ReaderPassword) {
		t.Errorf("message shows the password: %q", msg)
	}
	if _, err := remote.Head(target, reg.RemoteOptions(ctx, "")...); err == nil {
		t.Errorf("the refused push created %s anyway", target)
	}
}

// Anonymous and wrong-password requests are unauthorized, with the
// `docker login` that fixes it.
func TestUnauthorized(t *testing.T) {
	for _, kind := range []testenv.Kind{testenv.Basic, testenv.Token} {
		t.Run(string(kind), func(t *testing.T) {
			ctx := testCtx(t)
			reg := testenv.NeedRegistry(t, kind)
			ref := testenv.Ref(t, reg.Repo("fixtures/app:latest"))
			for _, auth := range []struct {
				name string
				opt  remote.Option
			}{
				{"anonymous", remote.WithAuth(reg.Auth(""))},
				{"wrong password", remote.WithAuth(&authnBasic{user: testenv.AdminUser, pass: "not-the-password"})},
			} {
				_, err := remote.Get(ref, remote.WithContext(ctx), remote.WithTransport(reg.Transport()), auth.opt)
				err = registryclient.Classify("get manifest", reg.Host, err)
				if !errors.Is(err, registryclient.ErrUnauthorized) {
					t.Errorf("%s: got %v, want ErrUnauthorized", auth.name, err)
					continue
				}
				if !strings.Contains(err.Error(), "docker login "+reg.Host) {
					t.Errorf("%s: message %q does not say how to log in", auth.name, err)
				}
				if strings.Contains(err.Error(), "not-the-password") {
					t.Errorf("%s: message shows the password", auth.name)
				}
			}
		})
	}
}

// A client that does not trust the test CA gets ErrTLSUntrusted, not the 400
// that a plain-HTTP fallback to the TLS port produces.
func TestTLSNotTrusted(t *testing.T) {
	ctx := testCtx(t)
	reg := testenv.NeedRegistry(t, testenv.TLS)
	_, err := newClient(t).Ping(ctx, reg.Host)
	if !errors.Is(err, registryclient.ErrTLSUntrusted) {
		t.Fatalf("ping TLS registry without its CA: got %v, want ErrTLSUntrusted", err)
	}
	if !strings.Contains(err.Error(), "ca_file") {
		t.Errorf("message %q does not say how to trust the CA", err)
	}
	res, err := newClient(t, registryclient.WithTransport(reg.Transport())).Ping(ctx, reg.Host)
	if err != nil {
		t.Fatalf("ping with the CA trusted: %v", err)
	}
	if res.Scheme != "https" {
		t.Errorf("scheme = %q, want https", res.Scheme)
	}
}

// A registry that is not there is unreachable, said in words.
func TestUnreachable(t *testing.T) {
	_, err := newClient(t).Ping(testCtx(t), "127.0.0.1:1")
	if !errors.Is(err, registryclient.ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("message %q does not say the connection was refused", err)
	}
}

// A config blob that does not match its digest, and a token server wharf
// will not send credentials to, are said for what they are — not "try
// again later".
func TestCorruptBlobsAndUntrustedRealmsAreNamed(t *testing.T) {
	for _, tc := range []struct {
		err  error
		kind error
		says string
	}{
		{errors.New(`reading config: error verifying sha256 checksum after reading 512 bytes; got "sha256:aa", want "sha256:bb"`), registryclient.ErrCorrupt, "nothing was used"},
		{errors.New(`invalid realm in www-authenticate: realm scheme "http" not allowed for a secure registry; use https`), registryclient.ErrUntrustedRealm, "its operators must fix its auth configuration"},
	} {
		err := registryclient.Classify("describe reg.example/app:1", "reg.example", tc.err)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "try again later") {
			t.Errorf("%v became %v", tc.err, err)
		}
	}
}
