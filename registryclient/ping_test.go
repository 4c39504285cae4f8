package registryclient_test

import (
	"errors"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

type authnBasic struct{ user, pass string }

func (a *authnBasic) Authorization() (*authn.AuthConfig, error) {
	return &authn.AuthConfig{Username: a.user, Password: a.pass}, nil
}

// Ping tells each variant's auth kind and whether the user's credentials work.
func TestPingVariants(t *testing.T) {
	for _, tc := range []struct {
		kind testenv.Kind
		auth string
	}{
		{testenv.Anonymous, registryclient.AuthNone},
		{testenv.Basic, registryclient.AuthBasic},
		{testenv.TLS, registryclient.AuthNone},
		{testenv.Token, registryclient.AuthBearer},
		{testenv.V3, registryclient.AuthNone},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			ctx := testCtx(t)
			reg := testenv.NeedRegistry(t, tc.kind)
			for _, user := range []string{testenv.AdminUser, ""} {
				c := newClient(t, registryclient.WithTransport(reg.Transport()), registryclient.WithKeychain(reg.Keychain(user)))
				res, err := c.Ping(ctx, reg.Host)
				if err != nil {
					t.Fatalf("ping: %v", err)
				}
				if res.Auth != tc.auth {
					t.Errorf("auth = %q, want %q", res.Auth, tc.auth)
				}
				if res.HasCredentials != (user != "") {
					t.Errorf("user %q: HasCredentials = %v", user, res.HasCredentials)
				}
				// A token registry, like Docker Hub, lets an anonymous
				// token through /v2/; basic auth refuses anonymous outright.
				wantLoginErr := tc.auth == registryclient.AuthBasic && user == ""
				if (res.LoginErr != nil) != wantLoginErr {
					t.Errorf("user %q: LoginErr = %v, want error: %v", user, res.LoginErr, wantLoginErr)
				}
				if wantLoginErr && !errors.Is(res.LoginErr, registryclient.ErrUnauthorized) {
					t.Errorf("anonymous login error %v is not ErrUnauthorized", res.LoginErr)
				}
			}
			if tc.kind == testenv.Token {
				c := newClient(t, registryclient.WithTransport(reg.Transport()))
				res, err := c.Ping(ctx, reg.Host)
				if err != nil {
					t.Fatal(err)
				}
				if res.Realm == "" || res.Service == "" {
					t.Errorf("bearer challenge without realm/service: %+v", res)
				}
			}
		})
	}
}
