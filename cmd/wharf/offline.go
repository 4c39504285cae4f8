package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/registryclient"
)

// Reading offline: with --offline the read commands answer from the cache
// alone; without it they fall back to the cache by themselves when the
// registry cannot be reached. Either way stderr says the answer is cached
// and how old it is. Commands that change something refuse --offline.

// changesSomething are the commands that write to an engine or a registry.
var changesSomething = map[string]bool{
	"tag": true, "untag": true, "prune": true, "push": true, "pull": true, "retag": true, "cp": true,
	"rmtag": true, "rmdigest": true, "rmrepo": true, "undo": true, "retain": true,
}

// refuseOffline is the root's check before any command runs.
func (a *app) refuseOffline(cmd *cobra.Command) error {
	if a.offline && changesSomething[cmd.Name()] {
		return fmt.Errorf("%s changes a registry or the engine, and --offline only reads what wharf cached: run it without --offline", cmd.Name())
	}
	return nil
}

// fallBack reports whether to answer from the cache after err (always
// with --offline).
func (a *app) fallBack(err error) bool {
	return a.offline || errors.Is(err, registryclient.ErrUnreachable)
}

// cachedNote says on stderr that an answer comes from the cache, why, and
// how old it is.
func (a *app) cachedNote(err error, at time.Time) {
	why := "--offline"
	if !a.offline && err != nil {
		why = err.Error()
	}
	fmt.Fprintf(a.stderr, "wharf: cached %s ago (%s)\n", domain.HumanAge(time.Since(at)), why)
}

// noCache is the error when the cache has nothing for what was asked.
func (a *app) noCache(what string, err error) error {
	if a.offline {
		return fmt.Errorf("--offline: nothing cached for %s (wharf caches what it read before)", what)
	}
	return fmt.Errorf("%w; nothing cached for %s either", err, what)
}

// tagsOf lists a repository's tags, from the cache offline.
func (a *app) tagsOf(ctx context.Context, s *ops.Session, repo string) ([]string, error) {
	var err error
	if !a.offline {
		var tags []string
		if tags, err = s.Client.Tags(ctx, repo); err == nil || !a.fallBack(err) {
			return tags, err
		}
	}
	snap, ok := s.Client.Known(repo)
	if !ok || snap.Tags == nil {
		return nil, a.noCache(repo, err)
	}
	a.cachedNote(err, snap.TagsAt)
	return snap.Tags, nil
}

// cachedTagDigests are a repository's tags and digests from the cache
// (a tag whose digest was never read has Err set).
func (a *app) cachedTagDigests(s *ops.Session, repo string, cause error) ([]domain.TagDigest, error) {
	snap, ok := s.Client.Known(repo)
	if !ok || snap.Tags == nil {
		return nil, a.noCache(repo, cause)
	}
	oldest := snap.TagsAt
	out := make([]domain.TagDigest, 0, len(snap.Tags))
	for _, t := range snap.Tags {
		td := domain.TagDigest{Tag: t, Digest: snap.Digests[t]}
		if td.Digest == "" {
			td.Err = errors.New("digest not cached")
		} else if at := snap.DigestsAt[t]; at.Before(oldest) {
			oldest = at
		}
		out = append(out, td)
	}
	a.cachedNote(cause, oldest)
	return out, nil
}

// cachedCatalog prints a registry's repositories as last listed whole.
func (a *app) cachedCatalog(s *ops.Session, host string, cause error, asJSON bool) error {
	snap, ok := s.Client.KnownCatalog(host)
	if !ok {
		return a.noCache(host, cause)
	}
	a.cachedNote(cause, snap.At)
	return a.emit(asJSON, snap.Repositories, func(w io.Writer) error {
		for _, r := range snap.Repositories {
			fmt.Fprintln(w, r)
		}
		return nil
	})
}
