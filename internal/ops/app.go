package ops

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/deadline"
	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/journal"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// Remote is the registries as the app sees them: what the app's panes
// read of the client (remote_reads.go), and the changes (retag, copy,
// delete a tag, undo the last change) when the session has a journal
// (Writable).
type Remote struct {
	c       *registryclient.Client
	journal *journal.Journal
	// budget is how long a change may go without progress (Session.Budget).
	budget time.Duration
	// configPath is wharf's config file, where registries are added.
	configPath string
}

// NewRemote is the app's side of the session's registries.
func NewRemote(s *Session) *Remote {
	r := &Remote{c: s.Client, journal: s.Journal, budget: s.Budget()}
	if s.Env != nil && !s.Demo {
		r.configPath = config.Path(s.Env)
	}
	return r
}

// RegistrySettings is what wharf's config file says of host (false when
// it names no such registry).
func (r *Remote) RegistrySettings(host string) (domain.RegistrySettings, bool) {
	if r.configPath == "" {
		return domain.RegistrySettings{}, false
	}
	cfg, err := config.Load(r.configPath)
	if err != nil {
		return domain.RegistrySettings{}, false
	}
	for _, c := range cfg.Registries {
		if config.NormalizeHost(c.Host) == config.NormalizeHost(host) {
			name := c.Name
			if name == c.Host {
				name = ""
			}
			return domain.RegistrySettings{Host: c.Host, Name: name, Insecure: c.Insecure, CAFile: c.CAFile, Repositories: c.Repositories, Namespaces: c.Namespaces}, true
		}
	}
	return domain.RegistrySettings{}, false
}

// SaveRegistry writes s into wharf's config file (over the registry at
// old when old is not ""), keeping the file's comments and order.
func (r *Remote) SaveRegistry(old string, s domain.RegistrySettings) error {
	if r.configPath == "" {
		return errors.New("the demo has no config file to write")
	}
	return config.SaveRegistry(r.configPath, old, config.Registry{Host: s.Host, Name: s.Name, Insecure: s.Insecure, CAFile: s.CAFile, Repositories: s.Repositories, Namespaces: s.Namespaces})
}

// RemoveRegistry takes host out of wharf's config file.
func (r *Remote) RemoveRegistry(host string) error {
	if r.configPath == "" {
		return errors.New("the demo has no config file to write")
	}
	return config.RemoveRegistry(r.configPath, host)
}

// Describe reads a reference; with its registry unreachable, it is what
// wharf read of it before (from the cache), with a note that says so and
// how old that is.
func (r *Remote) Describe(ctx context.Context, reference string) (domain.Details, error) {
	d, err := r.c.Describe(ctx, reference)
	if err == nil || !errors.Is(err, registryclient.ErrUnreachable) {
		return d, err
	}
	cached, ok := r.c.CachedDescribe(reference)
	if !ok {
		return d, err
	}
	note := "offline: the registry cannot be reached; this is what wharf read before"
	if p, perr := ref.Parse(reference); perr == nil && p.Tag() != "" {
		if snap, ok := r.c.Known(p.Repository()); ok {
			if at, ok := snap.DigestsAt[p.Tag()]; ok {
				note += ", " + domain.HumanAge(time.Since(at)) + " ago (the tag may have moved since)"
			}
		}
	}
	cached.Notes = append(cached.Notes, note)
	return cached, nil
}

// Writable reports whether changes can be journaled, and so made.
func (r *Remote) Writable() bool { return r.journal != nil }

// Copy copies an image or index to another repository or registry.
func (r *Remote) Copy(ctx context.Context, source, dest string, ow domain.Overwrite, progress func(domain.CopyProgress)) (domain.WriteResult, error) {
	return bounded(ctx, r.budget, func(ctx context.Context) (domain.WriteResult, error) {
		return r.c.Copy(ctx, source, dest, registryclient.CopyOptions{Overwrite: ow, Progress: progress})
	})
}

// Retag points newTag at source's manifest (see registryclient.Retag).
func (r *Remote) Retag(ctx context.Context, source, newTag string, ow domain.Overwrite) (domain.WriteResult, error) {
	return bounded(ctx, r.budget, func(ctx context.Context) (domain.WriteResult, error) {
		return r.c.Retag(ctx, source, newTag, ow)
	})
}

