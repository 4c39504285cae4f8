package registryclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/registryclient/provider"
)

// DeleteTag removes exactly one tag; the other tags that share its digest
// keep it. It takes the first of these that applies, and says which:
//
//  1. the registry deletes tags (OCI distribution 1.1, distribution v3):
//     DELETE by tag;
//  2. no other tag shares the digest: DELETE the manifest by digest;
//  3. others do (registry:2): point the tag at a tiny placeholder manifest of
//     wharf's own, then DELETE the placeholder by digest.
//
// The manifest is journaled first. Afterwards the siblings are checked: if
// the registry took any with the tag, they are put back from the journal
// and listed in Restored.
func (c *Changes) DeleteTag(ctx context.Context, reference string) (domain.DeleteResult, error) {
	return c.deleteTag(ctx, reference, "", true)
}

// DeleteTagAt is DeleteTag of a tag the user was shown at digest: when the
// tag names another digest now, nothing is deleted and the error
// (ErrConflict) says what it names.
func (c *Changes) DeleteTagAt(ctx context.Context, reference, digest string) (domain.DeleteResult, error) {
	return c.deleteTag(ctx, reference, digest, true)
}

// deleteTag deletes a tag (see DeleteTag) that must name expect (any digest
// when ""); without journal the delete is part of a change already
// journaled (an undo, which holds the repository's lock).
func (c *Changes) deleteTag(ctx context.Context, reference, expect string, journal bool) (domain.DeleteResult, error) {
	tag, err := parseChange[name.Tag](c.core, "delete tag", reference, "this names a digest, not a tag; deleting a digest deletes all its tags (rmdigest)")
	if err != nil {
		return domain.DeleteResult{}, err
	}
	if !explicitTag(reference) {
		return domain.DeleteResult{}, invalidReference("delete tag", reference, errors.New("name the tag (REPOSITORY:TAG): a delete never reads a missing tag as latest"))
	}
	host := tag.RegistryStr()
	op := "delete " + tag.String()
	if journal {
		unlock, err := c.lock(ctx, tag.Context())
		if err != nil {
			return domain.DeleteResult{}, err
		}
		defer unlock()
	}
	cur, err := c.current(ctx, tag)
	if err == nil && cur == nil {
		err = &Error{Op: op, Registry: host, Kind: ErrNotFound, Status: http.StatusNotFound, Detail: "no such tag"}
	}
	if err != nil {
		return domain.DeleteResult{}, c.net.classify(op, host, err)
	}
	digest := cur.Digest.String()
	if expect != "" && digest != expect {
		return domain.DeleteResult{}, &Error{
			Op: op, Registry: host, Kind: ErrConflict,
			Detail: fmt.Sprintf("the tag names %s now, not %s as shown; nothing was deleted", domain.ShortDigest(digest), domain.ShortDigest(expect)),
		}
	}
	sharing, err := c.tagsOf(ctx, tag.Context(), digest)
	if err != nil {
		return domain.DeleteResult{}, err
	}
	res := domain.DeleteResult{Reference: tag.String(), Digest: digest, Deleted: []string{tag.TagStr()}}
	for _, t := range sharing {
		if t != tag.TagStr() {
			res.Siblings = append(res.Siblings, t)
		}
	}
	caps, err := c.deletable(ctx, op, host)
	if err != nil {
		return res, err
	}
	if err := c.Provider(host).Guard(ctx, TagWrite{Op: op, Tag: tag, Delete: true, Exists: true}); err != nil {
		return res, err
	}
	var entry domain.JournalEntry
	var w *remote.Pusher
	if journal {
		entry, w, err = c.prepare(ctx, host, entryFor(domain.OpDeleteTag, tag, cur, ""))
	} else {
		w, err = c.net.pusher(host)
	}
	if err != nil {
		return res, err
	}
	res.JournalID = entry.ID
	req := DeleteRequest{Tag: tag, Current: cur, Shared: len(res.Siblings) > 0, Caps: caps, ProbeWrong: func() { c.forgetProbe(host) }}
	if journal {
		req.Placeholder = func(d string) error {
			entry.Placeholder = d
			return c.journal.MarkPlaceholder(entry.ID, d)
		}
	}
	res.Path, err = c.Provider(host).DeleteTag(ctx, w, req)
	if err != nil {
		err = c.net.classify(op, host, err)
		if !journal {
			return res, err
		}
		// Read back: the tag gone is the delete made after all.
		err = c.settle(ctx, entry, err, func(ctx context.Context) (bool, bool, string, error) {
			got, rerr := c.digestNow(ctx, tag)
			what := "the tag names " + orNone(got)
			if got != "" && got == entry.Placeholder {
				what = "the tag is on wharf's placeholder " + domain.ShortDigest(got)
			}
			return got == "", got == digest, what, rerr
		})
		if err != nil {
			return res, err
		}
	}
	if c.cache != nil {
		_ = c.cache.ForgetTags(tag.Context().String(), []string{tag.TagStr()})
	}
	switch still, err := c.digestNow(ctx, tag); {
	case err != nil:
		return res, c.net.classify("check "+tag.String(), host, err)
	case still != "":
		return res, &Error{Op: op, Registry: host, Kind: ErrServer, Detail: "the registry accepted the delete but the tag still resolves"}
	}
	res.Restored, err = c.restoreMissing(ctx, w, tag.Context(), res.Siblings, cur)
	if err == nil && journal {
		_ = c.journal.MarkDone(entry.ID, "")
	}
	return res, err
}

