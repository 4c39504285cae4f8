package registryclient

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DefaultCacheSize is the cache's size cap unless told otherwise.
const DefaultCacheSize = 256 << 20

// DiskCache keeps what wharf read from registries under
// $XDG_CACHE_HOME/wharf, so reopening is instant and browsing works offline:
// manifests and configs by digest (immutable, verified against the digest
// on every read; a corrupt entry is dropped), and per repository the tag
// list and tag→digest with when they were fetched. Every write is a
// temporary file renamed into place, so several wharf processes can share
// it without corrupting it. Past its size cap the oldest entries go.
type DiskCache struct {
	dir      string
	maxBytes int64
	mu       sync.Mutex
	size     int64
}

// OpenCache opens (creating) a cache directory with a size cap in bytes.
func OpenCache(dir string, maxBytes int64) (*DiskCache, error) {
	for _, sub := range []string{"blobs/sha256", "repos", "probes", "catalogs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("cache %s: %w", dir, err)
		}
	}
	c := &DiskCache{dir: dir, maxBytes: maxBytes}
	for _, e := range c.entries() {
		c.size += e.size
	}
	return c, nil
}

func (c *DiskCache) blobPath(digest string) (string, bool) {
	hexPart, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(hexPart) != 64 || strings.Trim(hexPart, "0123456789abcdef") != "" {
		return "", false
	}
	return filepath.Join(c.dir, "blobs", "sha256", hexPart), true
}

func (c *DiskCache) repoPath(repo string) string {
	sum := sha256.Sum256([]byte(repo))
	return filepath.Join(c.dir, "repos", hex.EncodeToString(sum[:])+".json")
}

// writeFile writes atomically: a temporary file in the same directory,
// renamed into place.
func (c *DiskCache) writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	c.mu.Lock()
	c.size += int64(len(data))
	over := c.size > c.maxBytes
	c.mu.Unlock()
	if over {
		c.evict()
	}
	return nil
}

// PutBlob stores a manifest or config under its digest; data that does not
// match the digest is refused.
func (c *DiskCache) PutBlob(digest string, data []byte) error {
	path, ok := c.blobPath(digest)
	if !ok {
		return fmt.Errorf("cache: %q is not a sha256 digest", digest)
	}
	if got := sha256Digest(data); got != digest {
		return fmt.Errorf("cache: content is %s, not %s", got, digest)
	}
	if _, err := os.Stat(path); err == nil {
		return nil // immutable: already there
	}
	return c.writeFile(path, data)
}

// GetBlob returns a stored blob after checking it against its digest; a
// corrupt entry is removed and reported as a miss.
func (c *DiskCache) GetBlob(digest string) ([]byte, bool) {
	path, ok := c.blobPath(digest)
	if !ok {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	if sha256Digest(data) != digest {
		_ = os.Remove(path)
		return nil, false
	}
	now := time.Now()
	_ = os.Chtimes(path, now, now) // recently used: evicted last
	return data, true
}

func sha256Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// RepoSnapshot is what the cache knows of a repository.
type RepoSnapshot = domain.RepoSnapshot

// A repository's snapshot is two files: its tag list as text (the
// repository on the first line, then a tag a line; fetched when the file
// was last written or touched), so a list that did not change is not
// written again, and its digests as JSON.
func (c *DiskCache) tagsPath(repo string) string {
	return strings.TrimSuffix(c.repoPath(repo), ".json") + ".tags"
}

// repoDigests is the JSON file of a repository's digests.
type repoDigests struct {
	Repository string               `json:"repository"`
	Digests    map[string]string    `json:"digests"`
	DigestsAt  map[string]time.Time `json:"digestsFetched"`
}

func listFile(repo string, tags []string) []byte {
	n := len(repo) + 1
	for _, t := range tags {
		n += len(t) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, repo...)
	for _, t := range tags {
		b = append(b, '\n')
		b = append(b, t...)
	}
	return append(b, '\n')
}

// Repo returns the cached snapshot of a repository.
func (c *DiskCache) Repo(repo string) (RepoSnapshot, bool) {
	s := RepoSnapshot{Repository: repo}
	tags, at, found := readList(c.tagsPath(repo), repo)
	if found {
		s.Tags, s.TagsAt = tags, at
	}
	if d, ok := c.digests(repo); ok {
		s.Digests, s.DigestsAt, found = d.Digests, d.DigestsAt, true
	}
	return s, found
}

func (c *DiskCache) digests(repo string) (repoDigests, bool) {
	data, err := os.ReadFile(c.repoPath(repo))
	if err != nil {
		return repoDigests{}, false
	}
	var d repoDigests
	if err := json.Unmarshal(data, &d); err != nil || d.Repository != repo {
		_ = os.Remove(c.repoPath(repo))
		return repoDigests{}, false
	}
	return d, true
}

// updateDigests changes a repository's digests (last writer wins between
// processes: it is a cache).
func (c *DiskCache) updateDigests(repo string, f func(*repoDigests)) error {
	d, ok := c.digests(repo)
	if !ok {
		d = repoDigests{Repository: repo}
	}
	if d.Digests == nil {
		d.Digests = map[string]string{}
		d.DigestsAt = map[string]time.Time{}
	}
	f(&d)
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return c.writeFile(c.repoPath(repo), data)
}

// writeList writes a list file (name on the first line, then an item a
// line); a list that did not change is only touched (marked as fetched now).
func (c *DiskCache) writeList(path, name string, items []string) error {
	data := listFile(name, items)
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		now := time.Now()
		return os.Chtimes(path, now, now)
	}
	return c.writeFile(path, data)
}

