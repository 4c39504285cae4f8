package contracts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// ECR's credentials in the contract: an access key the server knows the
// secret of, so it can check each request's SigV4 signature.
const (
	ECRAccessKey = "AKIDCONTRACTEXAMPLE"
	ECRSecretKey = "contract/secret/key/EXAMPLE" //nolint:gosec // a test server's made-up key
	ECRRegion    = "eu-west-1"
)

// ECR is a contract server for Amazon ECR's API (JSON 1.1 over POST /,
// X-Amz-Target AmazonEC2ContainerRegistry_V20150921.<Operation>, every
// request's SigV4 signature checked with the secret key):
// DescribeRepositories (two a page, nextToken), DescribeImages (100 a page),
// BatchDeleteImage (a tag at a digest: ImageTagDoesNotMatchDigest when it
// moved), PutImage (ImageTagAlreadyExistsException on an IMMUTABLE
// repository's existing tag), GetLifecyclePolicy, DescribeImageScanFindings;
// errors as {"__type","message"}, ThrottlingException while Throttle says.
// Its registry API refuses DELETE, and a PUT over an immutable tag.
type ECR struct {
	*Server
	mu        sync.Mutex
	immutable map[string]bool
	policies  map[string]string
	findings  map[string][]ECRFinding
	// BadSignatures counts requests whose signature did not check out.
	BadSignatures int
	// BeforePut runs as PutImage arrives, before it is answered (a race:
	// someone else's push between wharf's check and its write).
	BeforePut func(k *Server)
}

// ECRFinding is one scan finding.
type ECRFinding struct{ Name, Severity, Package, Version string }

// NewECR starts ECR's contract server; its API's base is e.Srv.URL.
func NewECR(t testing.TB) *ECR {
	e := &ECR{immutable: map[string]bool{}, policies: map[string]string{}, findings: map[string][]ECRFinding{}}
	e.Server = New(t, e.api, e.refuse)
	return e
}

// SetImmutable sets a repository's imageTagMutability IMMUTABLE.
func (e *ECR) SetImmutable(repo string) { e.mu.Lock(); e.immutable[repo] = true; e.mu.Unlock() }

// SetPolicy sets a repository's lifecycle policy text.
func (e *ECR) SetPolicy(repo, text string) { e.mu.Lock(); e.policies[repo] = text; e.mu.Unlock() }

// SetFindings sets an image's scan findings.
func (e *ECR) SetFindings(digest string, fs []ECRFinding) {
	e.mu.Lock()
	e.findings[digest] = fs
	e.mu.Unlock()
}

// Throttle makes the next n API calls answer ThrottlingException.
func (e *ECR) Throttle(n int) { e.FailNext(n) }

func (e *ECR) isImmutable(repo string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.immutable[repo]
}

func (e *ECR) refuse(k *Server, w http.ResponseWriter, r *http.Request) bool {
	if RefuseDeletes(k, w, r) {
		return true
	}
	if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
		repo, ref := manifestPath(r.URL.Path)
		if e.isImmutable(repo) && !strings.HasPrefix(ref, "sha256:") && k.Digest(repo, ref) != "" {
			w.WriteHeader(http.StatusBadRequest)
			msg := fmt.Sprintf("The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.", ref, repo)
			_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": "TAG_INVALID", "message": msg}}})
			return true
		}
	}
	return false
}

