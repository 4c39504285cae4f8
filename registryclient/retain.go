package registryclient

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"golang.org/x/sync/errgroup"

	"github.com/wharf-dev/wharf/internal/domain"
)

// ByCreated ranks tags by their image's creation time.
const ByCreated = domain.ByCreated

// RetentionPolicy says which tags of a repository to keep. A tag goes only
// when every rule lets it go:
//   - it matches Match (when set) and not Exclude (when set);
//   - it is not among the KeepNewest newest candidates (by By: semver — the
//     versions in version order, then the other tags newest first — or
//     created);
//   - with OlderThan, its image is older than that;
//   - no kept tag shares its digest.
type RetentionPolicy struct {
	KeepNewest int
	By         domain.TagOrder
	OlderThan  time.Duration
	Match      *regexp.Regexp
	Exclude    *regexp.Regexp
	// Now is when "older than" is measured from (default: time.Now()).
	Now time.Time
}

// PlanRetention evaluates a policy over a repository as a dry run: which
// tags would go and which stay, each with its digest, creation time, size
// and the reason. Nothing is changed.
func (c *Client) PlanRetention(ctx context.Context, repository string, pol RetentionPolicy) (domain.RetentionPlan, error) {
	if pol.KeepNewest <= 0 && pol.OlderThan <= 0 {
		return domain.RetentionPlan{}, errors.New("a retention policy needs --keep N or --older-than D (or both); without either it would delete every tag")
	}
	if pol.By == "" {
		pol.By = domain.BySemver
	}
	if pol.By != domain.BySemver && pol.By != ByCreated {
		return domain.RetentionPlan{}, fmt.Errorf("retention ranks by %q or %q, not %q", domain.BySemver, ByCreated, pol.By)
	}
	if pol.Now.IsZero() {
		pol.Now = time.Now()
	}
	repo, err := c.parseRepository(repository)
	if err != nil {
		return domain.RetentionPlan{}, invalidReference("retention", repository, err)
	}
	all, err := c.describeTags(ctx, repo.String())
	if err != nil {
		return domain.RetentionPlan{}, err
	}
	plan := domain.RetentionPlan{Repository: repo.String()}
	var candidates []domain.RetainedTag
	for _, t := range all {
		switch {
		case pol.Match != nil && !pol.Match.MatchString(t.Tag):
			t.Reason = "does not match " + pol.Match.String()
			plan.Keep = append(plan.Keep, t)
		case pol.Exclude != nil && pol.Exclude.MatchString(t.Tag):
			t.Reason = "excluded by " + pol.Exclude.String()
			plan.Keep = append(plan.Keep, t)
		default:
			candidates = append(candidates, t)
		}
	}
	rankNewestFirst(candidates, pol.By)
	var gone []domain.RetainedTag
	for i, t := range candidates {
		age := pol.Now.Sub(t.Created)
		switch {
		case i < pol.KeepNewest:
			t.Reason = fmt.Sprintf("among the newest %d", pol.KeepNewest)
			plan.Keep = append(plan.Keep, t)
		case pol.OlderThan > 0 && t.Created.IsZero():
			t.Reason = "creation time unknown"
			plan.Keep = append(plan.Keep, t)
		case pol.OlderThan > 0 && age < pol.OlderThan:
			t.Reason = "newer than " + pol.OlderThan.String()
			plan.Keep = append(plan.Keep, t)
		default:
			t.Reason = olderReason(pol, i)
			gone = append(gone, t)
		}
	}
	keptBy := map[string]string{}
	for _, k := range plan.Keep {
		if _, ok := keptBy[k.Digest]; !ok {
			keptBy[k.Digest] = k.Tag
		}
	}
	for _, t := range gone {
		if by, ok := keptBy[t.Digest]; ok {
			t.Reason = "shares its digest with kept tag " + by
			plan.Keep = append(plan.Keep, t)
			continue
		}
		plan.Delete = append(plan.Delete, t)
	}
	return plan, nil
}

func olderReason(pol RetentionPolicy, rank int) string {
	switch {
	case pol.KeepNewest > 0 && pol.OlderThan > 0:
		return fmt.Sprintf("number %d by %s, older than %s", rank+1, pol.By, pol.OlderThan)
	case pol.KeepNewest > 0:
		return fmt.Sprintf("number %d by %s; keeping %d", rank+1, pol.By, pol.KeepNewest)
	}
	return "older than " + pol.OlderThan.String()
}

