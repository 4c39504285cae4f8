package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/retention"
	"github.com/wharf-dev/wharf/registryclient"
)

// RetentionRegistry is what retention asks of the registries
// (registryclient.Client).
type RetentionRegistry interface {
	DescribeTags(ctx context.Context, repository string) ([]domain.RetainedTag, error)
	Resolve(ctx context.Context, reference string) (string, error)
	TagDeleter
}

// PlanRetention evaluates a policy over a repository as a dry run: which
// tags would go and which stay, each with its digest, creation time, size
// and the reason. Nothing is changed.
func PlanRetention(ctx context.Context, reg RetentionRegistry, repository string, pol retention.Policy) (domain.RetentionPlan, error) {
	if err := retention.Check(pol); err != nil {
		return domain.RetentionPlan{}, err
	}
	tags, err := reg.DescribeTags(ctx, repository)
	if err != nil {
		return domain.RetentionPlan{}, err
	}
	return retention.Plan(repository, tags, pol)
}

// ApplyRetention deletes a plan's tags through DeleteTag (so each is
// journaled and spares its siblings), reporting each as it goes. A tag
// that moved since the plan was made is left alone and reported as an
// error. It stops early only when ctx is cancelled.
func ApplyRetention(ctx context.Context, reg RetentionRegistry, plan domain.RetentionPlan, each func(domain.RetainedTag, domain.DeleteResult, error)) error {
	// One batch: one undo puts back every tag the run deleted.
	ctx = registryclient.WithBatch(ctx, registryclient.NewBatch())
	for _, t := range plan.Delete {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ref := plan.Repository + ":" + t.Tag
		now, err := reg.Resolve(ctx, ref)
		switch {
		case errors.Is(err, registryclient.ErrNotFound):
			each(t, domain.DeleteResult{}, fmt.Errorf("%s is gone already", ref))
			continue
		case err != nil:
			each(t, domain.DeleteResult{}, err)
			continue
		case now != t.Digest:
			each(t, domain.DeleteResult{}, fmt.Errorf("%s moved since the plan (now %s, planned %s); left alone", ref, domain.ShortDigest(now), domain.ShortDigest(t.Digest)))
			continue
		}
		// The delete checks again, just before it acts.
		res, err := reg.DeleteTagAt(ctx, ref, t.Digest)
		each(t, res, err)
	}
	return nil
}

// LifecycleReport is a repository's lifecycle settings in the registry's
// own API (ECR's), its policy's rules as wharf reads them, and what they
// would keep and expire today, previewed with wharf's retention engine.
type LifecycleReport struct {
	Settings domain.RepositorySettings  `json:"settings"`
	Rules    []retention.ECRTranslation `json:"rules"`
	Plan     *domain.RetentionPlan      `json:"preview,omitempty"`
}

// LifecycleRegistry is what the lifecycle preview asks of the registries
// (registryclient.Client).
type LifecycleRegistry interface {
	RepositorySettings(ctx context.Context, repository string) (domain.RepositorySettings, error)
	TagInfos(ctx context.Context, repository string) ([]domain.TagInfo, error)
}

// PlanLifecycle reads a repository's lifecycle policy and previews it on
// the repository's tags (their push times from the registry's listing). It
// changes nothing.
func PlanLifecycle(ctx context.Context, reg LifecycleRegistry, repository string, now time.Time) (LifecycleReport, error) {
	s, err := reg.RepositorySettings(ctx, repository)
	if err != nil {
		return LifecycleReport{}, err
	}
	rep := LifecycleReport{Settings: s}
	if s.LifecyclePolicy == "" {
		return rep, nil
	}
	if rep.Rules, err = retention.FromECRLifecycle(s.LifecyclePolicy); err != nil {
		return rep, err
	}
	infos, err := reg.TagInfos(ctx, repository)
	if err != nil {
		return rep, err
	}
	tags := make([]domain.RetainedTag, 0, len(infos))
	for _, ti := range infos {
		tags = append(tags, domain.RetainedTag{Tag: ti.Tag, Digest: ti.Digest, Created: ti.Pushed, Size: ti.Size})
	}
	plan, err := retention.PlanECR(s.Repository, tags, rep.Rules, now)
	if err != nil {
		return rep, err
	}
	rep.Plan = &plan
	return rep, nil
}