// DeleteTag deletes one tag, which must still name digest (what the user
// was shown; "" for any).
func (r *Remote) DeleteTag(ctx context.Context, reference, digest string) (domain.DeleteResult, error) {
	return bounded(ctx, r.budget, func(ctx context.Context) (domain.DeleteResult, error) {
		return r.c.DeleteTagAt(ctx, reference, digest)
	})
}

// CopyTags copies each source (a tag, by the digest shown when there is
// one) to dest, a repository on any registry, keeping its tag, as one
// journal batch; a tag there that holds another image is not replaced
// (that copy fails, the others go on).
func (r *Remote) CopyTags(ctx context.Context, sources []domain.TagAt, dest string, each func(src domain.TagAt, to string, res domain.WriteResult, err error)) error {
	return boundedErr(ctx, r.budget, func(ctx context.Context) error { return r.copyTags(ctx, sources, dest, each) })
}

func (r *Remote) copyTags(ctx context.Context, sources []domain.TagAt, dest string, each func(src domain.TagAt, to string, res domain.WriteResult, err error)) error {
	ctx = registryclient.WithBatch(ctx, registryclient.NewBatch())
	for _, s := range sources {
		if err := ctx.Err(); err != nil {
			return err
		}
		from := s.Reference
		repo, tag := from[:strings.LastIndex(from, ":")], from[strings.LastIndex(from, ":")+1:]
		if s.Digest != "" {
			from = repo + "@" + s.Digest
		}
		to := dest + ":" + tag
		res, err := r.Copy(ctx, from, to, domain.Overwrite{}, func(domain.CopyProgress) {})
		each(s, to, res, err)
	}
	return nil
}

// DeleteTags deletes several tags as one journal batch (see DeleteTags).
func (r *Remote) DeleteTags(ctx context.Context, tags []domain.TagAt, each func(domain.TagAt, domain.DeleteResult, error)) error {
	return boundedErr(ctx, r.budget, func(ctx context.Context) error { return DeleteTags(ctx, r.c, tags, each) })
}

// NextUndo is the journal entry an undo in repository undoes next.
func (r *Remote) NextUndo(_ context.Context, repository string) (domain.JournalEntry, error) {
	if r.journal == nil {
		return domain.JournalEntry{}, registryclient.ErrNoJournal
	}
	e, err := r.journal.LastIn(repository)
	if err != nil {
		return e, err
	}
	return WithBatch(r.journal, e)
}

// Undo puts back what entry recorded; a tag moved since is refused.
func (r *Remote) Undo(ctx context.Context, entry domain.JournalEntry) (domain.UndoResult, error) {
	return bounded(ctx, r.budget, func(ctx context.Context) (domain.UndoResult, error) {
		return UndoAll(ctx, r.c, entry, false)
	})
}

// JournalChanges reports journal entries that are new or changed — by
// this app, another wharf or the CLI — checking the journal about every
// second.
func (r *Remote) JournalChanges(ctx context.Context) <-chan []domain.JournalEntry {
	if r.journal == nil {
		return nil
	}
	return r.journal.Watch(ctx, time.Second)
}

// Placeholders are the placeholder digests deletes cut off half way left
// in repository (and not undone), by journal entry.
func (r *Remote) Placeholders(repository string) map[string]int {
	if r.journal == nil {
		return nil
	}
	entries, err := r.journal.Entries()
	if err != nil {
		return nil
	}
	out := map[string]int{}
	for _, e := range entries {
		if e.Repository == repository && e.Placeholder != "" && e.Outcome != domain.OutcomeDone && e.Outcome != domain.OutcomeRefused && e.Undone.IsZero() {
			out[e.Placeholder] = e.ID
		}
	}
	return out
}

// PlanRetention previews a retention policy over a repository.
func (r *Remote) PlanRetention(ctx context.Context, repository string, pol domain.RetentionPolicy) (domain.RetentionPlan, error) {
	return PlanRetention(ctx, r.c, repository, pol)
}

// ApplyRetention deletes a plan's tags, each checked and journaled.
func (r *Remote) ApplyRetention(ctx context.Context, plan domain.RetentionPlan, each func(domain.RetainedTag, domain.DeleteResult, error)) error {
	return boundedErr(ctx, r.budget, func(ctx context.Context) error { return ApplyRetention(ctx, r.c, plan, each) })
}

// Local is the engine as the app sees it: its images and their details,
// the changes (tag, untag, push, pull), and — except in the demo, whose
// registry holds none of the engine's images — the comparison with the
// registries (Syncs).
type Local struct {
	c *localcache.Cache
	s *Session
}

