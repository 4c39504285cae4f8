package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/localcache"
)

// emit writes v as indented JSON, or calls text to print it for people.
func (a *app) emit(asJSON bool, v any, text func(w io.Writer) error) error {
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	if err := text(tw); err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(a.stdout, b.String())
	return err
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func newImagesCmd(a *app) *cobra.Command {
	var asJSON, dangling, all bool
	cmd := &cobra.Command{
		Use:   "images",
		Short: "List the local engine's images, tags grouped by image",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withEngine(func(_ *ops.Session, c *localcache.Cache) error {
				l, err := c.List(cmd.Context(), localcache.ListOptions{DanglingOnly: dangling, All: all})
				if err != nil {
					return err
				}
				return a.emit(asJSON, l, func(w io.Writer) error {
					fmt.Fprintln(w, "IMAGE ID\tTAGS\tCREATED\tSIZE\tCONTAINERS")
					for _, img := range l.Images {
						tags := strings.Join(img.RepoTags, ", ")
						switch {
						case img.Intermediate:
							tags = "<none> (intermediate)"
						case img.Dangling:
							tags = "<none> (dangling)"
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", domain.ShortDigest(img.ID), tags, ago(img.Created), domain.HumanSize(img.Size), strings.Join(img.Containers, ", "))
					}
					fmt.Fprintf(w, "\n%d images, %d dangling (up to %s reclaimable: wharf prune)\n", len(l.Images), l.Dangling, domain.HumanSize(l.Reclaimable))
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&dangling, "dangling", false, "only dangling images")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "the classic builder's intermediate images too (docker images -a)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newHistoryCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history REF",
		Short: "Show a local image's history, oldest step first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(_ *ops.Session, c *localcache.Cache) error {
				h, err := c.History(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return a.emit(asJSON, h, func(w io.Writer) error {
					// COMMENT only when a step has one, as docker history
					// --no-trunc shows it.
					comments := slices.ContainsFunc(h, func(e domain.HistoryEntry) bool { return e.Comment != "" })
					if comments {
						fmt.Fprintln(w, "CREATED\tSIZE\tCREATED BY\tCOMMENT")
					} else {
						fmt.Fprintln(w, "CREATED\tSIZE\tCREATED BY")
					}
					for _, e := range h {
						created := "N/A"
						if !e.Created.IsZero() {
							created = e.Created.Format(time.DateTime)
						}
						if comments {
							fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", created, domain.HumanSize(e.Size), e.CreatedBy, e.Comment)
						} else {
							fmt.Fprintf(w, "%s\t%s\t%s\n", created, domain.HumanSize(e.Size), e.CreatedBy)
						}
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newTagCmd(a *app) *cobra.Command {
	var asJSON, force bool
	cmd := &cobra.Command{
		Use:   "tag SRC DST",
		Short: "Tag a local image; refuses to move a tag off another image without --force",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(_ *ops.Session, c *localcache.Cache) error {
				res, err := c.Tag(cmd.Context(), args[0], args[1], localcache.TagOptions{Overwrite: domain.OverwriteIf(force)})
				if errors.Is(err, localcache.ErrTagExists) {
					return fmt.Errorf("%w (use --force to move it)", err)
				}
				if err != nil {
					return err
				}
				return a.emit(asJSON, res, func(w io.Writer) error {
					fmt.Fprintf(w, "tagged %s\n", res.Target)
					if res.Moved != nil {
						fmt.Fprintf(w, "moved off %s\n", res.Moved.Error())
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "move the tag even if it names another image")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newUntagCmd(a *app) *cobra.Command {
	var asJSON, force bool
	cmd := &cobra.Command{
		Use:   "untag REF",
		Short: "Remove one tag (the engine deletes the image with its last tag)",
		Args:  references(1, imageOrID),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(_ *ops.Session, c *localcache.Cache) error {
				res, err := c.Untag(cmd.Context(), args[0], localcache.RemoveOptions{Force: force})
				if err != nil {
					return err
				}
				return a.emit(asJSON, res, func(w io.Writer) error {
					for _, u := range res.Untagged {
						fmt.Fprintf(w, "untagged %s\n", u)
					}
					for _, d := range res.Deleted {
						fmt.Fprintf(w, "deleted %s\n", d)
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "remove even if a container uses the image")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newPruneCmd(a *app) *cobra.Command {
	var asJSON, dryRun, yes bool
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Remove dangling images, after showing what goes and what containers keep",
		Long: `prune lists every dangling image with its size and any container that keeps
it, then removes the ones no container uses. It never removes a tagged image.
It asks before removing; --yes answers for scripts, --dry-run only lists.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withEngine(func(_ *ops.Session, c *localcache.Cache) error {
				plan, err := c.PrunePreview(cmd.Context())
				if err != nil {
					return err
				}
				if dryRun || len(plan.Remove) == 0 {
					return a.emit(asJSON, plan, func(w io.Writer) error { return printPlan(w, plan) })
				}
				if !yes {
					if err := a.emit(false, nil, func(w io.Writer) error { return printPlan(w, plan) }); err != nil {
						return err
					}
					if !a.confirm(fmt.Sprintf("Remove %d dangling images (up to %s)?", len(plan.Remove), domain.HumanSize(plan.Total))) {
						return errors.New("nothing removed")
					}
				}
				res, err := c.Prune(cmd.Context())
				if err != nil {
					return err
				}
				return a.emit(asJSON, res, func(w io.Writer) error {
					for _, id := range res.Removed {
						fmt.Fprintf(w, "removed %s\n", domain.ShortDigest(id))
					}
					fmt.Fprintf(w, "removed %d images, reclaimed %s\n", len(res.Removed), domain.HumanSize(res.SpaceReclaimed))
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only show what would be removed")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printPlan(w io.Writer, p localcache.PrunePlan) error {
	if len(p.Remove)+len(p.Blocked) == 0 {
		fmt.Fprintln(w, "no dangling images")
		return nil
	}
	fmt.Fprintln(w, "IMAGE ID\tSIZE\tCREATED\t")
	for _, d := range p.Remove {
		fmt.Fprintf(w, "%s\t%s\t%s\twill be removed\n", domain.ShortDigest(d.ID), domain.HumanSize(d.Size), ago(d.Created))
	}
	for _, d := range p.Blocked {
		fmt.Fprintf(w, "%s\t%s\t%s\tkept: used by %s\n", domain.ShortDigest(d.ID), domain.HumanSize(d.Size), ago(d.Created), strings.Join(d.BlockedBy, ", "))
	}
	fmt.Fprintf(w, "%d to remove (up to %s), %d kept by containers\n", len(p.Remove), domain.HumanSize(p.Total), len(p.Blocked))
	return nil
}

// confirm asks a yes/no question on the terminal; without a terminal the
// answer is no.
func (a *app) confirm(question string) bool {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprintln(a.stderr, "not a terminal: pass --yes to confirm")
		return false
	}
	fmt.Fprintf(a.stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	return strings.EqualFold(strings.TrimSpace(line), "y") || strings.EqualFold(strings.TrimSpace(line), "yes")
}

// progressPrinter prints each layer's phase changes (not byte counts).
func (a *app) progressPrinter(quiet bool) func(localcache.Progress) {
	last := map[string]localcache.Phase{}
	return func(p localcache.Progress) {
		if quiet || p.Layer == "" || last[p.Layer] == p.Phase {
			return
		}
		last[p.Layer] = p.Phase
		fmt.Fprintf(a.stderr, "%s: %s\n", p.Layer, p.Status)
	}
}

func newPushCmd(a *app) *cobra.Command {
	var asJSON, overwrite bool
	cmd := &cobra.Command{
		Use:   "push REF",
		Short: "Push a local tag through the engine with your docker credentials (guarded and journaled: wharf undo puts back what it replaced)",
		Long: `push pushes a local tag through the engine with your docker credentials. A
remote tag that names another image than the local one (one it was never
pushed or pulled as) is not replaced without --overwrite; the refusal names
both digests. What the remote tag named is journaled first: wharf undo puts
it back.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *ops.Session, c *localcache.Cache) error {
				res, err := ops.Push(cmd.Context(), c, s.Client, args[0], domain.OverwriteIf(overwrite), a.progressPrinter(asJSON))
				for _, w := range res.Warnings {
					fmt.Fprintln(a.stderr, "wharf:", a.redacted(w))
				}
				if err != nil {
					return overwriteHint(err)
				}
				return a.emit(asJSON, res, func(w io.Writer) error {
					fmt.Fprintf(w, "pushed %s@%s\n", res.Reference, res.Digest)
					if res.JournalID > 0 {
						fmt.Fprintf(w, "journal entry %d: `wharf undo %d` puts back what it replaced\n", res.JournalID, res.JournalID)
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace a remote tag that names another image (journaled; undo puts it back)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newPullCmd(a *app) *cobra.Command {
	var asJSON bool
	var platform string
	cmd := &cobra.Command{
		Use:   "pull REF",
		Short: "Pull a tag or digest through the engine",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(_ *ops.Session, c *localcache.Cache) error {
				res, err := c.Pull(cmd.Context(), args[0], localcache.PullOptions{Platform: platform}, a.progressPrinter(asJSON))
				if err != nil {
					return err
				}
				return a.emit(asJSON, res, func(w io.Writer) error {
					state := "pulled"
					if res.UpToDate {
						state = "up to date:"
					}
					if strings.Contains(res.Reference, "@") {
						// Pulled by digest: the reference says it already.
						fmt.Fprintf(w, "%s %s\n", state, res.Reference)
						return nil
					}
					fmt.Fprintf(w, "%s %s@%s\n", state, res.Reference, res.Digest)
					return nil
				})
			})
		},
	}
	cmd.Flags().StringVar(&platform, "platform", "", "os/arch[/variant] of a multi-platform image")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