// rankNewestFirst orders tags newest first: by version (non-versions after
// the versions, newest image first), or by the image's creation time.
func rankNewestFirst(tags []domain.RetainedTag, by domain.TagOrder) {
	versions := map[string]*semver.Version{}
	if by == domain.BySemver {
		for _, t := range tags {
			if v, err := semver.NewVersion(t.Tag); err == nil {
				versions[t.Tag] = v
			}
		}
	}
	sort.SliceStable(tags, func(i, j int) bool {
		vi, vj := versions[tags[i].Tag], versions[tags[j].Tag]
		switch {
		case vi != nil && vj != nil && !vi.Equal(vj):
			return vi.GreaterThan(vj)
		case vi != nil && vj == nil:
			return true
		case vi == nil && vj != nil:
			return false
		case !tags[i].Created.Equal(tags[j].Created):
			return tags[i].Created.After(tags[j].Created)
		}
		return tags[i].Tag < tags[j].Tag
	})
}

// describeTags lists the tags and resolves each one's digest, then each digest's creation time
// and size (for an index: its newest platform and the platforms' sizes
// added up).
func (c *Client) describeTags(ctx context.Context, repository string) ([]domain.RetainedTag, error) {
	all, err := c.TagDigests(ctx, repository)
	if err != nil {
		return nil, err
	}
	tds, err := resolvedOnly(all)
	if err != nil {
		return nil, err
	}
	out := make([]domain.RetainedTag, 0, len(tds))
	for _, td := range tds {
		out = append(out, domain.RetainedTag{Tag: td.Tag, Digest: td.Digest})
	}
	type info struct {
		created time.Time
		size    int64
	}
	infos := map[string]info{}
	var digests []string
	for _, t := range out {
		if _, ok := infos[t.Digest]; !ok {
			infos[t.Digest] = info{}
			digests = append(digests, t.Digest)
		}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(c.digestConc, 1))
	for _, digest := range digests {
		g.Go(func() error {
			created, size, err := c.ageAndSize(gctx, repository, digest)
			mu.Lock()
			defer mu.Unlock()
			infos[digest] = info{created, size}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Created, out[i].Size = infos[out[i].Digest].created, infos[out[i].Digest].size
	}
	return out, nil
}

// ageAndSize is an image's creation time and size; for an index, its
// newest platform's time and the platforms' sizes added up.
func (c *Client) ageAndSize(ctx context.Context, repository, digest string) (time.Time, int64, error) {
	d, err := c.Describe(ctx, repository+"@"+digest)
	if err != nil || !d.IsIndex() {
		return d.Created, d.Size, err
	}
	var newest time.Time
	var size int64
	for _, p := range d.Platforms {
		pd, err := c.Describe(ctx, repository+"@"+p.Digest)
		if err != nil {
			return newest, size, err
		}
		if pd.Created.After(newest) {
			newest = pd.Created
		}
		size += pd.Size
	}
	return newest, size, nil
}

// Created reports each digest's creation time (for an index, its newest
// platform's) as the descriptions return, a few at a time; a digest that
// cannot be described has err set. Cancelling ctx stops what is queued.
func (c *Client) Created(ctx context.Context, repository string, digests []string, each func(digest string, created time.Time, err error)) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(c.digestConc, 1))
	for _, d := range digests {
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil
			}
			created, _, err := c.ageAndSize(gctx, repository, d)
			if gctx.Err() == nil {
				each(d, created, err)
			}
			return nil
		})
	}
	_ = g.Wait()
	return ctx.Err()
}

// ApplyRetention deletes a plan's tags through DeleteTag (so each is
// journaled and spares its siblings), reporting each as it goes. A tag
// that moved since the plan was made is left alone and reported as an
// error. It stops early only when ctx is cancelled.
func (c *Client) ApplyRetention(ctx context.Context, plan domain.RetentionPlan, each func(domain.RetainedTag, domain.DeleteResult, error)) error {
	repo, err := c.parseRepository(plan.Repository)
	if err != nil {
		return invalidReference("retention", plan.Repository, err)
	}
	for _, t := range plan.Delete {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		now, err := c.digestNow(ctx, repo.Tag(t.Tag))
		switch {
		case err != nil:
			each(t, domain.DeleteResult{}, c.classify("check "+t.Tag, repo.RegistryStr(), err))
			continue
		case now == "":
			each(t, domain.DeleteResult{}, fmt.Errorf("%s:%s is gone already", plan.Repository, t.Tag))
			continue
		case now != t.Digest:
			each(t, domain.DeleteResult{}, fmt.Errorf("%s moved since the plan (now %s, planned %s); left alone", repo.Tag(t.Tag), domain.ShortDigest(now), domain.ShortDigest(t.Digest)))
			continue
		}
		res, err := c.DeleteTag(ctx, repo.Tag(t.Tag).String())
		each(t, res, err)
	}
	return nil
}
