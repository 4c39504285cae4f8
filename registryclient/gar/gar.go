package gar

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-dev/wharf/registryclient/distribution"
	"github.com/wharf-dev/wharf/registryclient/provider"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/oauth2/google"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DefaultAPI is Google Artifact Registry's REST API.
const DefaultAPI = "https://artifactregistry.googleapis.com"

// garTokenUser is the user name docker-credential-gcloud (and `gcloud auth
// print-access-token | docker login -u oauth2accesstoken`) stores with an
// access token as the password.
const garTokenUser = "oauth2accesstoken"

// gar is Google Artifact Registry ({location}-docker.pkg.dev/{project}/
// {repository}/{image}): the distribution API for images, the Artifact
// Registry REST API for the images of a project's repositories, their tags
// with digests, sizes and upload times, and deleting one tag.
type gar struct{ distribution.OwnAPI }

func (gar) Name() string { return "Google Artifact Registry" }

func (gar) Paths(provider.Capabilities) []domain.ActionPath {
	return []domain.ActionPath{
		{Action: "list repositories", Path: "Artifact Registry's API: GET /v1/projects/{project}/locations/{location}/repositories, then each one's dockerImages, paged (projects from `namespaces:`)"},
		{Action: "list tags", Path: "Artifact Registry's API: GET …/repositories/{repository}/dockerImages, paged, with digests, sizes and upload times: no HEADs"},
		{Action: "delete tag", Path: "Artifact Registry's API: DELETE …/repositories/{repository}/packages/{image}/tags/{tag} (the other tags keep the image)"},
		{Action: "retag, undo", Path: "PUT /v2/{name}/manifests/{tag}"},
	}
}

func (g gar) api() string { return g.Client.APIBase(g.Host, DefaultAPI) }

// location is the registry host's location (europe-docker.pkg.dev:
// europe); "-" (any) for a host that does not say one.
func (g gar) location() string {
	if loc, ok := strings.CutSuffix(g.Host, "-docker.pkg.dev"); ok {
		return loc
	}
	return "-"
}

// garPath splits an image into its project, repository and package (the
// image's path within the repository).
func garPath(repo name.Repository) (project, repository, pkg string, err error) {
	parts := strings.SplitN(repo.RepositoryStr(), "/", 3)
	if len(parts) < 3 {
		return "", "", "", fmt.Errorf("%s is not an Artifact Registry image: the path is PROJECT/REPOSITORY/IMAGE", repo)
	}
	return parts[0], parts[1], parts[2], nil
}

// token is an access token for the REST API: the one the docker credential
// helper (gcloud) gives for the host, else application default credentials.
func (g gar) token(ctx context.Context) (string, error) {
	cfg, err := g.Client.Credentials(ctx, g.Host)
	if err != nil {
		return "", err
	}
	if cfg != nil && cfg.Username == garTokenUser && cfg.Password != "" {
		return cfg.Password, nil
	}
	if t, ok := g.Client.Tokens().Get("gar adc"); ok {
		return t, nil
	}
	creds, err := google.FindDefaultCredentials(ctx, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		return "", &provider.Error{Op: "log in to Artifact Registry", Registry: g.Host, Kind: provider.ErrUnauthorized, Detail: "no credentials", Advice: g.advice(), Err: err}
	}
	tok, err := creds.TokenSource.Token()
	if err != nil {
		return "", &provider.Error{Op: "log in to Artifact Registry", Registry: g.Host, Kind: provider.ErrUnauthorized, Detail: "application default credentials gave no token: " + provider.Redact(err.Error()), Advice: g.advice(), Err: err}
	}
	g.Client.Tokens().Put("gar adc", tok.AccessToken, time.Until(tok.Expiry)-time.Minute)
	return tok.AccessToken, nil
}

// advice says where Artifact Registry's API takes its token from.
func (g gar) advice() string {
	return "`gcloud auth configure-docker " + g.Host + "` (the gcloud credential helper) or `gcloud auth application-default login`"
}

// garImage is the documented shape of a DockerImage.
type garImage struct {
	URI            string   `json:"uri"`
	Tags           []string `json:"tags"`
	ImageSizeBytes string   `json:"imageSizeBytes"`
	UploadTime     string   `json:"uploadTime"`
	UpdateTime     string   `json:"updateTime"`
}

// images walks a repository's docker images page by page.
func (g gar) images(ctx context.Context, token, op, project, repository string, each func([]garImage) bool) error {
	base := fmt.Sprintf("%s/v1/projects/%s/locations/%s/repositories/%s/dockerImages?distribution.PageSize=1000", g.api(), url.PathEscape(project), g.location(), url.PathEscape(repository))
	next := base
	for next != "" {
		var page struct {
			DockerImages  []garImage `json:"dockerImages"`
			NextPageToken string     `json:"nextPageToken"`
		}
		if _, err := g.Client.Call(ctx, provider.APICall{Op: op, Registry: g.Host, Advice: g.advice(), URL: next, Token: token}, &page); err != nil {
			return err
		}
		if !each(page.DockerImages) {
			return nil
		}
		next = ""
		if page.NextPageToken != "" {
			next = base + "&pageToken=" + url.QueryEscape(page.NextPageToken)
		}
	}
	return nil
}

// imageName is an image's path on the host from its URI
// (host/project/repo/image@sha256:…).
func (g gar) imageName(uri string) (string, string) {
	path, digest, _ := strings.Cut(strings.TrimPrefix(uri, g.Host+"/"), "@")
	return path, digest
}

