package registryclient_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/contracts"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/fixtures"
	"github.com/wharf-dev/wharf/internal/testenv"
	"github.com/wharf-dev/wharf/registryclient"
)

// awsEnv gives the AWS SDK's default chain the contract's key through the
// environment, and no file of the user's.
func awsEnv(t *testing.T, secret string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": contracts.ECRAccessKey, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "",
		"AWS_REGION": contracts.ECRRegion, "AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"), "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
}

func ecrTarget(e *contracts.ECR) writeTarget {
	return providerTarget(e.Server, "ecr", e.Srv.URL, nil, domain.DeletedByAPI)
}

// The behaviour suite on ECR's contract server, every request signed
// (SigV4, checked by the server): repositories from DescribeRepositories,
// tags with digests, sizes and push times from DescribeImages and no
// manifest request to group them, one tag deleted with BatchDeleteImage,
// the undo through PutImage.
func TestECRBehavesLikeDistribution(t *testing.T) {
	awsEnv(t, contracts.ECRSecretKey)
	e := contracts.NewECR(t)
	providerSuite(t, ecrTarget(e), e.Server, true)
	c := e.Counts()
	if c["api BatchDeleteImage"] != 3 || c["api PutImage"] != 3 || c["PUT manifest"] != 0 {
		t.Errorf("requests %v: want a BatchDeleteImage per delete of the suite (3), each undo through PutImage (3), no registry PUT", c)
	}
	if e.BadSignatures != 0 {
		t.Errorf("%d requests were not signed right", e.BadSignatures)
	}
}

// A wrong secret key signs wrongly: the server refuses, the error says
// unauthorized and never shows the key.
func TestECRRequestsAreSignedWithSigV4(t *testing.T) {
	awsEnv(t, "not-the-secret")
	e := contracts.NewECR(t)
	w := ecrTarget(e)
	w.seed(t)
	_, err := w.client(t).Catalog(testCtx(t), w.host)
	if !errors.Is(err, registryclient.ErrUnauthorized) || !strings.Contains(err.Error(), "InvalidSignatureException") || strings.Contains(err.Error(), "not-the-secret") || strings.Contains(err.Error(), "docker login") {
		t.Errorf("badly signed: %v", err)
	}
	if e.BadSignatures == 0 {
		t.Error("the server saw no bad signature")
	}
}

// In an IMMUTABLE repository moving a tag is refused before anything is
// journaled or sent, with the reason and the command that changes it;
// creating a tag and deleting one are allowed, as ECR allows them.
func TestECRImmutableTagsAreRefusedUpFront(t *testing.T) {
	awsEnv(t, contracts.ECRSecretKey)
	e := contracts.NewECR(t)
	w := ecrTarget(e)
	full := w.seed(t)
	repo := strings.TrimPrefix(full, w.host+"/")
	e.SetImmutable(repo)
	c := w.client(t)
	// Without --overwrite too: no overwrite question for a tag ECR will
	// not move anyway.
	for _, ow := range []domain.Overwrite{domain.OverwriteAny, {}} {
		_, err := c.Retag(testCtx(t), full+":solo", "b", ow)
		if !errors.Is(err, registryclient.ErrLocked) || !strings.Contains(err.Error(), "IMMUTABLE") || strings.Contains(err.Error(), "docker login") || !strings.Contains(err.Error(), "put-image-tag-mutability") {
			t.Errorf("moving an immutable tag (%+v): %v", ow, err)
		}
	}
	if e.Count("api PutImage") != 0 {
		t.Error("PutImage was sent")
	}
	if entries, _ := registryclient.JournalOf(c).Entries(); len(entries) != 0 {
		t.Errorf("journaled %+v", entries)
	}
	if _, err := c.Retag(testCtx(t), full+":solo", "new", domain.Overwrite{}); err != nil {
		t.Errorf("a new tag in an immutable repository: %v", err)
	}
	if _, err := c.DeleteTag(testCtx(t), full+":c"); err != nil {
		t.Errorf("deleting a tag of an immutable repository: %v", err)
	}
	infos, err := c.TagInfos(testCtx(t), full)
	if err != nil || len(infos) != 4 || !infos[0].Immutable {
		t.Errorf("tags %+v (%v): want four, each immutable", infos, err)
	}
}

// Someone pushes the tag between wharf's check and its PutImage: ECR answers
// ImageTagAlreadyExistsException; wharf says so, the journal says refused,
// and the other push stands.
func TestECRImageTagAlreadyExists(t *testing.T) {
	awsEnv(t, contracts.ECRSecretKey)
	e := contracts.NewECR(t)
	w := ecrTarget(e)
	full := w.seed(t)
	repo := strings.TrimPrefix(full, w.host+"/")
	old := testenv.FixtureDigest(t, fixtures.AppOld)
	e.BeforePut = func(k *contracts.Server) {
		k.PutTag(repo, "next", old)
		e.SetImmutable(repo)
	}
	c := w.client(t)
	_, err := c.Retag(testCtx(t), full+":a", "next", domain.Overwrite{})
	if !errors.Is(err, registryclient.ErrConflict) || !strings.Contains(err.Error(), "ImageTagAlreadyExistsException") {
		t.Errorf("retag raced by a push: %v", err)
	}
	if got := e.Digest(repo, "next"); got != old {
		t.Errorf("next names %s, want the other push's %s", got, old)
	}
	entries, _ := registryclient.JournalOf(c).Entries()
	if len(entries) != 1 || entries[0].Refused == "" {
		t.Errorf("journal %+v, want the retag recorded as refused", entries)
	}
}