// explicitTag reports whether a reference names its tag (not a digest,
// and not the latest a missing tag is read as).
func explicitTag(reference string) bool {
	last := reference[strings.LastIndex(reference, "/")+1:]
	return strings.Contains(last, ":") && !strings.Contains(reference, "@")
}

// parseChange parses the reference a change is about, which must be a T (a
// tag or a digest; wrongKind says why otherwise), and checks there is a
// journal to record the change in.
func parseChange[T name.Tag | name.Digest](c *core, op, reference, wrongKind string) (T, error) {
	var zero T
	ref, err := c.registries.unambiguous(reference)
	if err != nil {
		return zero, invalidReference(op, reference, err)
	}
	r, ok := ref.(T)
	if !ok {
		return zero, invalidReference(op, reference, errors.New(wrongKind))
	}
	if c.journal == nil {
		return zero, ErrNoJournal
	}
	return r, nil
}

// deletable returns the registry's capabilities (probing it once), and
// refuses at once, before anything is journaled, when the probe found
// deletes disabled. A registry that could not be probed is tried.
func (c *Changes) deletable(ctx context.Context, op, host string) (Capabilities, error) {
	caps, err := c.Capabilities(ctx, host)
	if err != nil {
		return caps, nil
	}
	if err := c.Provider(host).CheckDelete(caps); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Op, e.Registry = op, host
		}
		return caps, err
	}
	return caps, nil
}

// restoreMissing puts m back under each of tags that no longer resolves to
// it, and returns those.
func (c *Changes) restoreMissing(ctx context.Context, w *remote.Pusher, repo name.Repository, tags []string, m *remote.Descriptor) ([]string, error) {
	var restored []string
	for _, t := range tags {
		now, err := c.digestNow(ctx, repo.Tag(t))
		if err != nil {
			return restored, c.net.classify("check "+t, repo.RegistryStr(), err)
		}
		if now != "" {
			continue
		}
		if err := w.Put(ctx, repo.Tag(t), provider.ManifestOf(m)); err != nil {
			return restored, c.net.classify("restore "+t, repo.RegistryStr(), err)
		}
		restored = append(restored, t)
	}
	return restored, nil
}

// tagsOf lists the tags of repo that point at digest, sorted.
func (c *Changes) tagsOf(ctx context.Context, repo name.Repository, digest string) ([]string, error) {
	if d, ok := c.Provider(repo.RegistryStr()).(provider.APIDeleter); !ok || d.DeletesThroughAPI(ctx) == "" {
		// The delete goes the distribution way (by digest when no other tag
		// shares it): the siblings are what the registry API says, each
		// asked, not what another API's listing said.
		ctx = askEachDigest(ctx)
	}
	all, err := c.TagDigests(ctx, repo.String())
	if err != nil {
		return nil, err
	}
	tds, err := resolvedOnly(all)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, td := range tds {
		if td.Digest == digest {
			out = append(out, td.Tag)
		}
	}
	sort.Strings(out)
	return out, nil
}

