package registryclient

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/vulns"
	"github.com/wharf-dev/wharf/registryclient/provider"
)

// RepositorySettings are what the registry's own API says decides what a
// repository keeps: ECR's tag mutability and lifecycle policy. A registry
// without such an API is an ErrUnsupported error that says so.
func (c *Reads) RepositorySettings(ctx context.Context, repository string) (domain.RepositorySettings, error) {
	repo, err := c.registries.parseRepository(repository)
	if err != nil {
		return domain.RepositorySettings{}, invalidReference("read the repository's settings", repository, err)
	}
	p := c.Provider(repo.RegistryStr())
	sr, ok := p.(provider.SettingsReader)
	if !ok {
		return domain.RepositorySettings{}, &Error{
			Op: "read the lifecycle policy of " + repository, Registry: repo.RegistryStr(), Kind: ErrUnsupported,
			Detail: fmt.Sprintf("%s has no lifecycle policies wharf can read (Amazon ECR has): `wharf retain` applies wharf's own", p.Name()),
		}
	}
	return sr.Lifecycle(ctx, repo)
}

// ScanFindings are the registry's own scan findings for an image, when it
// scans (ECR); ok is false when it does not, or has not scanned this one.
func (c *Reads) ScanFindings(ctx context.Context, reference string) (vulns.Report, bool, error) {
	ref, err := c.registries.parseReference(reference)
	if err != nil {
		return vulns.Report{}, false, invalidReference("read scan findings", reference, err)
	}
	sr, ok := c.Provider(ref.Context().RegistryStr()).(provider.ScanReader)
	if !ok {
		return vulns.Report{}, false, nil
	}
	digest := ref.Identifier()
	if _, isTag := ref.(name.Tag); isTag {
		if digest, err = c.Resolve(ctx, reference); err != nil {
			return vulns.Report{}, false, err
		}
	}
	return sr.ScanFindings(ctx, ref.Context(), digest)
}
