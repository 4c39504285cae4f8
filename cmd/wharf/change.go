package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/internal/retention"
	"github.com/wharf-dev/wharf/registryclient"
)

// The commands that change registries. Each is journaled by registryclient
// before the registry is asked, so `wharf undo` can put things back.

// overwriteHint adds what to do to a refused overwrite.
func overwriteHint(err error) error {
	var ow *domain.OverwriteError
	if errors.As(err, &ow) {
		return fmt.Errorf("%w (pass --overwrite to replace it)", err)
	}
	return err
}

func newRetagCmd(a *app) *cobra.Command {
	var asJSON, overwrite bool
	cmd := &cobra.Command{
		Use:   "retag SRC NEWTAG",
		Short: "Put a remote image or index under another tag of its repository, without moving blobs",
		Example: `  wharf retag registry.example.com/team/app:1.4.2 stable
  wharf retag registry.example.com/team/app@sha256:… 1.4`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				res, err := s.Client.Retag(cmd.Context(), args[0], args[1], domain.OverwriteIf(overwrite))
				if err != nil {
					return overwriteHint(err)
				}
				return a.emit(asJSON, res, func(w io.Writer) error { return printWrite(w, res) })
			})
		},
	}
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "move NEWTAG even if it points at another image (journaled; undo puts it back)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newCopyCmd(a *app) *cobra.Command {
	var asJSON, overwrite bool
	cmd := &cobra.Command{
		Use:   "cp SRC DST",
		Short: "Copy an image or a whole multi-arch index to another repository or registry, without the engine",
		Example: `  wharf cp ci.example.com/team/app:1.4.2 release.example.com/team/app
  wharf cp ci.example.com/team/app:1.4.2 release.example.com/team/app:stable`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				opts := registryclient.CopyOptions{Overwrite: domain.OverwriteIf(overwrite)}
				if !asJSON {
					opts.Progress = func(p domain.CopyProgress) {
						fmt.Fprintf(a.stderr, "blobs %d/%d  %s/%s\n", p.BlobsDone, p.BlobsTotal, domain.HumanSize(p.BytesDone), domain.HumanSize(p.BytesTotal))
					}
				}
				res, err := s.Client.Copy(cmd.Context(), args[0], args[1], opts)
				if err != nil {
					return overwriteHint(err)
				}
				return a.emit(asJSON, res, func(w io.Writer) error { return printWrite(w, res) })
			})
		},
	}
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "move the destination tag even if it points at another image (journaled)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printWrite(w io.Writer, r domain.WriteResult) error {
	switch {
	case r.Unchanged:
		fmt.Fprintf(w, "%s already points at %s; nothing to do\n", r.Reference, r.Digest)
		return nil
	case r.Replaced != "":
		fmt.Fprintf(w, "%s now points at %s (was %s)\n", r.Reference, r.Digest, r.Replaced)
	default:
		fmt.Fprintf(w, "%s now points at %s\n", r.Reference, r.Digest)
	}
	if r.Blobs > 0 {
		fmt.Fprintf(w, "%d blobs, %s; sent %s (the rest was there or mounted)\n", r.Blobs, domain.HumanSize(r.Bytes), domain.HumanSize(r.Transferred))
	}
	fmt.Fprintf(w, "journal entry %d: `wharf undo %d` puts it back\n", r.JournalID, r.JournalID)
	return nil
}