func ecrError(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// verify checks the request's SigV4 signature by signing it again, with the
// headers it says it signed, and the secret key.
func verify(r *http.Request, body []byte) string {
	auth := r.Header.Get("Authorization")
	cred, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 Credential=")
	if !ok {
		return "no SigV4 Authorization header"
	}
	scope := strings.Split(strings.SplitN(cred, ",", 2)[0], "/")
	if len(scope) != 5 || scope[0] != ECRAccessKey || scope[3] != "ecr" || scope[4] != "aws4_request" {
		return "credential scope " + strings.Join(scope, "/")
	}
	signed := ""
	for _, part := range strings.Split(auth, ", ") {
		if v, ok := strings.CutPrefix(part, "SignedHeaders="); ok {
			signed = v
		}
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "X-Amz-Date: " + err.Error()
	}
	// Never sent: signed again to compare.
	req, _ := http.NewRequestWithContext(context.Background(), r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body)) //nolint:gosec // not sent
	req.Host = r.Host
	for _, h := range strings.Split(signed, ";") {
		if h != "host" && h != "content-length" {
			req.Header.Set(h, r.Header.Get(h))
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: ECRAccessKey, SecretAccessKey: ECRSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ecr", scope[2], at); err != nil {
		return err.Error()
	}
	if req.Header.Get("Authorization") != auth {
		return "signature does not match"
	}
	return ""
}

func (e *ECR) api(k *Server, w http.ResponseWriter, r *http.Request) bool {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonEC2ContainerRegistry_V20150921.")
	if r.Method != http.MethodPost || r.URL.Path != "/" || !ok {
		return false
	}
	k.Add("api " + op)
	body, _ := io.ReadAll(r.Body)
	if problem := verify(r, body); problem != "" {
		e.mu.Lock()
		e.BadSignatures++
		e.mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "InvalidSignatureException", "message": problem})
		return true
	}
	if k.Failing() {
		ecrError(w, "ThrottlingException", "Rate exceeded")
		return true
	}
	var in struct {
		RepositoryName  string   `json:"repositoryName"`
		RepositoryNames []string `json:"repositoryNames"`
		NextToken       string   `json:"nextToken"`
		MaxResults      int      `json:"maxResults"`
		ImageIDs        []struct {
			ImageTag    string `json:"imageTag"`
			ImageDigest string `json:"imageDigest"`
		} `json:"imageIds"`
		ImageID struct {
			ImageDigest string `json:"imageDigest"`
		} `json:"imageId"`
		ImageManifest string `json:"imageManifest"`
		ImageTag      string `json:"imageTag"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		ecrError(w, "InvalidParameterException", err.Error())
		return true
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	exists := func(repo string) bool { return slices.Contains(k.Repos(), repo) }
	if in.RepositoryName != "" && !exists(in.RepositoryName) {
		ecrError(w, "RepositoryNotFoundException", fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '123456789012'", in.RepositoryName))
		return true
	}
	switch op {
	case "DescribeRepositories":
		names := in.RepositoryNames
		if len(names) == 0 {
			names = k.Repos()
		}
		var repos []map[string]any
		for _, n := range names {
			if !exists(n) {
				ecrError(w, "RepositoryNotFoundException", fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '123456789012'", n))
				return true
			}
			mut := "MUTABLE"
			if e.isImmutable(n) {
				mut = "IMMUTABLE"
			}
			repos = append(repos, map[string]any{
				"repositoryName": n, "registryId": "123456789012", "repositoryUri": k.Host() + "/" + n,
				"repositoryArn": "arn:aws:ecr:" + ECRRegion + ":123456789012:repository/" + n, "imageTagMutability": mut,
				"imageScanningConfiguration": map[string]bool{"scanOnPush": true}, "createdAt": epoch(time.Now().Add(-time.Hour)),
			})
		}
		page(w, in.NextToken, 2, repos, "repositories")
	case "DescribeImages":
		var details []map[string]any
		for _, im := range k.Images(in.RepositoryName) {
			details = append(details, map[string]any{
				"registryId": "123456789012", "repositoryName": in.RepositoryName, "imageDigest": im.Digest, "imageTags": im.Tags,
				"imageSizeInBytes": k.Size(in.RepositoryName, im.Digest), "imagePushedAt": epoch(k.Pushed(in.RepositoryName, im.Tags[0])),
				"imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
			})
		}
		page(w, in.NextToken, 100, details, "imageDetails")
	case "BatchDeleteImage":
		var done, failures []map[string]any
		for _, id := range in.ImageIDs {
			now := k.Digest(in.RepositoryName, id.ImageTag)
			switch {
			case now == "":
				failures = append(failures, map[string]any{"imageId": id, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"})
			case id.ImageDigest != "" && id.ImageDigest != now:
				failures = append(failures, map[string]any{"imageId": id, "failureCode": "ImageTagDoesNotMatchDigest", "failureReason": "Invalid image tag for image digest"})
			default:
				k.DeleteTag(in.RepositoryName, id.ImageTag)
				done = append(done, map[string]any{"imageTag": id.ImageTag, "imageDigest": now})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"imageIds": done, "failures": failures})
	case "PutImage":
		e.mu.Lock()
		before := e.BeforePut
		e.mu.Unlock()
		if before != nil {
			before(k)
		}
		sum := sha256.Sum256([]byte(in.ImageManifest))
		digest := "sha256:" + hex.EncodeToString(sum[:])
		now := k.Digest(in.RepositoryName, in.ImageTag)
		switch {
		case now == digest:
			ecrError(w, "ImageAlreadyExistsException", "Image with digest '"+digest+"' and tag '"+in.ImageTag+"' already exists in the repository")
		case now != "" && e.isImmutable(in.RepositoryName):
			ecrError(w, "ImageTagAlreadyExistsException", "The image tag '"+in.ImageTag+"' already exists in the '"+in.RepositoryName+"' repository and cannot be overwritten because the repository is immutable.")
		case !k.PutTag(in.RepositoryName, in.ImageTag, digest):
			ecrError(w, "ImageNotFoundException", "the manifest's layers are not in the repository")
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"image": map[string]any{
				"registryId": "123456789012", "repositoryName": in.RepositoryName,
				"imageId": map[string]string{"imageDigest": digest, "imageTag": in.ImageTag}, "imageManifest": in.ImageManifest,
			}})
		}
	case "GetLifecyclePolicy":
		e.mu.Lock()
		text, ok := e.policies[in.RepositoryName]
		e.mu.Unlock()
		if !ok {
			ecrError(w, "LifecyclePolicyNotFoundException", "Lifecycle policy does not exist for the repository with name '"+in.RepositoryName+"'")
			return true
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"registryId": "123456789012", "repositoryName": in.RepositoryName, "lifecyclePolicyText": text, "lastEvaluatedAt": epoch(time.Now())})
	case "DescribeImageScanFindings":
		e.mu.Lock()
		fs, ok := e.findings[in.ImageID.ImageDigest]
		e.mu.Unlock()
		if !ok {
			ecrError(w, "ScanNotFoundException", "Image scan does not exist for the image")
			return true
		}
		counts := map[string]int{}
		var findings []map[string]any
		for _, f := range fs {
			counts[f.Severity]++
			findings = append(findings, map[string]any{
				"name": f.Name, "severity": f.Severity, "uri": "https://cve.example/" + f.Name,
				"attributes": []map[string]string{{"key": "package_name", "value": f.Package}, {"key": "package_version", "value": f.Version}},
			})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"repositoryName": in.RepositoryName, "imageId": in.ImageID,
			"imageScanStatus":   map[string]string{"status": "COMPLETE", "description": "The scan was completed successfully."},
			"imageScanFindings": map[string]any{"findingSeverityCounts": counts, "findings": findings, "imageScanCompletedAt": epoch(time.Now())},
		})
	default:
		ecrError(w, "UnknownOperationException", op)
	}
	return true
}

// page answers one page of items under key, n at most, after nextToken.
func page(w http.ResponseWriter, token string, n int, items []map[string]any, key string) {
	from, _ := strconv.Atoi(strings.TrimPrefix(token, "t-"))
	from = min(from, len(items))
	to := min(from+n, len(items))
	out := map[string]any{key: items[from:to]}
	if to < len(items) {
		out["nextToken"] = "t-" + strconv.Itoa(to)
	}
	_ = json.NewEncoder(w).Encode(out)
}