// DeleteDigest deletes a manifest and with it every tag that points at it.
// tags must list exactly those tags — the caller has shown them — or
// nothing is deleted and the error (ErrConflict) names the tags there are.
func (c *Changes) DeleteDigest(ctx context.Context, reference string, tags []string) (domain.DeleteResult, error) {
	dig, err := parseChange[name.Digest](c.core, "delete digest", reference, "this names a tag; give repository@sha256:…")
	if err != nil {
		return domain.DeleteResult{}, err
	}
	host := dig.RegistryStr()
	op := "delete " + dig.String()
	unlock, err := c.lock(ctx, dig.Context())
	if err != nil {
		return domain.DeleteResult{}, err
	}
	defer unlock()
	p, err := c.net.puller(ctx, host)
	if err != nil {
		return domain.DeleteResult{}, err
	}
	cur, err := p.Get(ctx, dig)
	if err != nil {
		return domain.DeleteResult{}, c.net.classify(op, host, err)
	}
	actual, err := c.tagsOf(ctx, dig.Context(), dig.DigestStr())
	if err != nil {
		return domain.DeleteResult{}, err
	}
	given := slices.Clone(tags)
	sort.Strings(given)
	if !slices.Equal(actual, slices.Compact(given)) {
		return domain.DeleteResult{}, &Error{
			Op: op, Registry: host, Kind: ErrConflict,
			Detail: fmt.Sprintf("the digest's tags are %v, not %v; nothing was deleted — show them and ask again", actual, given),
		}
	}
	res := domain.DeleteResult{Reference: dig.String(), Digest: dig.DigestStr(), Path: domain.DeletedByDigest, Deleted: actual}
	if _, err := c.deletable(ctx, op, host); err != nil {
		return res, err
	}
	res.JournalID, err = c.deleteManifest(ctx, host, op, dig, cur, actual)
	return res, err
}

// deleteManifest journals the manifest cur (with the tags that name it)
// and deletes it by digest, verifying after a failure what happened; the
// caller holds the repository's lock and has shown the tags.
func (c *Changes) deleteManifest(ctx context.Context, host, op string, dig name.Digest, cur *remote.Descriptor, tags []string) (int, error) {
	entry, w, err := c.prepare(ctx, host, domain.JournalEntry{
		Op: domain.OpDeleteDigest, Repository: dig.Context().String(), Tags: tags,
		Digest: dig.DigestStr(), MediaType: string(cur.MediaType), Manifest: cur.Manifest,
	})
	if err != nil {
		return 0, err
	}
	if err := w.Delete(ctx, dig); err != nil {
		err = c.settle(ctx, entry, c.net.classify(op, host, err), func(ctx context.Context) (bool, bool, string, error) {
			got, rerr := c.Resolve(ctx, dig.String())
			if errors.Is(rerr, ErrNotFound) {
				return true, false, "the manifest is gone", nil
			}
			return false, got == dig.DigestStr(), "the manifest is still there", rerr
		})
		if err != nil {
			return entry.ID, err
		}
	}
	if c.cache != nil {
		_ = c.cache.ForgetTags(dig.Context().String(), tags)
	}
	// Some registries (go-containerregistry's own) keep the tags of a
	// deleted digest: delete them one by one.
	for _, t := range tags {
		if now, err := c.digestNow(ctx, dig.Context().Tag(t)); err == nil && now != "" {
			if err := w.Delete(ctx, dig.Context().Tag(t)); err != nil {
				return entry.ID, c.net.classify(op, host, fmt.Errorf("the manifest is gone but tag %s still resolves: %w", t, err))
			}
		}
	}
	_ = c.journal.MarkDone(entry.ID, "")
	return entry.ID, nil
}

