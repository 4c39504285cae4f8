package domain

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// JournalOp names what a journal entry was recorded before.
type JournalOp string

// The moves the journal records.
const (
	OpRetag        JournalOp = "retag"
	OpCopy         JournalOp = "copy"
	OpDeleteTag    JournalOp = "delete-tag"
	OpDeleteDigest JournalOp = "delete-digest"
	// OpPush is a push through the engine over a remote tag.
	OpPush JournalOp = "push"
)

// JournalEntry is what a registry held before wharf changed it: the manifest
// that was under Tags in Repository. Undo puts it back.
type JournalEntry struct {
	ID         int       `json:"id"`
	Time       time.Time `json:"time"`
	Op         JournalOp `json:"op"`
	Repository string    `json:"repository"`
	// Tags are the tags the change touched. A digest delete lists every tag
	// the digest had.
	Tags []string `json:"tags,omitempty"`
	// Digest, MediaType and Manifest are the manifest the tags pointed at
	// before; all empty when the tag did not exist (a retag or copy onto a
	// new tag), in which case undoing deletes the tag.
	Digest    string `json:"digest,omitempty"`
	MediaType string `json:"mediaType,omitempty"`
	Manifest  []byte `json:"manifest,omitempty"`
	// After is the digest the tags point at once the change is done (empty
	// for deletes). Undo refuses to move a tag someone has moved since,
	// unless told to overwrite.
	After string `json:"after,omitempty"`
	// Undone is when the entry was undone; zero if it was not.
	Undone time.Time `json:"undone,omitzero"`
	// Refused is the registry's refusal when it answered the change with an
	// error: nothing changed, and there is nothing to undo.
	Refused string `json:"refused,omitempty"`
	// PID is the process that recorded the entry (another wharf, the CLI).
	PID int `json:"pid,omitempty"`
	// Outcome is what became of the change, verified by reading the
	// registry back: OutcomeDone, OutcomeRefused (nothing changed),
	// OutcomeUnknown (it failed and reading back did not tell; OutcomeNote
	// says why), or "" when the process stopped before it knew (a crash:
	// undo finishes or rolls it back).
	Outcome     string `json:"outcome,omitempty"`
	OutcomeNote string `json:"outcomeNote,omitempty"`
	// Placeholder is the digest of wharf's placeholder a delete pointed the
	// tag at on its way (registry:2's path).
	Placeholder string `json:"placeholder,omitempty"`
	// Batch names the changes made as one (deleting several marked tags, a
	// retention run): one undo puts all of them back.
	Batch string `json:"batch,omitempty"`
	// With are the other entries of its batch that undoing this one undoes
	// too, newest first (filled in when an undo is looked up; not stored).
	With []JournalEntry `json:"-"`
}

// What became of a journaled change.
const (
	OutcomeDone    = "done"
	OutcomeRefused = "refused"
	OutcomeUnknown = "unknown"
)

// Summary is the entry in a line, for lists and confirmations.
func (e JournalEntry) Summary() string {
	tags := fmt.Sprint(e.Tags)
	switch e.Op {
	case OpDeleteTag:
		return fmt.Sprintf("deleted %s:%s (%s)", e.Repository, e.Tags[0], ShortDigest(e.Digest))
	case OpDeleteDigest:
		return fmt.Sprintf("deleted %s@%s and its tags %s", e.Repository, ShortDigest(e.Digest), tags)
	case OpRetag, OpCopy, OpPush:
		if e.Digest == "" {
			return fmt.Sprintf("%s to new tag %s:%s (%s)", e.Op, e.Repository, e.Tags[0], ShortDigest(e.After))
		}
		return fmt.Sprintf("%s over %s:%s (%s → %s)", e.Op, e.Repository, e.Tags[0], ShortDigest(e.Digest), ShortDigest(e.After))
	}
	return fmt.Sprintf("%s %s %s", e.Op, e.Repository, tags)
}

// UndoLines say what undoing e does, tag by tag, in the words the app's
// dialog and `wharf undo` both use.
func (e JournalEntry) UndoLines() []string {
	var lines []string
	for _, t := range e.Tags {
		ref := e.Repository + ":" + t
		switch {
		case e.Manifest == nil:
			lines = append(lines, fmt.Sprintf("delete   %s (the change made it; it names %s)", ref, orUnknown(e.After)))
		case e.After != "":
			lines = append(lines, fmt.Sprintf("move     %s back to %s (from %s)", ref, e.Digest, e.After))
		default:
			lines = append(lines, fmt.Sprintf("put back %s at %s", ref, e.Digest))
		}
	}
	if len(e.Tags) == 0 {
		lines = append(lines, "put back "+e.Repository+"@"+e.Digest)
	}
	return append(lines, fmt.Sprintf("journal entry %d, %s; a tag that moved since is left alone", e.ID, e.Time.Local().Format(time.DateTime)))
}