// An unknown repository is RepositoryNotFoundException, said as not found;
// a throttled API is retried, and a throttle that lasts is a rate limit.
func TestECRErrors(t *testing.T) {
	awsEnv(t, contracts.ECRSecretKey)
	e := contracts.NewECR(t)
	w := ecrTarget(e)
	full := w.seed(t)
	c := w.client(t)
	_, err := c.Tags(testCtx(t), w.host+"/no/such")
	if !errors.Is(err, registryclient.ErrNotFound) || !strings.Contains(err.Error(), "RepositoryNotFoundException") {
		t.Errorf("unknown repository: %v", err)
	}
	e.Throttle(1)
	if tags, err := c.Tags(testCtx(t), full); err != nil || len(tags) != 4 {
		t.Errorf("after one ThrottlingException: %v %v", tags, err)
	}
	e.Throttle(1000)
	_, err = c.Tags(testCtx(t), full)
	if !errors.Is(err, registryclient.ErrRateLimited) || !strings.Contains(err.Error(), "ThrottlingException") {
		t.Errorf("throttled for good: %v", err)
	}
}

// Paging: three repositories at two a page; 148 images at 100 a page.
func TestECRPaging(t *testing.T) {
	awsEnv(t, contracts.ECRSecretKey)
	e := contracts.NewECR(t)
	w := ecrTarget(e)
	full := w.seed(t)
	for _, ns := range []string{"more-a/", "more-b/"} {
		more := w
		more.seedRepo = ns
		more.seed(t)
	}
	c := w.client(t)
	repos, err := c.Catalog(testCtx(t), w.host)
	if err != nil || len(repos) != 3 || e.Count("api DescribeRepositories") != 2 {
		t.Errorf("repositories %v (%v) in %d requests, want 3 in 2", repos, err, e.Count("api DescribeRepositories"))
	}
	ref, err := name.NewRepository(full)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 146 {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref.Tag(fmt.Sprintf("build-%d", i)), img, remote.WithContext(testCtx(t))); err != nil {
			t.Fatal(err)
		}
	}
	e.Reset()
	tds, err := c.TagDigests(testCtx(t), full)
	if err != nil || len(tds) != 150 {
		t.Fatalf("%d tags (%v)", len(tds), err)
	}
	if got := e.Counts(); got["HEAD manifest"] != 0 || got["api DescribeImages"] != 2 {
		t.Errorf("requests %v", got)
	}
	if !slices.ContainsFunc(tds, func(td domain.TagDigest) bool { return td.Tag == "solo" }) {
		t.Error("solo missing")
	}
}

// The region (and the account) come from the registry's host.
func TestECRRegionFromTheHost(t *testing.T) {
	for host, want := range map[string][2]string{
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com":          {"123456789012", "eu-west-1"},
		"210987654321.dkr.ecr-fips.us-gov-west-1.amazonaws.com": {"210987654321", "us-gov-west-1"},
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn":      {"123456789012", "cn-north-1"},
		"public.ecr.aws":      {"", ""},
		"dkr.ecr.example.com": {"", ""},
	} {
		a, r := registryclient.ECRAccountRegion(host)
		if [2]string{a, r} != want {
			t.Errorf("%s: account %q region %q, want %v", host, a, r, want)
		}
	}
}

// The AWS default chain from a profile: no key in the environment,
// AWS_PROFILE naming a profile of the shared credentials file.
func TestECRCredentialsFromAProfile(t *testing.T) {
	dir := t.TempDir()
	creds := "[wharf-ci]\naws_access_key_id = " + contracts.ECRAccessKey + "\naws_secret_access_key = " + contracts.ECRSecretKey + "\n"
	conf := "[profile wharf-ci]\nregion = " + contracts.ECRRegion + "\n"
	for f, body := range map[string]string{"credentials": creds, "config": conf} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_PROFILE": "wharf-ci", "AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	e := contracts.NewECR(t)
	w := ecrTarget(e)
	full := w.seed(t)
	tags, err := w.client(t).Tags(testCtx(t), full)
	if err != nil || len(tags) != 4 || e.BadSignatures != 0 {
		t.Errorf("tags with the profile's key: %v %v (%d bad signatures)", tags, err, e.BadSignatures)
	}
}

// With no AWS credentials anywhere the error says where to put them.
func TestECRWithoutCredentialsSaysWhere(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_REGION": contracts.ECRRegion,
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"), "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
	} {
		t.Setenv(k, v)
	}
	e := contracts.NewECR(t)
	w := ecrTarget(e)
	full := w.seed(t)
	_, err := w.client(t).Tags(testCtx(t), full)
	if !errors.Is(err, registryclient.ErrUnauthorized) || !strings.Contains(err.Error(), "aws configure") || strings.Contains(err.Error(), "docker login") {
		t.Errorf("no credentials: %v", err)
	}
}
