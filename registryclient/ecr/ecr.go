package ecr

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"regexp"
	"strings"

	"github.com/wharf-dev/wharf/registryclient/distribution"
	"github.com/wharf-dev/wharf/registryclient/provider"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/retention"
	"github.com/wharf-dev/wharf/internal/vulns"
)

// ecrHost matches an ECR registry host: {account}.dkr.ecr[-fips].{region}.amazonaws.com[.cn].
var ecrHost = regexp.MustCompile(`^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)

// ecrProvider is Amazon ECR: the distribution API for images, ECR's API
// (through the AWS SDK, signed with the AWS default credential chain) for
// repositories, tags with digests, sizes and push times, deleting one tag
// (BatchDeleteImage), retagging (PutImage), tag immutability, lifecycle
// policies and scan findings.
type ecrProvider struct{ distribution.OwnAPI }

func (ecrProvider) Name() string { return "Amazon ECR" }

func (ecrProvider) Paths(provider.Capabilities) []domain.ActionPath {
	return []domain.ActionPath{
		{Action: "list repositories", Path: "ECR's API: DescribeRepositories, paged (AWS credentials from the default chain: env, profile, SSO)"},
		{Action: "list tags", Path: "ECR's API: DescribeImages, paged, with digests, sizes and push times: no manifest requests"},
		{Action: "delete tag", Path: "ECR's API: BatchDeleteImage of the tag at its digest (the other tags keep the image)"},
		{Action: "retag, undo", Path: "ECR's API: PutImage; refused up front when the repository's tags are IMMUTABLE and the tag exists"},
		{Action: "lifecycle", Path: "ECR's API: GetLifecyclePolicy, previewed with wharf's retention engine (`wharf lifecycle REPO`)"},
		{Action: "vulnerabilities", Path: "ECR's API: DescribeImageScanFindings, when no report is attached"},
	}
}

// api is the SDK's ECR client for the host: region from the host (else
// the AWS config's), credentials from the AWS default chain, endpoint from
// `api:` when set.
func (e ecrProvider) api(ctx context.Context) (*ecr.Client, error) {
	v, err := e.Client.Shared("ecr-sdk "+e.Host, func() (any, error) { return e.newAPI(ctx) })
	if err != nil {
		return nil, err
	}
	return v.(*ecr.Client), nil
}

// newAPI makes the SDK's client for the host.
func (e ecrProvider) newAPI(ctx context.Context) (*ecr.Client, error) {
	// The SDK's own HTTP client: it honours AWS_CA_BUNDLE, retries
	// throttling with backoff, and signs each request.
	var opts []func(*awsconfig.LoadOptions) error
	if _, region := AccountRegion(e.Host); region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the AWS configuration (AWS_PROFILE, ~/.aws/config): %s", e.Host, provider.Redact(err.Error()))
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	base := e.Client.Settings(e.Host).API
	client := ecr.NewFromConfig(cfg, func(o *ecr.Options) {
		if base != "" {
			o.BaseEndpoint = aws.String(base)
		}
	})
	return client, nil
}

// AccountRegion are the account and region an ECR host names ("" for
// a host that is not ECR's).
func AccountRegion(host string) (account, region string) {
	if m := ecrHost.FindStringSubmatch(host); m != nil {
		return m[1], m[2]
	}
	return "", ""
}

// registryID is the account the host names (nil: the caller's).
func (e ecrProvider) registryID() *string {
	if account, _ := AccountRegion(e.Host); account != "" {
		return aws.String(account)
	}
	return nil
}

// ecrCredentialsAdvice says where ECR's API takes its credentials from.
const ecrCredentialsAdvice = "ECR's API takes AWS credentials: `aws configure`, AWS_PROFILE (after `aws sso login` for SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" //nolint:gosec // advice, not a credential

// ecrError is an ECR API error as wharf's *provider.Error, by its exception name.
func (e ecrProvider) ecrError(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		if strings.Contains(err.Error(), "failed to retrieve credentials") || strings.Contains(err.Error(), "no EC2 IMDS") {
			return &provider.Error{Op: op, Registry: e.Host, Kind: provider.ErrUnauthorized, Detail: "no AWS credentials", Advice: ecrCredentialsAdvice, Err: err}
		}
		return e.Client.Classify(op, e.Host, err)
	}
	out := &provider.Error{Op: op, Registry: e.Host, Kind: provider.ErrServer, Code: ae.ErrorCode(), Detail: ae.ErrorCode() + ": " + provider.Redact(ae.ErrorMessage())}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		// ECR answers its refusals with 400: settle reads them as such.
		out.Status = re.HTTPStatusCode()
	}
	switch ae.ErrorCode() {
	case "RepositoryNotFoundException", "ImageNotFoundException", "LifecyclePolicyNotFoundException", "ScanNotFoundException":
		out.Kind = provider.ErrNotFound
	case "ImageTagAlreadyExistsException", "ImageAlreadyExistsException":
		out.Kind = provider.ErrConflict
	case "ThrottlingException", "TooManyRequestsException", "LimitExceededException":
		out.Kind = provider.ErrRateLimited
	case "AccessDeniedException":
		out.Kind = provider.ErrDenied
		out.Advice = "the AWS identity's IAM policy does not allow it (the message names the ecr: action it needs)"
	case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId":
		out.Kind = provider.ErrUnauthorized
		out.Advice = ecrCredentialsAdvice
	case "InvalidParameterException":
		out.Kind = provider.ErrInvalidReference
	}
	return out
}

// Repositories lists the registry's repositories with DescribeRepositories.
func (e ecrProvider) Repositories(ctx context.Context, _ string) iter.Seq2[provider.Page, error] {
	return func(yield func(provider.Page, error) bool) {
		client, err := e.api(ctx)
		if err != nil {
			yield(provider.Page{}, err)
			return
		}
		pages := ecr.NewDescribeRepositoriesPaginator(client, &ecr.DescribeRepositoriesInput{RegistryId: e.registryID(), MaxResults: aws.Int32(1000)})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				yield(provider.Page{}, e.ecrError("list repositories", err))
				return
			}
			items := make([]string, 0, len(out.Repositories))
			for _, r := range out.Repositories {
				items = append(items, aws.ToString(r.RepositoryName))
			}
			if !yield(provider.Page{Items: items, Note: e.Host + " through ECR's API"}, nil) {
				return
			}
		}
	}
}

// repository is ECR's description of one repository.
func (e ecrProvider) repository(ctx context.Context, op string, repo name.Repository) (ecrtypes.Repository, error) {
	client, err := e.api(ctx)
	if err != nil {
		return ecrtypes.Repository{}, err
	}
	out, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RegistryId: e.registryID(), RepositoryNames: []string{repo.RepositoryStr()}})
	if err != nil {
		return ecrtypes.Repository{}, e.ecrError(op, err)
	}
	if len(out.Repositories) == 0 {
		return ecrtypes.Repository{}, &provider.Error{Op: op, Registry: e.Host, Kind: provider.ErrNotFound, Detail: "ECR knows no repository " + repo.RepositoryStr()}
	}
	return out.Repositories[0], nil
}

// immutable says whether ECR keeps tag on its image for good in r: its
// imageTagMutability, with the exclusion filters (wildcards) of the
// *_WITH_EXCLUSION settings.
func immutable(r ecrtypes.Repository, tag string) bool {
	excluded := false
	for _, f := range r.ImageTagMutabilityExclusionFilters {
		if retention.ECRWildcard(aws.ToString(f.Filter)).MatchString(tag) {
			excluded = true
		}
	}
	switch r.ImageTagMutability {
	case ecrtypes.ImageTagMutabilityImmutable:
		return true
	case ecrtypes.ImageTagMutabilityImmutableWithExclusion:
		return !excluded
	case ecrtypes.ImageTagMutabilityMutableWithExclusion:
		return excluded
	}
	return false
}

// TagPages lists a repository's tagged images with DescribeImages, each tag
// with its image's digest, size and push time, marked immutable as the
// repository's setting says.
func (e ecrProvider) TagPages(ctx context.Context, repo name.Repository) iter.Seq2[[]domain.TagInfo, error] {
	return func(yield func([]domain.TagInfo, error) bool) {
		op := "list tags of " + repo.RepositoryStr()
		r, err := e.repository(ctx, op, repo)
		if err != nil {
			yield(nil, err)
			return
		}
		client, err := e.api(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		pages := ecr.NewDescribeImagesPaginator(client, &ecr.DescribeImagesInput{
			RegistryId: e.registryID(), RepositoryName: aws.String(repo.RepositoryStr()),
			Filter: &ecrtypes.DescribeImagesFilter{TagStatus: ecrtypes.TagStatusTagged}, MaxResults: aws.Int32(1000),
		})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				yield(nil, e.ecrError(op, err))
				return
			}
			var infos []domain.TagInfo
			for _, im := range out.ImageDetails {
				for _, t := range im.ImageTags {
					infos = append(infos, domain.TagInfo{
						Tag: t, Digest: aws.ToString(im.ImageDigest), Size: aws.ToInt64(im.ImageSizeInBytes),
						Pushed: aws.ToTime(im.ImagePushedAt), Immutable: immutable(r, t),
					})
				}
			}
			if !yield(infos, nil) {
				return
			}
		}
	}
}

// Guard refuses to move a tag ECR keeps for good (IMMUTABLE), before
// anything is journaled or sent. Deleting a tag ECR allows either way.
func (e ecrProvider) Guard(ctx context.Context, w provider.TagWrite) error {
	if w.Delete || !w.Exists {
		return nil
	}
	r, err := e.repository(ctx, w.Op, w.Tag.Context())
	if err != nil {
		return err
	}
	if immutable(r, w.Tag.TagStr()) {
		return &provider.Error{Op: w.Op, Registry: e.Host, Kind: provider.ErrLocked, Detail: fmt.Sprintf("the repository's tags are %s: ECR keeps %s on its image for good, so nothing was changed (`aws ecr put-image-tag-mutability --repository-name %s --image-tag-mutability MUTABLE` allows moving it)",
			r.ImageTagMutability, w.Tag.TagStr(), w.Tag.RepositoryStr())}
	}
	return nil
}

// DeleteTag removes exactly the tag with BatchDeleteImage, naming its digest
// too: ECR removes only that tag while the image keeps its others, and
// refuses (ImageTagDoesNotMatchDigest) when the tag has moved meanwhile.
func (e ecrProvider) DeleteTag(ctx context.Context, _ *remote.Pusher, req provider.DeleteRequest) (domain.DeletePath, error) {
	op := "delete " + req.Tag.String()
	client, err := e.api(ctx)
	if err != nil {
		return "", err
	}
	out, err := client.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{
		RegistryId: e.registryID(), RepositoryName: aws.String(req.Tag.RepositoryStr()),
		ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String(req.Tag.TagStr()), ImageDigest: aws.String(req.Current.Digest.String())}},
	})
	if err != nil {
		return "", e.ecrError(op, err)
	}
	if len(out.Failures) > 0 {
		f := out.Failures[0]
		kind := provider.ErrServer
		switch f.FailureCode {
		case ecrtypes.ImageFailureCodeImageTagDoesNotMatchDigest:
			kind = provider.ErrConflict
		case ecrtypes.ImageFailureCodeImageNotFound:
			kind = provider.ErrNotFound
		}
		// A 400: the registry refused, nothing changed.
		return "", &provider.Error{Op: op, Registry: e.Host, Kind: kind, Status: http.StatusBadRequest, Code: string(f.FailureCode), Detail: string(f.FailureCode) + ": " + aws.ToString(f.FailureReason)}
	}
	return domain.DeletedByAPI, nil
}

// PutTag points the tag at the manifest with PutImage.
func (e ecrProvider) PutTag(ctx context.Context, _ *remote.Pusher, tag name.Tag, m remote.Taggable) error {
	op := "put " + tag.String()
	raw, err := m.RawManifest()
	if err != nil {
		return err
	}
	in := &ecr.PutImageInput{RegistryId: e.registryID(), RepositoryName: aws.String(tag.RepositoryStr()), ImageManifest: aws.String(string(raw)), ImageTag: aws.String(tag.TagStr())}
	if mt, ok := m.(interface {
		MediaType() (types.MediaType, error)
	}); ok {
		if s, err := mt.MediaType(); err == nil && s != "" {
			in.ImageManifestMediaType = aws.String(string(s))
		}
	}
	client, err := e.api(ctx)
	if err != nil {
		return err
	}
	_, err = client.PutImage(ctx, in)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ImageAlreadyExistsException" {
		return nil // already so
	}
	return e.ecrError(op, err)
}

// Lifecycle is the repository's settings that decide what ECR keeps: its
// tag mutability and its lifecycle policy (empty when it has none).
func (e ecrProvider) Lifecycle(ctx context.Context, repo name.Repository) (domain.RepositorySettings, error) {
	op := "read the lifecycle policy of " + repo.RepositoryStr()
	r, err := e.repository(ctx, op, repo)
	if err != nil {
		return domain.RepositorySettings{}, err
	}
	s := domain.RepositorySettings{Repository: repo.String(), Kind: e.Name(), TagMutability: string(r.ImageTagMutability)}
	if r.ImageScanningConfiguration != nil {
		s.ScanOnPush = r.ImageScanningConfiguration.ScanOnPush
	}
	for _, f := range r.ImageTagMutabilityExclusionFilters {
		s.MutabilityExclusions = append(s.MutabilityExclusions, aws.ToString(f.Filter))
	}
	client, err := e.api(ctx)
	if err != nil {
		return s, err
	}
	out, err := client.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RegistryId: e.registryID(), RepositoryName: aws.String(repo.RepositoryStr())})
	if err != nil {
		if err := e.ecrError(op, err); !errors.Is(err, provider.ErrNotFound) {
			return s, err
		}
		return s, nil
	}
	s.LifecyclePolicy = aws.ToString(out.LifecyclePolicyText)
	return s, nil
}

// ScanFindings are ECR's scan findings for an image (ok false when ECR has
// not scanned it).
func (e ecrProvider) ScanFindings(ctx context.Context, repo name.Repository, digest string) (vulns.Report, bool, error) {
	op := "read the scan findings of " + repo.RepositoryStr() + "@" + domain.ShortDigest(digest)
	client, err := e.api(ctx)
	if err != nil {
		return vulns.Report{}, false, err
	}
	rep := vulns.Report{Scanner: "Amazon ECR image scanning", From: "DescribeImageScanFindings"}
	pages := ecr.NewDescribeImageScanFindingsPaginator(client, &ecr.DescribeImageScanFindingsInput{
		RegistryId: e.registryID(), RepositoryName: aws.String(repo.RepositoryStr()), ImageId: &ecrtypes.ImageIdentifier{ImageDigest: aws.String(digest)},
		MaxResults: aws.Int32(1000),
	})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			err = e.ecrError(op, err)
			if errors.Is(err, provider.ErrNotFound) {
				return vulns.Report{}, false, nil
			}
			return vulns.Report{}, false, err
		}
		if out.ImageScanStatus != nil && out.ImageScanStatus.Status != ecrtypes.ScanStatusComplete {
			return vulns.Report{}, false, nil
		}
		if out.ImageScanFindings == nil {
			continue
		}
		for _, f := range out.ImageScanFindings.Findings {
			fd := vulns.Finding{ID: aws.ToString(f.Name), Severity: vulns.Severity(string(f.Severity))}
			for _, a := range f.Attributes {
				switch aws.ToString(a.Key) {
				case "package_name":
					fd.Package = aws.ToString(a.Value)
				case "package_version":
					fd.Installed = aws.ToString(a.Value)
				}
			}
			rep.Findings = append(rep.Findings, fd)
		}
	}
	return rep, true, nil
}

func (ecrProvider) DeletesThroughAPI(context.Context) string { return "ECR's API" }

// Serves reports whether host is one of Amazon ECR's private registries.
func Serves(host string) bool { return ecrHost.MatchString(host) }

// New is ECR's provider.
func New(h provider.Host, host string) provider.Provider {
	return ecrProvider{distribution.NewOwnAPI(h, host)}
}