func orUnknown(d string) string {
	if d == "" {
		return "a digest wharf did not see"
	}
	return d
}

// DeletePath is how a tag delete removed the tag.
type DeletePath string

// The three ways to delete exactly one tag.
const (
	// DeletedByTag: the registry deletes tags (OCI distribution 1.1).
	DeletedByTag DeletePath = "tag"
	// DeletedByDigest: no other tag shared the digest, so the manifest went.
	DeletedByDigest DeletePath = "digest"
	// DeletedByPlaceholder: other tags share the digest and the registry
	// cannot delete a tag, so the tag was pointed at a placeholder manifest of
	// wharf's own and the placeholder deleted; the siblings keep the image.
	DeletedByPlaceholder DeletePath = "placeholder"
	// DeletedByAPI: the registry's own API deleted the tag (Docker Hub's,
	// ACR's, Quay's, ECR's BatchDeleteImage …); the siblings keep the image.
	DeletedByAPI DeletePath = "api"
	// DeletedByVersion: GHCR: the tag was moved to a placeholder and the
	// placeholder's package version deleted through GitHub's packages API.
	DeletedByVersion DeletePath = "package-version"
	// DeletedVersion: GHCR: the tag was its package version's last, so the
	// version was deleted through GitHub's packages API.
	DeletedVersion DeletePath = "version"
)

// Explain says what the path means, for people.
func (p DeletePath) Explain() string {
	switch p {
	case DeletedByTag:
		return "deleted the tag; the registry deletes tags"
	case DeletedByDigest:
		return "deleted the manifest by digest; no other tag shared it"
	case DeletedByPlaceholder:
		return "moved the tag to a placeholder manifest and deleted that, so the tags sharing its digest survive"
	case DeletedByAPI:
		return "deleted the tag through the registry's own API; the tags sharing its digest keep it"
	case DeletedVersion:
		return "the tag was its package version's last: deleted that version through GitHub's API"
	case DeletedByVersion:
		return "moved the tag to a placeholder and deleted the placeholder's package version through GitHub's API, so the tags sharing its digest survive"
	}
	return string(p)
}

// DeleteResult is what a tag or digest delete did.
type DeleteResult struct {
	Reference string     `json:"reference"`
	Digest    string     `json:"digest"`
	Path      DeletePath `json:"path"`
	// Siblings are the other tags that shared the digest; they still
	// resolve to it.
	Siblings []string `json:"siblings,omitempty"`
	// Deleted are the tags that are gone (one for a tag delete).
	Deleted []string `json:"deleted"`
	// Restored are siblings the registry removed along with the tag and
	// wharf put back from the journal.
	Restored  []string `json:"restored,omitempty"`
	JournalID int      `json:"journalId"`
}

// WriteResult is what a retag or copy did.
type WriteResult struct {
	Reference string `json:"reference"`
	Digest    string `json:"digest"`
	// Replaced is the digest the tag pointed at before (empty for a new tag
	// or when it already pointed at Digest).
	Replaced string `json:"replaced,omitempty"`
	// Unchanged: the tag already pointed at Digest; nothing was written.
	Unchanged bool `json:"unchanged,omitempty"`
	// Blobs and Bytes count what a copy needed at the target; Transferred
	// the bytes actually sent (blobs already there or mounted are not).
	Blobs       int   `json:"blobs,omitempty"`
	Bytes       int64 `json:"bytes,omitempty"`
	Transferred int64 `json:"transferred,omitempty"`
	JournalID   int   `json:"journalId,omitempty"`
}

// PushResult is what a push through the engine did. (Its JSON keeps the
// field names `wharf push --json` has always printed.)
type PushResult struct {
	Reference string
	Digest    string
	// JournalID is the journal entry that can undo the push (0: not
	// journaled; Warnings says why).
	JournalID int `json:",omitempty"`
	// Warnings are what the user must know although the push went through
	// ("not journaled: …").
	Warnings []string `json:",omitempty"`
}

// CopyProgress is how far a copy (or a push or pull) is.
type CopyProgress struct {
	BlobsDone, BlobsTotal int
	BytesDone, BytesTotal int64
	// Detail is a line per layer where the engine reports them.
	Detail []string
}

