package registryclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wharf-dev/wharf/internal/domain"
)

// DeleteRepository deletes every tag of a repository as the caller showed
// them (shown: each tag and the digest it named), a manifest at a time by
// digest, each journaled first; they are one batch, so one undo puts the
// repository back. When the repository's tags or digests are not what was
// shown, nothing is deleted. A registry that cannot delete manifests is
// refused up front, with the reason. It stops at the first manifest that
// fails (what was deleted is journaled). each hears of every manifest.
func (c *Changes) DeleteRepository(ctx context.Context, repository string, shown []domain.TagDigest, each func(domain.DeletedManifest)) (domain.RepoDeleteResult, error) {
	repo, err := c.registries.parseRepository(repository)
	if err != nil {
		return domain.RepoDeleteResult{}, invalidReference("delete repository", repository, err)
	}
	res := domain.RepoDeleteResult{Repository: repo.String()}
	host := repo.RegistryStr()
	op := "delete repository " + repo.String()
	if c.journal == nil {
		return res, ErrNoJournal
	}
	if _, err := c.deletable(ctx, op, host); err != nil {
		return res, err
	}
	unlock, err := c.lock(ctx, repo)
	if err != nil {
		return res, err
	}
	defer unlock()
	now, err := c.TagDigests(ctx, repo.String())
	if err == nil {
		now, err = resolvedOnly(now)
	}
	if err != nil {
		return res, err
	}
	want := map[string]string{}
	for _, td := range shown {
		want[td.Tag] = td.Digest
	}
	groups := map[string][]string{}
	var changed []string
	for _, td := range now {
		groups[td.Digest] = append(groups[td.Digest], td.Tag)
		if d, ok := want[td.Tag]; !ok {
			changed = append(changed, td.Tag+" is new")
		} else if d != td.Digest {
			changed = append(changed, fmt.Sprintf("%s names %s now, not %s", td.Tag, domain.ShortDigest(td.Digest), domain.ShortDigest(d)))
		}
		delete(want, td.Tag)
	}
	for t := range want {
		changed = append(changed, t+" is gone")
	}
	if len(changed) > 0 {
		slices.Sort(changed)
		return res, &Error{Op: op, Registry: host, Kind: ErrConflict, Detail: "the repository changed since it was shown (" + strings.Join(changed, "; ") + "); nothing was deleted — look again"}
	}
	if len(groups) == 0 {
		return res, &Error{Op: op, Registry: host, Kind: ErrNotFound, Detail: "it has no tags: nothing to delete"}
	}
	if _, ok := ctx.Value(batchKey{}).(string); !ok {
		ctx = WithBatch(ctx, NewBatch())
	}
	p, err := c.net.puller(ctx, host)
	if err != nil {
		return res, err
	}
	for _, d := range slices.Sorted(maps.Keys(groups)) {
		tags := slices.Sorted(slices.Values(groups[d]))
		dig := repo.Digest(d)
		cur, err := p.Get(ctx, dig)
		if err != nil {
			return res, c.net.classify(op, host, err)
		}
		id, err := c.deleteManifest(ctx, host, op, dig, cur, tags)
		if err != nil {
			return res, fmt.Errorf("%d of %d manifests deleted (wharf undo puts them back): %w", len(res.Manifests), len(groups), err)
		}
		m := domain.DeletedManifest{Digest: d, Tags: tags, JournalID: id}
		res.Manifests = append(res.Manifests, m)
		if each != nil {
			each(m)
		}
	}
	left, err := c.Tags(ctx, repo.String())
	switch {
	case errors.Is(err, ErrNotFound) || err == nil && len(left) == 0:
		res.Note = "no tags left; registry:2 and distribution v3 keep listing the repository in the catalog until its directory is removed from storage"
	case err != nil:
		return res, c.net.classify(op, host, fmt.Errorf("every manifest was deleted, but listing the tags after failed: %w", err))
	default:
		return res, &Error{Op: op, Registry: host, Kind: ErrConflict, Detail: fmt.Sprintf("every manifest shown was deleted, yet the registry lists %v now (pushed meanwhile?)", left)}
	}
	return res, nil
}