// Undo puts back what a journal entry recorded: the manifest under its
// tags, or — for a change that created a tag — deletes the tag. A tag moved
// since the change (it points at neither the recorded digest nor the one
// the change left) is refused with an *domain.OverwriteError unless
// overwrite is set. The entry is marked undone.
func (c *Changes) Undo(ctx context.Context, entry domain.JournalEntry, overwrite bool) (domain.UndoResult, error) {
	res := domain.UndoResult{Entry: entry}
	if !entry.Undone.IsZero() {
		return res, fmt.Errorf("journal entry %d was undone already (%s)", entry.ID, entry.Undone.Local().Format(time.DateTime))
	}
	if entry.Refused != "" {
		return res, fmt.Errorf("journal entry %d changed nothing, so there is nothing to undo: the registry refused it (%s)", entry.ID, entry.Refused)
	}
	if c.journal == nil {
		return res, ErrNoJournal
	}
	repo, err := c.registries.parseRepository(entry.Repository)
	if err != nil {
		return res, invalidReference("undo", entry.Repository, err)
	}
	host := repo.RegistryStr()
	op := fmt.Sprintf("undo %d (%s)", entry.ID, entry.Summary())
	unlock, err := c.lock(ctx, repo)
	if err != nil {
		return res, err
	}
	defer unlock()
	w, err := c.net.pusher(host)
	if err != nil {
		return res, err
	}
	if len(entry.Tags) == 0 {
		if err := w.Put(ctx, repo.Digest(entry.Digest), entryManifest(entry)); err != nil {
			return res, c.undoError(op, host, err)
		}
		res.Restored = append(res.Restored, repo.Digest(entry.Digest).String())
	}
	for _, t := range entry.Tags {
		tag := repo.Tag(t)
		now, err := c.digestNow(ctx, tag)
		if err != nil {
			return res, c.net.classify(op, host, err)
		}
		// A delete cut off half way (a crash, a kill) left the tag on
		// wharf's own placeholder: that is the change's, not someone else's.
		onPlaceholder := now != "" && now == entry.Placeholder
		if now != entry.Digest && now != entry.After && !onPlaceholder && !overwrite {
			return res, &domain.OverwriteError{Reference: tag.String(), Existing: now, Incoming: entry.Digest}
		}
		switch {
		case now == entry.Digest:
			// Already as recorded (the change never happened, or was undone by hand).
		case entry.Manifest == nil:
			// Part of this undo, not a change of its own: not journaled, so
			// a second undo goes further back instead of undoing this one.
			if _, err := c.deleteTag(ctx, tag.String(), now, false); err != nil {
				return res, err
			}
			res.Deleted = append(res.Deleted, t)
		default:
			if err := c.Provider(host).Guard(ctx, TagWrite{Op: op, Tag: tag, Exists: now != ""}); err != nil {
				return res, err
			}
			if err := c.Provider(host).PutTag(ctx, w, tag, entryManifest(entry)); err != nil {
				return res, c.undoError(op, host, err)
			}
			c.remember(repo, t, entry.Digest)
			res.Restored = append(res.Restored, tag.String())
			if onPlaceholder {
				// The placeholder has no tag left: take it away too.
				_ = w.Delete(ctx, repo.Digest(entry.Placeholder))
			}
		}
	}
	if err := c.journal.MarkUndone(entry.ID); err != nil {
		return res, err
	}
	res.Entry.Undone = time.Now().UTC()
	return res, nil
}

// undoError explains a refused restore: when the registry no longer has the
// blobs or child manifests, its garbage collector has run since.
func (c *Changes) undoError(op, host string, err error) error {
	err = c.net.classify(op, host, err)
	var e *Error
	if errors.As(err, &e) && (e.Code == "MANIFEST_BLOB_UNKNOWN" || e.Code == "BLOB_UNKNOWN" || e.Code == "MANIFEST_UNKNOWN") {
		e.Kind = ErrNotFound
		e.Detail = "the registry no longer has the image's layers or platform manifests (its garbage collector removed them); the journal keeps only the manifest, so push the image again"
	}
	return err
}