// Overwrite is whether a write may move a tag off the image it names now:
// never (the zero value), only off the ones the user was shown (Digests:
// the manifest digests or local image IDs confirm dialogs named), or off
// whatever it names (Any: the CLI's --overwrite and --force).
type Overwrite struct {
	Any     bool
	Digests []string
}

// OverwriteAny lets a write move a tag off whatever it names.
var OverwriteAny = Overwrite{Any: true}

// OverwriteOnly lets a write move a tag off these digests (or IDs) only:
// what a dialog showed the user. A tag that moved since is refused again.
func OverwriteOnly(digests ...string) Overwrite { return Overwrite{Digests: digests} }

// OverwriteIf is OverwriteAny when force is set, else no overwrite (the
// CLI's flags).
func OverwriteIf(force bool) Overwrite { return Overwrite{Any: force} }

// And allows moving a tag off digest too.
func (o Overwrite) And(digest string) Overwrite {
	return Overwrite{Any: o.Any, Digests: append(slices.Clone(o.Digests), digest)}
}

// Allows reports whether a tag that names existing now may be moved.
func (o Overwrite) Allows(existing string) bool {
	return o.Any || existing != "" && slices.Contains(o.Digests, existing)
}

// OverwriteError refuses a write onto a tag that points at another digest;
// the caller must decide to overwrite explicitly.
type OverwriteError struct {
	Reference string
	// Existing is what the tag points at now; Incoming what would replace it.
	Existing, Incoming string
	// Note adds what else would happen ("image X would be left dangling").
	Note string
}

func (e *OverwriteError) Error() string {
	return fmt.Sprintf("%s already points at %s, not %s; overwrite only if you mean to replace it", e.Reference, ShortDigest(e.Existing), ShortDigest(e.Incoming))
}

// RetainedTag is one tag in a retention plan.
type RetainedTag struct {
	Tag     string    `json:"tag"`
	Digest  string    `json:"digest"`
	Created time.Time `json:"created,omitzero"`
	Size    int64     `json:"size"`
	// Reason says why the tag stays or goes.
	Reason string `json:"reason"`
}

// RetentionPolicy says which tags of a repository to keep (see
// internal/retention for how it is read).
type RetentionPolicy struct {
	// KeepNewest keeps the newest N tags: releases newest first, then the
	// tags that are not versions (by their image's creation time, then in
	// natural order: build-10 after build-9); pre-releases count only with
	// IncludePrerelease.
	KeepNewest        int
	IncludePrerelease bool
	// By is BySemver (as above) or ByCreated (the image's creation time).
	By TagOrder
	// OlderThan deletes only tags whose image is older than this.
	OlderThan time.Duration
	// Match and Exclude narrow the tags considered.
	Match, Exclude *regexp.Regexp
	// Protect are tags never deleted, besides latest, which always is.
	Protect []*regexp.Regexp
	// Now is when "older than" is measured from (default: time.Now()).
	Now time.Time
}

// RetentionPlan is what a retention policy would delete and keep.
type RetentionPlan struct {
	Repository string        `json:"repository"`
	Keep       []RetainedTag `json:"keep"`
	Delete     []RetainedTag `json:"delete"`
}

// DeleteSize adds up the sizes of the images only deleted tags point at:
// what the registry's garbage collector could free.
func (p RetentionPlan) DeleteSize() int64 {
	kept := map[string]bool{}
	for _, k := range p.Keep {
		kept[k.Digest] = true
	}
	seen := map[string]bool{}
	var n int64
	for _, d := range p.Delete {
		if kept[d.Digest] || seen[d.Digest] {
			continue
		}
		seen[d.Digest] = true
		n += d.Size
	}
	return n
}

// UndoResult is what undoing a journal entry did.
type UndoResult struct {
	Entry JournalEntry `json:"entry"`
	// Restored are the references put back; Deleted the tags removed
	// because the change had created them.
	Restored []string `json:"restored,omitempty"`
	Deleted  []string `json:"deleted,omitempty"`
}

// TagAt is a tag to change and the digest it was shown at ("": whatever
// it names when the change runs).
type TagAt struct {
	Reference string
	Digest    string
}

// RepoDeleteResult is what deleting a repository did.
type RepoDeleteResult struct {
	Repository string `json:"repository"`
	// Manifests are the digests deleted, each with the tags that named it.
	Manifests []DeletedManifest `json:"manifests"`
	// Note is what the user should know of the registry afterwards.
	Note string `json:"note,omitempty"`
}

// DeletedManifest is one manifest a repository delete took, with its tags
// and the journal entry that puts it back.
type DeletedManifest struct {
	Digest    string   `json:"digest"`
	Tags      []string `json:"tags"`
	JournalID int      `json:"journalID"`
}
