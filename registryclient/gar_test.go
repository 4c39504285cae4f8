package registryclient_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/contracts"
	"github.com/wharf-dev/wharf/internal/domain"
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
	if n := g.Count("api DELETE tag"); n != 1 {
		t.Errorf("the tags API's DELETE was asked %d times (%v)", n, g.Counts())
	}
}

// A refused token: a clear error, nothing listed, the token not echoed.
func TestArtifactRegistryRefusedToken(t *testing.T) {
	g := contracts.NewGAR(t)
	w := garTarget(g, "ya29.expired")
	full := w.seed(t)
	_, err := w.client(t).Tags(testCtx(t), full)
	if !errors.Is(err, registryclient.ErrUnauthorized) || strings.Contains(err.Error(), "ya29.expired") || !strings.Contains(err.Error(), "invalid authentication") {
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
