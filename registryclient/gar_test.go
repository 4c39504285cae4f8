package registryclient_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/contracts"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

const garProject = "my-project"

func garTarget(g *contracts.GAR, token string) writeTarget {
	w := providerTarget(g.Server, "gar", g.Srv.URL, &authn.Basic{Username: "oauth2accesstoken", Password: token}, domain.DeletedByAPI)
	w.seedRepo = garProject + "/containers/"
	// The project is what the catalog lists.
	w.opts[0] = registryclient.WithRegistries([]config.Registry{{Host: g.Host(), Provider: "gar", API: g.Srv.URL, Namespaces: []string{garProject}, Source: config.SourceConfig}})
	return w
}

// The behaviour suite on Artifact Registry's contract server: the
// project's repositories' images, their tags with digests, sizes and upload
// times from dockerImages (paged), no HEADs to group them, one tag deleted
// through the tags API, undone.
func TestArtifactRegistryBehavesLikeDistribution(t *testing.T) {
	g := contracts.NewGAR(t)
	w := garTarget(g, contracts.GARToken)
	// Another image in the same repository: its tags are not the image's.
	other := w
	other.seedRepo = garProject + "/containers/other-"
	other.seed(t)
	providerSuite(t, w, g.Server, true)
	if n := g.Count("api DELETE tag"); n != 3 {
		t.Errorf("the tags API's DELETE was asked %d times (%v)", n, g.Counts())
	}
}

// A refused token: a clear error, nothing listed, the token not echoed.
func TestArtifactRegistryRefusedToken(t *testing.T) {
	g := contracts.NewGAR(t)
	w := garTarget(g, "ya29.expired")
	full := w.seed(t)
	_, err := w.client(t).Tags(testCtx(t), full)
	if !errors.Is(err, registryclient.ErrUnauthorized) || strings.Contains(err.Error(), "ya29.expired") || !strings.Contains(err.Error(), "invalid authentication") || !strings.Contains(err.Error(), "gcloud auth") || strings.Contains(err.Error(), "docker login") {
		t.Errorf("refused token: %v", err)
	}
	_, err = w.client(t).Tags(testCtx(t), g.Host()+"/"+garProject+"/only-two")
	if !errors.Is(err, registryclient.ErrInvalidReference) {
		t.Errorf("an image path without PROJECT/REPOSITORY/IMAGE: %v", err)
	}
	if got := g.Tags(strings.TrimPrefix(full, w.host+"/")); !slices.Equal(got, []string{"a", "b", "c", "solo"}) {
		t.Errorf("tags %v", got)
	}
}

// Without the gcloud helper's token, application default credentials: a
// service account's key file (GOOGLE_APPLICATION_CREDENTIALS) is exchanged
// for a token at its token_uri.
func TestArtifactRegistryApplicationDefaultCredentials(t *testing.T) {
	g := contracts.NewGAR(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	sa, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": garProject, "private_key_id": "k1", "private_key": string(pemKey),
		"client_email": "wharf@" + garProject + ".iam.gserviceaccount.com", "client_id": "1", "token_uri": g.Srv.URL + "/token",
	})
	file := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(file, sa, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", file)
	w := garTarget(g, "")
	// No docker credentials at all (and never the user's own).
	w.opts = append(w.opts[:1], registryclient.WithKeychain(testenv.KeychainFor(g.Host(), authn.Anonymous)))
	full := w.seed(t)
	tags, err := w.client(t).Tags(testCtx(t), full)
	if err != nil || len(tags) != 4 || g.Count("api token") != 1 {
		t.Errorf("tags through application default credentials: %v %v (%v)", tags, err, g.Counts())
	}
}
