package testenv

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
)

// The floors benchmarks measure wharf against: the same requests over plain
// net/http, no wharf code.

// BareTagList lists a repository's tags a thousand a page, following the
// Link header (or, where the registry sends none, asking from the last tag
// on), and returns them. A registry that ignores n (registry:2 2.8 sends
// every tag at once) is asked once.
func BareTagList(tb testing.TB, hc *http.Client, base, repo string) []string {
	var all []string
	seen := map[string]bool{}
	next := base + "/v2/" + repo + "/tags/list?n=1000"
	for next != "" {
		resp, err := hc.Get(next) //nolint:noctx // a benchmark's floor, on loopback
		if err != nil {
			tb.Fatal(err)
		}
		var page struct{ Tags []string }
		err = json.NewDecoder(resp.Body).Decode(&page)
		_ = resp.Body.Close()
		if err != nil {
			tb.Fatal(err)
		}
		if len(page.Tags) > 0 && seen[page.Tags[0]] {
			break // a registry that ignores last starts over
		}
		for _, t := range page.Tags {
			seen[t] = true
		}
		all = append(all, page.Tags...)
		switch link := resp.Header.Get("Link"); {
		case link != "":
			next = base + link[strings.Index(link, "<")+1:strings.Index(link, ">")]
		case len(page.Tags) == 1000:
			next = base + "/v2/" + repo + "/tags/list?n=1000&last=" + url.QueryEscape(page.Tags[len(page.Tags)-1])
		default:
			next = ""
		}
	}
	return all
}

// BareDigests resolves tags with 16 parallel HEADs over hc's keep-alive
// transport and returns tag → digest.
func BareDigests(tb testing.TB, hc *http.Client, base, repo string, tags []string) map[string]string {
	out := make(map[string]string, len(tags))
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(16)
	for _, tag := range tags {
		g.Go(func() error {
			req, err := http.NewRequest(http.MethodHead, base+"/v2/"+repo+"/manifests/"+tag, nil) //nolint:noctx // a benchmark's floor
			if err != nil {
				return err
			}
			req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			_ = resp.Body.Close()
			mu.Lock()
			out[tag] = resp.Header.Get("Docker-Content-Digest")
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		tb.Fatal(err)
	}
	return out
}