// NewLocal is the app's side of the engine.
func NewLocal(s *Session, eng *localcache.Cache) *Local { return &Local{c: eng, s: s} }

// Tag points target at src's image; a tag that names another image is
// refused with a *domain.OverwriteError unless ow allows it.
func (l *Local) Tag(ctx context.Context, src, target string, ow domain.Overwrite) error {
	_, err := l.c.Tag(ctx, src, target, localcache.TagOptions{Overwrite: ow})
	return overwriteOf(err, target, src)
}

// Untag removes one tag (the image with its last one), or a dangling
// image by ID, and reports whether the image went. ref must still name
// image (what the user was shown), else nothing is removed.
func (l *Local) Untag(ctx context.Context, ref, image string) (bool, error) {
	res, err := l.c.Untag(ctx, ref, localcache.RemoveOptions{Image: image})
	return len(res.Deleted) > 0, err
}

// Batch makes the pushes made with the returned context one batch in the
// journal.
func (l *Local) Batch(ctx context.Context) context.Context {
	return registryclient.WithBatch(ctx, registryclient.NewBatch())
}

// Push pushes a local tag, guarded and journaled (see Push).
func (l *Local) Push(ctx context.Context, ref string, ow domain.Overwrite, progress func(domain.CopyProgress)) (domain.PushResult, error) {
	return bounded(ctx, l.s.Budget(), func(ctx context.Context) (domain.PushResult, error) {
		return Push(ctx, l.c, l.s.Client, ref, ow, Tally(progress))
	})
}

// TagAndPush tags and pushes, guarded and journaled (see TagAndPush).
func (l *Local) TagAndPush(ctx context.Context, src, target string, ow domain.Overwrite, progress func(domain.CopyProgress)) (domain.PushResult, error) {
	return bounded(ctx, l.s.Budget(), func(ctx context.Context) (domain.PushResult, error) {
		return TagAndPush(ctx, l.c, l.s.Client, src, target, ow, Tally(progress))
	})
}

// Pull pulls a reference into the engine.
func (l *Local) Pull(ctx context.Context, ref, platform string, progress func(domain.CopyProgress)) (string, error) {
	res, err := bounded(ctx, l.s.Budget(), func(ctx context.Context) (localcache.PullResult, error) {
		return l.c.Pull(ctx, ref, localcache.PullOptions{Platform: platform}, Tally(progress))
	})
	return res.Digest, err
}

// Describe is a local image's details for the Details pane, with whether
// each repo digest's registry still has it (not in the demo).
func (l *Local) Describe(ctx context.Context, reference string) (domain.Details, error) {
	var remote Resolver
	if !l.s.Demo && l.s.Client != nil {
		remote = l.s.Client
	}
	return InspectLocal(ctx, l.c, remote, reference)
}

// CompareRemote compares a local image with a remote reference (the local
// one first when localFirst).
func (l *Local) CompareRemote(ctx context.Context, local, remote string, localFirst bool) (domain.Diff, error) {
	return CompareLocal(ctx, l.c, l.s.Client, local, remote, localFirst)
}

// Syncs reports whether the engine's tags are compared with the registries
// (not in the demo).
func (l *Local) Syncs() bool { return !l.s.Demo }

// SyncStatus compares the engine's tags with their registries.
func (l *Local) SyncStatus(ctx context.Context) ([]domain.SyncStatus, error) {
	return Status(ctx, l.c, l.s.Client, nil, false)
}

// bounded runs f as one operation under a deadline of budget (an
// operation it is part of keeps its own, with this budget: see
// internal/deadline), and says so when the deadline ended it.
func bounded[T any](ctx context.Context, budget time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := deadline.WithBudget(ctx, budget)
	defer cancel()
	v, err := f(ctx)
	return v, deadline.Explain(ctx, err)
}

// boundedErr is bounded for f that returns only an error.
func boundedErr(ctx context.Context, budget time.Duration, f func(context.Context) error) error {
	_, err := bounded(ctx, budget, func(ctx context.Context) (struct{}, error) { return struct{}{}, f(ctx) })
	return err
}

// Tally turns the engine's per-layer events into one progress.
func Tally(progress func(domain.CopyProgress)) func(localcache.Progress) {
	if progress == nil {
		return nil
	}
	var t localcache.Tally
	return func(p localcache.Progress) {
		done, total, layersDone, layers := t.Add(p)
		progress(domain.CopyProgress{BytesDone: done, BytesTotal: total, BlobsDone: layersDone, BlobsTotal: layers, Detail: t.Lines()})
	}
}