func newRmtagCmd(a *app) *cobra.Command {
	var asJSON bool
	var fromFile string
	cmd := &cobra.Command{
		Use:   "rmtag REF… [--from-file FILE]",
		Short: "Delete exactly the tags named; other tags of the same images keep them",
		Long: `rmtag deletes the tags it is given and nothing else. Where the registry
deletes tags it asks for that; otherwise it deletes the manifest by digest
when no other tag shares it, or points the tag at a placeholder of wharf's
own and deletes that (registry:2), so the tags that share the digest
survive. Each manifest is journaled first; several tags are one batch:
` + "`wharf undo`" + ` puts all of them back. --from-file reads references a
line each (- for stdin; blank lines and # comments skipped). Every
reference is checked before anything is deleted; a tag that fails does not
stop the others, and the command then fails.`,
		Example: `  wharf rmtag registry.example.com/team/app:old
  wharf rmtag registry.example.com/team/app:rc1 registry.example.com/team/app:rc2
  wharf tags registry.example.com/team/app | grep '^pr-' | sed 's|^|registry.example.com/team/app:|' | wharf rmtag --from-file -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, err := a.references(args, fromFile)
			if err != nil {
				return err
			}
			return a.withSession(func(s *ops.Session) error {
				if len(refs) == 1 {
					res, err := s.Client.DeleteTag(cmd.Context(), refs[0])
					if err != nil {
						return err
					}
					return a.emit(asJSON, res, func(w io.Writer) error { return printDelete(w, res) })
				}
				return a.deleteTags(cmd.Context(), s, refs, asJSON)
			})
		},
	}
	cmd.Flags().StringVar(&fromFile, "from-file", "", "read references from FILE, one a line (- for stdin)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// references are the arguments and the lines of fromFile, each checked
// as a tag reference docker reads, duplicates dropped; none is an error.
func (a *app) references(args []string, fromFile string) ([]string, error) {
	refs := slices.Clone(args)
	if fromFile != "" {
		var data []byte
		var err error
		if fromFile == "-" {
			data, err = io.ReadAll(a.stdin())
		} else {
			data, err = os.ReadFile(fromFile) //nolint:gosec // the user's own list
		}
		if err != nil {
			return nil, fmt.Errorf("--from-file: %w", err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				refs = append(refs, line)
			}
		}
	}
	if len(refs) == 0 {
		return nil, errors.New("name the tags to delete (REPOSITORY:TAG …, or --from-file)")
	}
	seen := map[string]bool{}
	out := refs[:0]
	for _, r := range refs {
		if _, err := ref.ParseTagged(r); err != nil {
			return nil, fmt.Errorf("%w (nothing was deleted)", err)
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// deletedTag is one line of a bulk delete's --json.
type deletedTag struct {
	Reference string              `json:"reference"`
	Result    domain.DeleteResult `json:"result,omitzero"`
	Error     string              `json:"error,omitempty"`
}

// deleteTags deletes several tags as one journal batch, a line each.
func (a *app) deleteTags(ctx context.Context, s *ops.Session, refs []string, asJSON bool) error {
	tags := make([]domain.TagAt, len(refs))
	for i, r := range refs {
		tags[i] = domain.TagAt{Reference: r}
	}
	var out []deletedTag
	failed := 0
	err := ops.DeleteTags(ctx, s.Client, tags, func(t domain.TagAt, res domain.DeleteResult, err error) {
		d := deletedTag{Reference: t.Reference, Result: res}
		if err != nil {
			d.Error, failed = err.Error(), failed+1
		}
		out = append(out, d)
		if !asJSON {
			if err != nil {
				fmt.Fprintf(a.stdout, "kept\t%s: %v\n", t.Reference, err)
			} else {
				line := fmt.Sprintf("deleted\t%s (%s, journal entry %d)", t.Reference, domain.ShortDigest(res.Digest), res.JournalID)
				if len(res.Siblings) > 0 {
					line += "; kept " + strings.Join(res.Siblings, ", ") + " (same image)"
				}
				fmt.Fprintln(a.stdout, line)
			}
		}
	})
	if asJSON {
		if jerr := a.emit(true, out, nil); jerr != nil {
			return jerr
		}
	} else if failed < len(refs) {
		fmt.Fprintf(a.stdout, "%d deleted as one batch: `wharf undo` puts all of them back\n", len(refs)-failed)
	}
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d tags were not deleted (the lines above say why)", failed, len(refs))
	}
	return nil
}

func printDelete(w io.Writer, r domain.DeleteResult) error {
	fmt.Fprintf(w, "deleted %s (%s)\n", strings.Join(r.Deleted, ", "), domain.ShortDigest(r.Digest))
	fmt.Fprintf(w, "how\t%s\n", r.Path.Explain())
	if len(r.Siblings) > 0 {
		fmt.Fprintf(w, "kept\t%s (same image)\n", strings.Join(r.Siblings, ", "))
	}
	if len(r.Restored) > 0 {
		fmt.Fprintf(w, "restored\t%s (the registry removed them with the tag)\n", strings.Join(r.Restored, ", "))
	}
	fmt.Fprintf(w, "journal entry %d: `wharf undo %d` puts it back\n", r.JournalID, r.JournalID)
	return nil
}

func newRmrepoCmd(a *app) *cobra.Command {
	var asJSON, yes bool
	cmd := &cobra.Command{
		Use:   "rmrepo REPO [--yes]",
		Short: "Delete a repository: every tag and the manifests they name (journaled; one undo puts it back)",
		Long: `rmrepo lists every tag of the repository and the manifest each names, asks,
and deletes the manifests by digest, each journaled first. They are one
batch: ` + "`wharf undo`" + ` puts the whole repository back while the registry
still has its layers. If the repository changed between the listing and the
delete, nothing is deleted. A registry that cannot delete manifests (deletes
disabled, Docker Hub, GHCR) is refused with the reason. registry:2 and v3
keep listing an emptied repository in the catalog.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				shown, err := s.Client.TagDigests(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				groups := domain.Groups(shown)
				if !yes {
					fmt.Fprintf(a.stderr, "%s: %d tags over %d manifests\n", args[0], len(shown), len(groups))
					for _, g := range groups {
						fmt.Fprintf(a.stderr, "  %s  %s\n", domain.ShortDigest(g.Digest), strings.Join(g.Tags, ", "))
					}
					if !a.confirm(fmt.Sprintf("Delete all %d tags of %s?", len(shown), args[0])) {
						return errors.New("nothing deleted")
					}
				}
				res, err := s.Client.DeleteRepository(cmd.Context(), args[0], shown, func(m domain.DeletedManifest) {
					if !asJSON {
						fmt.Fprintf(a.stdout, "deleted\t%s\t%s\t(journal entry %d)\n", domain.ShortDigest(m.Digest), strings.Join(m.Tags, ", "), m.JournalID)
					}
				})
				if err != nil {
					return err
				}
				return a.emit(asJSON, res, func(w io.Writer) error {
					fmt.Fprintf(w, "deleted %s: %d manifests, as one batch: `wharf undo` puts all of them back\n", res.Repository, len(res.Manifests))
					if res.Note != "" {
						fmt.Fprintln(w, res.Note)
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newRmdigestCmd(a *app) *cobra.Command {
	var asJSON bool
	var tags []string
	cmd := &cobra.Command{
		Use:   "rmdigest REPO@DIGEST --tags T1,T2,…",
		Short: "Delete a manifest and every tag that points at it",
		Long: `rmdigest deletes a manifest by digest, which takes every tag that points at
it. It runs only when --tags lists exactly those tags; without --tags it shows
them and changes nothing.`,
		Args: references(1, ref.CheckImage),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				if !cmd.Flags().Changed("tags") {
					return fmt.Errorf("rmdigest deletes every tag of the digest: pass them with --tags so it is clear which (nothing was deleted; `wharf same REPO` lists them)")
				}
				res, err := s.Client.DeleteDigest(cmd.Context(), args[0], tags)
				if err != nil {
					return err
				}
				return a.emit(asJSON, res, func(w io.Writer) error { return printDelete(w, res) })
			})
		},
	}
	cmd.Flags().StringSliceVar(&tags, "tags", nil, "the digest's tags, all of them (empty for none)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newJournalCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "journal",
		Short: "List the changes wharf made to registries, newest last, and which were undone",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return a.withSession(func(s *ops.Session) error {
				j := s.Journal
				if j == nil {
					return registryclient.ErrNoJournal
				}
				entries, err := j.Entries()
				if err != nil {
					return err
				}
				if entries == nil {
					entries = []domain.JournalEntry{}
				}
				return a.emit(asJSON, entries, func(w io.Writer) error {
					if len(entries) == 0 {
						fmt.Fprintf(w, "the journal (%s) is empty\n", j.Path())
					}
					for _, e := range entries {
						state := ""
						switch {
						case !e.Undone.IsZero():
							state = "undone " + e.Undone.Local().Format(time.DateTime)
						case e.Refused != "":
							state = "refused by the registry; nothing changed"
						}
						fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", e.ID, e.Time.Local().Format(time.DateTime), e.Summary(), state)
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newUndoCmd(a *app) *cobra.Command {
	var asJSON, overwrite, yes bool
	cmd := &cobra.Command{
		Use:   "undo [ID]",
		Short: "Put back what a journaled change replaced or deleted (default: the newest not yet undone)",
		Long: `undo puts back what a journaled change replaced or deleted: a deleted tag
comes back at its digest, a moved tag goes back, a tag the change created is
deleted. It says what it will do and asks first (--yes answers for
scripts); undoing again goes further back. A tag that moved since the change
is left alone unless --overwrite.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				id := 0
				if len(args) == 1 {
					n, perr := strconv.Atoi(args[0])
					if perr != nil || n < 1 {
						return fmt.Errorf("undo %q: the ID is a number from `wharf journal`", args[0])
					}
					id = n
				}
				entry, err := ops.FindUndo(s.Journal, id)
				if err != nil {
					return err
				}
				if !yes {
					question := fmt.Sprintf("Undo journal entry %d?", entry.ID)
					if len(entry.With) > 0 {
						fmt.Fprintf(a.stderr, "journal entry %d is one of a batch of %d changes; undo puts all of them back:\n", entry.ID, len(entry.With)+1)
						question = fmt.Sprintf("Undo these %d changes?", len(entry.With)+1)
					}
					for _, e := range append([]domain.JournalEntry{entry}, entry.With...) {
						fmt.Fprintf(a.stderr, "undo %d: %s\n", e.ID, e.Summary())
						for _, l := range e.UndoLines() {
							fmt.Fprintln(a.stderr, "  "+l)
						}
					}
					if !a.confirm(question) {
						return errors.New("nothing undone")
					}
				}
				res, err := ops.UndoAll(cmd.Context(), s.Client, entry, overwrite)
				if err != nil {
					return overwriteHint(err)
				}
				return a.emit(asJSON, res, func(w io.Writer) error {
					fmt.Fprintf(w, "undid %d: %s\n", entry.ID, entry.Summary())
					for _, e := range entry.With {
						fmt.Fprintf(w, "undid %d: %s\n", e.ID, e.Summary())
					}
					for _, r := range res.Restored {
						if len(entry.With) > 0 {
							fmt.Fprintf(w, "restored\t%s\n", r)
							continue
						}
						fmt.Fprintf(w, "restored\t%s → %s\n", r, domain.ShortDigest(entry.Digest))
					}
					for _, d := range res.Deleted {
						fmt.Fprintf(w, "deleted\t%s (the change had created it)\n", d)
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "undo even if the tag was moved again since")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newRetainCmd(a *app) *cobra.Command {
	var asJSON, dryRun, includePre bool
	var keep int
	var olderThan, match, exclude, by string
	var protect []string
	cmd := &cobra.Command{
		Use:   "retain REPO --keep N [--older-than D] [--match RE] [--protect RE] [--dry-run]",
		Short: "Delete old tags by a retention policy (--dry-run lists what would go and what stays, and why)",
		Long: `retain keeps the newest N tags and deletes the rest, or only those older than
D, among the tags matching --match and not --exclude. Newest means, by semver:
releases by version, then (counted only with --include-prerelease)
pre-releases, then tags that are not versions by their image's creation time
and then as people count (build-10 after build-9); by created: the image's
creation time. latest and tags matching --protect are never deleted. Tags
that share a digest with a kept tag are kept; an image's signatures,
attestations and SBOMs (cosign's sha256-….sig/.att/.sbom, the referrers tag
schema's sha256-…) stay and go with it. Each delete spares its
digest-siblings and is journaled.`,
		Example: `  wharf retain registry.example.com/team/app --keep 10 --dry-run
  wharf retain registry.example.com/team/app --keep 5 --older-than 30d --match '^sha-'
  wharf retain registry.example.com/team/app --keep 3 --protect '^stable$' --protect '^v1\.'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pol := retention.Policy{KeepNewest: keep, By: domain.TagOrder(by), IncludePrerelease: includePre}
			var err error
			if olderThan != "" {
				if pol.OlderThan, err = domain.ParseAge(olderThan); err != nil {
					return fmt.Errorf("--%w", err)
				}
			}
			if pol.Match, err = compileFlag("--match", match); err != nil {
				return err
			}
			if pol.Exclude, err = compileFlag("--exclude", exclude); err != nil {
				return err
			}
			for _, p := range protect {
				re, err := compileFlag("--protect", p)
				if err != nil {
					return err
				}
				pol.Protect = append(pol.Protect, re)
			}
			return a.withSession(func(s *ops.Session) error {
				plan, err := ops.PlanRetention(cmd.Context(), s.Client, args[0], pol)
				if err != nil {
					return err
				}
				if dryRun || len(plan.Delete) == 0 {
					return a.emit(asJSON, plan, func(w io.Writer) error { return printRetention(w, plan) })
				}
				return a.applyPlan(cmd, s, plan, asJSON)
			})
		},
	}
	cmd.Flags().IntVar(&keep, "keep", 0, "keep the newest N tags")
	cmd.Flags().StringVar(&olderThan, "older-than", "", "delete only tags whose image is older than this (30d, 2w, 12h)")
	cmd.Flags().StringVar(&match, "match", "", "consider only tags matching this regular expression")
	cmd.Flags().StringVar(&exclude, "exclude", "", "never consider tags matching this regular expression")
	cmd.Flags().StringArrayVar(&protect, "protect", nil, "never delete tags matching this regular expression (repeatable; latest always is)")
	cmd.Flags().BoolVar(&includePre, "include-prerelease", false, "count pre-releases (1.2.0-rc.1) among the newest N")
	cmd.Flags().StringVar(&by, "by", string(domain.BySemver), "what newest means: semver or created")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be deleted and kept; change nothing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newLifecycleCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "lifecycle REPO",
		Short: "Show a repository's lifecycle policy (Amazon ECR) and preview what it would expire",
		Long: `lifecycle shows what the registry's own API says decides what a repository
keeps — ECR's tag mutability and lifecycle policy as text — then each rule as
wharf reads it, and a preview of what the rules would keep and expire today,
made with wharf's retention engine (images counted by push time, each by the
first rule that selects it). Rules wharf cannot translate (untagged images,
several prefixes at once, actions other than expire) are named and left out
of the preview. Nothing is changed.`,
		Example: `  wharf lifecycle 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				rep, err := ops.PlanLifecycle(cmd.Context(), s.Client, args[0], time.Now())
				if err != nil {
					return err
				}
				return a.emit(asJSON, rep, func(w io.Writer) error { return printLifecycle(w, rep) })
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printLifecycle(w io.Writer, rep ops.LifecycleReport) error {
	s := rep.Settings
	fmt.Fprintf(w, "%s (%s)\n", s.Repository, s.Kind)
	if s.TagMutability != "" {
		fmt.Fprintf(w, "tags\t%s", s.TagMutability)
		if len(s.MutabilityExclusions) > 0 {
			fmt.Fprintf(w, " except %s", strings.Join(s.MutabilityExclusions, ", "))
		}
		fmt.Fprintln(w)
	}
	if s.LifecyclePolicy == "" {
		fmt.Fprintln(w, "no lifecycle policy")
		return nil
	}
	fmt.Fprintf(w, "\nlifecycle policy\n%s\n\n", s.LifecyclePolicy)
	for _, r := range rep.Rules {
		if r.Why != "" {
			fmt.Fprintf(w, "%s — not previewed: %s\n", r.Says, r.Why)
			continue
		}
		fmt.Fprintln(w, r.Says)
	}
	if rep.Plan != nil {
		fmt.Fprintln(w, "\npreview (nothing is changed)")
		return printRetention(w, *rep.Plan)
	}
	return nil
}

// retainReport is what retain prints with --json when it applies a plan.
type retainReport struct {
	Plan    domain.RetentionPlan  `json:"plan"`
	Deleted []domain.DeleteResult `json:"deleted"`
	Failed  map[string]string     `json:"failed,omitempty"`
}

func (a *app) applyPlan(cmd *cobra.Command, s *ops.Session, plan domain.RetentionPlan, asJSON bool) error {
	if !asJSON {
		if err := printRetention(a.stdout, plan); err != nil {
			return err
		}
	}
	rep := retainReport{Plan: plan, Deleted: []domain.DeleteResult{}, Failed: map[string]string{}}
	err := ops.ApplyRetention(cmd.Context(), s.Client, plan, func(t domain.RetainedTag, r domain.DeleteResult, err error) {
		if err != nil {
			rep.Failed[t.Tag] = err.Error()
			fmt.Fprintf(a.stderr, "could not delete %s: %v\n", t.Tag, err)
			return
		}
		rep.Deleted = append(rep.Deleted, r)
		if !asJSON {
			fmt.Fprintf(a.stdout, "deleted %s (journal %d)\n", t.Tag, r.JournalID)
		}
	})
	if err == nil && len(rep.Failed) > 0 {
		err = fmt.Errorf("%d of %d deletes failed", len(rep.Failed), len(plan.Delete))
	}
	if asJSON {
		if eerr := a.emit(true, rep, nil); eerr != nil {
			return eerr
		}
	}
	return err
}

func printRetention(w io.Writer, p domain.RetentionPlan) error {
	for _, t := range p.Delete {
		fmt.Fprintf(w, "delete\t%s\t%s\t%s\t%s\n", t.Tag, domain.ShortDigest(t.Digest), domain.HumanSize(t.Size), t.Reason)
	}
	for _, t := range p.Keep {
		fmt.Fprintf(w, "keep\t%s\t%s\t%s\t%s\n", t.Tag, domain.ShortDigest(t.Digest), domain.HumanSize(t.Size), t.Reason)
	}
	fmt.Fprintf(w, "%d to delete, %d to keep; up to %s for the registry's garbage collector\n", len(p.Delete), len(p.Keep), domain.HumanSize(p.DeleteSize()))
	return nil
}

func compileFlag(flag, expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", flag, expr, err)
	}
	return re, nil
}