// Repositories lists the images of each configured project's repositories
// (`namespaces:`) through Artifact Registry's API.
func (g gar) Repositories(ctx context.Context, _ string) iter.Seq2[provider.Page, error] {
	return func(yield func(provider.Page, error) bool) {
		r := g.Client.Settings(g.Host)
		if !g.ConfiguredPage(yield) {
			return
		}
		if len(r.Namespaces) == 0 {
			if len(r.Repositories) == 0 {
				yield(provider.Page{}, fmt.Errorf("%s lists images by project: add `namespaces:` (Google Cloud projects) or `repositories:` for host %s in wharf's config.yaml", g.Host, g.Host))
			}
			return
		}
		token, err := g.token(ctx)
		if err != nil {
			yield(provider.Page{}, err)
			return
		}
		for _, project := range r.Namespaces {
			op := "list repositories of " + project
			base := fmt.Sprintf("%s/v1/projects/%s/locations/%s/repositories?distribution.PageSize=1000", g.api(), url.PathEscape(project), g.location())
			next := base
			var repos []string
			for next != "" {
				var page struct {
					Repositories []struct {
						Name   string `json:"name"`
						Format string `json:"format"`
					} `json:"repositories"`
					NextPageToken string `json:"nextPageToken"`
				}
				if _, err := g.Client.Call(ctx, provider.APICall{Op: op, Registry: g.Host, Advice: g.advice(), URL: next, Token: token}, &page); err != nil {
					yield(provider.Page{}, err)
					return
				}
				for _, rp := range page.Repositories {
					if rp.Format == "DOCKER" {
						repos = append(repos, rp.Name[strings.LastIndex(rp.Name, "/")+1:])
					}
				}
				next = ""
				if page.NextPageToken != "" {
					next = base + "&pageToken=" + url.QueryEscape(page.NextPageToken)
				}
			}
			for _, repository := range repos {
				seen := map[string]bool{}
				var items []string
				err := g.images(ctx, token, op, project, repository, func(ims []garImage) bool {
					for _, im := range ims {
						if n, _ := g.imageName(im.URI); !seen[n] {
							seen[n] = true
							items = append(items, n)
						}
					}
					return true
				})
				if err != nil {
					yield(provider.Page{}, err)
					return
				}
				slices.Sort(items)
				if !yield(provider.Page{Items: items, Note: g.Host + "/" + project + "/" + repository + " through Artifact Registry's API"}, nil) {
					return
				}
			}
		}
	}
}

// TagPages lists an image's tags from its repository's docker images,
// each with its digest, size and upload time.
func (g gar) TagPages(ctx context.Context, repo name.Repository) iter.Seq2[[]domain.TagInfo, error] {
	return func(yield func([]domain.TagInfo, error) bool) {
		project, repository, _, err := garPath(repo)
		if err != nil {
			yield(nil, provider.InvalidReference("list tags", repo.String(), err))
			return
		}
		token, err := g.token(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		stopped := false
		err = g.images(ctx, token, "list tags of "+repo.RepositoryStr(), project, repository, func(ims []garImage) bool {
			var infos []domain.TagInfo
			for _, im := range ims {
				n, digest := g.imageName(im.URI)
				if n != repo.RepositoryStr() {
					continue
				}
				size, _ := strconv.ParseInt(im.ImageSizeBytes, 10, 64)
				for _, t := range im.Tags {
					infos = append(infos, domain.TagInfo{Tag: t, Digest: digest, Size: size, Pushed: provider.FirstTime(im.UploadTime, im.UpdateTime)})
				}
			}
			if !yield(infos, nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield(nil, err)
		}
	}
}

// DeleteTag deletes exactly the tag through Artifact Registry's tags API;
// the version and its other tags stay.
func (g gar) DeleteTag(ctx context.Context, _ *remote.Pusher, req provider.DeleteRequest) (domain.DeletePath, error) {
	project, repository, pkg, err := garPath(req.Tag.Context())
	if err != nil {
		return "", err
	}
	token, err := g.token(ctx)
	if err != nil {
		return "", err
	}
	u := fmt.Sprintf("%s/v1/projects/%s/locations/%s/repositories/%s/packages/%s/tags/%s", g.api(), url.PathEscape(project), g.location(),
		url.PathEscape(repository), url.PathEscape(pkg), url.PathEscape(req.Tag.TagStr()))
	_, err = g.Client.Call(ctx, provider.APICall{Op: "delete " + req.Tag.String(), Registry: g.Host, Advice: g.advice(), Method: http.MethodDelete, URL: u, Token: token}, nil)
	var e *provider.Error
	if errors.As(err, &e) && e.Status == http.StatusForbidden {
		e.Detail += ": the account needs artifactregistry.tags.delete (roles/artifactregistry.repoAdmin)"
	}
	if err != nil {
		return "", err
	}
	return domain.DeletedByAPI, nil
}

func (gar) DeletesThroughAPI(context.Context) string { return "Artifact Registry's API" }

// Serves reports whether host is one of Artifact Registry's Docker hosts.
func Serves(host string) bool { return strings.HasSuffix(host, "-docker.pkg.dev") }

// New is Artifact Registry's provider.
func New(h provider.Host, host string) provider.Provider {
	return gar{distribution.NewOwnAPI(h, host)}
}