// readList reads a list file written for name, and when it was fetched.
func readList(path, name string) ([]string, time.Time, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, time.Time{}, false
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	info, err := os.Stat(path)
	if lines[0] != name || err != nil {
		_ = os.Remove(path)
		return nil, time.Time{}, false
	}
	return lines[1:], info.ModTime().UTC(), true
}

func (c *DiskCache) catalogPath(host string) string {
	sum := sha256.Sum256([]byte(host))
	return filepath.Join(c.dir, "catalogs", hex.EncodeToString(sum[:])+".txt")
}

// PutCatalog records a registry's whole repository list as fetched now.
func (c *DiskCache) PutCatalog(host string, repos []string) error {
	return c.writeList(c.catalogPath(host), host, repos)
}

// Catalog is a registry's repository list as last fetched whole.
func (c *DiskCache) Catalog(host string) (domain.CatalogSnapshot, bool) {
	repos, at, ok := readList(c.catalogPath(host), host)
	return domain.CatalogSnapshot{Host: host, Repositories: repos, At: at}, ok
}

// PutTags records a repository's tag list as fetched now; a list that did
// not change is only marked as fetched now, not written again.
func (c *DiskCache) PutTags(repo string, tags []string) error {
	return c.writeList(c.tagsPath(repo), repo, tags)
}

// PutDigests records tag→digest results as fetched now.
func (c *DiskCache) PutDigests(repo string, digests map[string]string) error {
	if len(digests) == 0 {
		return nil
	}
	now := time.Now().UTC()
	return c.updateDigests(repo, func(d *repoDigests) {
		for t, dg := range digests {
			d.Digests[t], d.DigestsAt[t] = dg, now
		}
	})
}

// ForgetTags drops tags wharf deleted from the snapshot of repo.
func (c *DiskCache) ForgetTags(repo string, tags []string) error {
	gone := make(map[string]bool, len(tags))
	for _, t := range tags {
		gone[t] = true
	}
	if s, ok := c.Repo(repo); ok && s.Tags != nil {
		kept := slices.DeleteFunc(slices.Clone(s.Tags), func(x string) bool { return gone[x] })
		if len(kept) != len(s.Tags) {
			if err := c.writeFile(c.tagsPath(repo), listFile(repo, kept)); err != nil {
				return err
			}
			// Still as fetched then, less what wharf deleted.
			_ = os.Chtimes(c.tagsPath(repo), s.TagsAt, s.TagsAt)
		}
	}
	return c.updateDigests(repo, func(d *repoDigests) {
		for t := range gone {
			delete(d.Digests, t)
			delete(d.DigestsAt, t)
		}
	})
}

type cacheEntry struct {
	path string
	size int64
	used time.Time
}

func (c *DiskCache) entries() []cacheEntry {
	var out []cacheEntry
	_ = filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			out = append(out, cacheEntry{path: path, size: info.Size(), used: info.ModTime()})
		}
		return nil
	})
	return out
}

// evict removes the least recently used entries until the cache is within
// 90% of its cap.
func (c *DiskCache) evict() {
	entries := c.entries()
	sort.Slice(entries, func(i, j int) bool { return entries[i].used.Before(entries[j].used) })
	var total int64
	for _, e := range entries {
		total += e.size
	}
	target := c.maxBytes * 9 / 10
	for _, e := range entries {
		if total <= target {
			break
		}
		if os.Remove(e.path) == nil {
			total -= e.size
		}
	}
	c.mu.Lock()
	c.size = total
	c.mu.Unlock()
}

// Size is the cache's current size in bytes.
func (c *DiskCache) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *DiskCache) probePath(host string) string {
	sum := sha256.Sum256([]byte(host))
	return filepath.Join(c.dir, "probes", hex.EncodeToString(sum[:])+".json")
}

// PutProbe records what a probe found out about a registry.
func (c *DiskCache) PutProbe(caps domain.Capabilities) error {
	// The client took its credentials out already; this takes out what
	// looks like one, whoever wrote caps.
	caps.Error = domain.Redact(caps.Error)
	caps.Notes = slices.Clone(caps.Notes)
	for i, n := range caps.Notes {
		caps.Notes[i] = domain.Redact(n)
	}
	data, err := json.Marshal(caps)
	if err != nil {
		return err
	}
	return c.writeFile(c.probePath(caps.Registry), data)
}

// ForgetProbe drops the probe of a registry.
func (c *DiskCache) ForgetProbe(host string) { _ = os.Remove(c.probePath(host)) }

// Probe returns the last probe of a registry, however old.
func (c *DiskCache) Probe(host string) (domain.Capabilities, bool) {
	data, err := os.ReadFile(c.probePath(host))
	if err != nil {
		return domain.Capabilities{}, false
	}
	var caps domain.Capabilities
	if json.Unmarshal(data, &caps) != nil || caps.Registry != host {
		return domain.Capabilities{}, false
	}
	return caps, true
}
