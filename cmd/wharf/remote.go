package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/internal/packages"
	"github.com/wharf-dev/wharf/internal/vulns"
)

func newCatalogCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "catalog REGISTRY",
		Short: "List a registry's repositories (configured ones where it refuses its catalog)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				host := s.Lookup(args[0]).Host
				var all []string
				if a.offline {
					return a.cachedCatalog(s, host, nil, asJSON)
				}
				printed := false
				for page, err := range s.Client.CatalogPages(cmd.Context(), host) {
					if err != nil && a.fallBack(err) && !printed {
						return a.cachedCatalog(s, host, err, asJSON)
					}
					if err != nil {
						return err
					}
					printed = true
					if page.Note != "" {
						fmt.Fprintln(a.stderr, page.Note)
					}
					if asJSON {
						all = append(all, page.Items...)
						continue
					}
					// Pages print as they arrive.
					if _, err := io.WriteString(a.stdout, strings.Join(page.Items, "\n")+"\n"); err != nil {
						return err
					}
				}
				if asJSON {
					return a.emit(true, all, nil)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// tagJSON is a tag and its digest as --json prints them.
type tagJSON struct {
	Tag    string `json:"tag"`
	Digest string `json:"digest,omitempty"`
	// Size, Pushed and Immutable are what the registry's own API said of
	// the tag, where it says them (Docker Hub, ECR, ACR, Quay, Artifact
	// Registry).
	Size      int64     `json:"size,omitempty"`
	Pushed    time.Time `json:"pushed,omitzero"`
	Immutable bool      `json:"immutable,omitempty"`
	// Signed is what cosign tags say of the image: "sig", "sig+att", ….
	Signed string `json:"signed,omitempty"`
	Error  string `json:"error,omitempty"`
}

// foldCosign drops cosign's sha256-<hex>.sig/.att/.sbom tags from rows and
// badges the rows of the images they belong to.
func foldCosign(rows []tagJSON) []tagJSON {
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.Tag
	}
	f := domain.FoldCosign(names)
	out := rows[:0]
	for _, r := range rows {
		if len(out) < len(f.Tags) && r.Tag == f.Tags[len(out)] {
			r.Signed = domain.Badge(f.Kinds[r.Digest])
			out = append(out, r)
		}
	}
	return out
}

func newTagsCmd(a *app) *cobra.Command {
	var asJSON, digests, all bool
	var order string
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "tags REPO",
		Short: "List a repository's tags (with --digests, what each points at and whether it is signed)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if order != string(domain.BySemver) && order != string(domain.ByName) {
				return fmt.Errorf("--sort %q: use semver or name", order)
			}
			if maxAge != 0 && !digests {
				return errors.New("--max-age is for digests: add --digests")
			}
			return a.withSession(func(s *ops.Session) error {
				var rows []tagJSON
				if digests {
					tds, err := a.tagDigests(cmd.Context(), s, args[0], maxAge)
					if err != nil {
						return err
					}
					for _, td := range tds {
						r := tagJSON{Tag: td.Tag, Digest: td.Digest}
						if td.Err != nil {
							r.Error = td.Err.Error()
						}
						rows = append(rows, r)
					}
				} else {
					tags, err := a.tagsOf(cmd.Context(), s, args[0])
					if err != nil {
						return err
					}
					if !asJSON {
						// Plain names: no rows, no table (100,000 tags).
						if !all {
							tags = domain.FoldCosign(tags).Tags
						}
						domain.SortTags(tags, domain.TagOrder(order))
						var b strings.Builder
						for _, t := range tags {
							b.WriteString(t)
							b.WriteByte('\n')
						}
						_, err := io.WriteString(a.stdout, b.String())
						return err
					}
					rows = make([]tagJSON, 0, len(tags))
					for _, t := range tags {
						rows = append(rows, tagJSON{Tag: t})
					}
				}
				if !all {
					rows = foldCosign(rows)
				}
				names := make([]string, len(rows))
				for i, r := range rows {
					names[i] = r.Tag
				}
				domain.SortTags(names, domain.TagOrder(order))
				if digests {
					byTag := make(map[string]tagJSON, len(rows))
					for _, r := range rows {
						byTag[r.Tag] = r
					}
					for i, n := range names {
						rows[i] = byTag[n]
					}
				} else {
					for i, n := range names {
						rows[i] = tagJSON{Tag: n}
					}
				}
				if listed := s.Client.Listed(args[0]); len(listed) > 0 {
					for i, r := range rows {
						ti := listed[r.Tag]
						rows[i].Size, rows[i].Pushed, rows[i].Immutable = ti.Size, ti.Pushed, ti.Immutable
						if rows[i].Digest == "" && r.Error == "" {
							rows[i].Digest = ti.Digest
						}
					}
				}
				return a.emit(asJSON, rows, func(w io.Writer) error {
					for _, r := range rows {
						switch {
						case r.Error != "":
							fmt.Fprintf(w, "%s\terror: %s\n", r.Tag, r.Error)
						case digests && r.Signed != "":
							fmt.Fprintf(w, "%s\t%s\t%s\n", r.Tag, r.Digest, r.Signed)
						case digests:
							fmt.Fprintf(w, "%s\t%s\n", r.Tag, r.Digest)
						default:
							fmt.Fprintln(w, r.Tag)
						}
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&digests, "digests", false, "resolve each tag's digest (HEAD requests, in parallel)")
	addMaxAge(cmd, &maxAge)
	cmd.Flags().BoolVar(&all, "all", false, "list cosign's sha256-….sig/.att/.sbom tags too (folded under their image otherwise)")
	cmd.Flags().StringVar(&order, "sort", string(domain.BySemver), "semver or name")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newSameCmd(a *app) *cobra.Command {
	var asJSON bool
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "same REPO",
		Short: "Show which tags of a repository are really the same image",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				tds, err := a.tagDigests(cmd.Context(), s, args[0], maxAge)
				if err != nil {
					return err
				}
				groups := domain.Groups(tds)
				var failed []string
				for _, td := range tds {
					if td.Err != nil {
						failed = append(failed, td.Tag+": "+td.Err.Error())
					}
				}
				sort.Strings(failed)
				for _, f := range failed {
					fmt.Fprintln(a.stderr, "could not resolve", f)
				}
				return a.emit(asJSON, groups, func(w io.Writer) error {
					tags := 0
					for _, g := range groups {
						tags += len(g.Tags)
						signed := ""
						if g.Signed != "" {
							signed = "\t[" + g.Signed + "]"
						}
						fmt.Fprintf(w, "%s\t= %d\t%s%s\n", domain.ShortDigest(g.Digest), len(g.Tags), strings.Join(g.Tags, ", "), signed)
					}
					fmt.Fprintf(w, "%d tags, %d images\n", tags, len(groups))
					return nil
				})
			})
		},
	}
	addMaxAge(cmd, &maxAge)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// addMaxAge adds --max-age: digests the cache fetched within it are not
// asked for again.
func addMaxAge(cmd *cobra.Command, maxAge *time.Duration) {
	cmd.Flags().DurationVar(maxAge, "max-age", 0, "take digests fetched within this long (e.g. 10m) from the cache; 0: ask the registry for every one")
}

// tagDigests resolves a repository's digests, from the cache where they are
// younger than maxAge, and says on stderr how many came from it.
func (a *app) tagDigests(ctx context.Context, s *ops.Session, repo string, maxAge time.Duration) ([]domain.TagDigest, error) {
	if maxAge < 0 {
		return nil, fmt.Errorf("--max-age %s: give a duration of 0 or more", maxAge)
	}
	if a.offline {
		return a.cachedTagDigests(s, repo, nil)
	}
	tds, cached, err := s.Client.TagDigestsWithin(ctx, repo, maxAge)
	if err != nil && a.fallBack(err) {
		return a.cachedTagDigests(s, repo, err)
	}
	if err == nil && maxAge > 0 {
		fmt.Fprintf(a.stderr, "%d of %d digests from the cache (fetched within %s)\n", cached, len(tds), maxAge)
	}
	return tds, err
}

func newInspectCmd(a *app) *cobra.Command {
	var asJSON, local, remote bool
	cmd := &cobra.Command{
		Use:   "inspect REF",
		Short: "Show an image without pulling it: a remote one, or a local one (an ID, or a tag the engine has)",
		Long: `inspect shows a remote image or index without pulling it, or a local image as
docker image inspect and docker history show it (with which registries still
have its repo digests). An image ID is local; a reference is looked up in the
engine and in its registry, and when both have it, --local or --remote says
which.`,
		Args: references(1, imageOrID),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				ctx, arg := cmd.Context(), args[0]
				if local && remote {
					return errors.New("--local or --remote, not both")
				}
				if !remote && (local || imageID.MatchString(arg)) {
					return a.inspectLocal(ctx, s, arg, asJSON)
				}
				if !local && !remote {
					// Which side has it: both is for the user to say.
					if eng, err := s.Engine(); err == nil {
						_, lerr := eng.Inspect(ctx, arg)
						_ = eng.Close()
						if lerr == nil {
							if _, rerr := s.Client.Resolve(ctx, arg); rerr == nil {
								return fmt.Errorf("both the engine and the registry have %s: --local or --remote says which to show", arg)
							}
							return a.inspectLocal(ctx, s, arg, asJSON)
						}
					}
				}
				return a.inspectRemote(ctx, s, arg, asJSON)
			})
		},
	}
	cmd.Flags().BoolVar(&local, "local", false, "the engine's image")
	cmd.Flags().BoolVar(&remote, "remote", false, "the registry's image")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// inspectRemote shows a remote image or index and what refers to it.
func (a *app) inspectRemote(ctx context.Context, s *ops.Session, arg string, asJSON bool) error {
	var d domain.Details
	var err error
	if !a.offline {
		d, err = s.Client.Describe(ctx, arg)
	}
	var refs []domain.Referrer
	switch {
	case a.offline || err != nil && a.fallBack(err):
		cached, ok := s.Client.CachedDescribe(arg)
		if !ok {
			return a.noCache(arg, err)
		}
		d = cached
		fmt.Fprintf(a.stderr, "wharf: from the cache (%s); referrers are not cached\n", map[bool]string{true: "--offline", false: "registry unreachable"}[a.offline])
	case err != nil:
		return err
	default:
		if refs, err = s.Client.Referrers(ctx, arg); err != nil {
			return err
		}
	}
	out := struct {
		domain.Details
		Referrers []domain.Referrer
	}{d, refs}
	return a.emit(asJSON, out, func(w io.Writer) error {
		if err := printDetails(w, d); err != nil {
			return err
		}
		for _, r := range refs {
			where := r.ArtifactType
			if r.Tag != "" {
				where = "tag " + r.Tag
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", r.Kind, r.Digest, where)
		}
		return nil
	})
}

// inspectLocal shows a local image as docker image inspect and docker
// history do, and whether its repo digests' registries still have them.
func (a *app) inspectLocal(ctx context.Context, s *ops.Session, arg string, asJSON bool) error {
	eng, err := s.Engine()
	if err != nil {
		return err
	}
	defer eng.Close()
	var remote ops.Resolver
	if !s.Demo {
		remote = s.Client
	}
	d, err := ops.InspectLocal(ctx, eng, remote, arg)
	if err != nil {
		return err
	}
	return a.emit(asJSON, d, func(w io.Writer) error { return printLocal(w, d) })
}

// printLocal prints a local image: what identifies it, then as a remote
// image's details, then what only the engine knows.
func printLocal(w io.Writer, d domain.Details) error {
	fmt.Fprintf(w, "image ID\t%s\n", d.ID)
	fmt.Fprintf(w, "tags\t%s\n", orNone(strings.Join(d.RepoTags, ", ")))
	for _, rd := range d.RepoDigests {
		state := ""
		if d.Local != nil && d.Local.RepoDigests[rd] != "" {
			state = "\t" + d.Local.RepoDigests[rd]
		}
		fmt.Fprintf(w, "repo digest\t%s%s\n", rd, state)
	}
	size := domain.HumanSize(d.Size)
	if d.Local != nil && d.Local.SharedSize >= 0 {
		size += fmt.Sprintf(" (%s shared; removing it frees %s)", domain.HumanSize(d.Local.SharedSize), domain.HumanSize(d.Size-d.Local.SharedSize))
	}
	fmt.Fprintf(w, "size\t%s\n", size)
	fmt.Fprintf(w, "created\t%s\n", timestamp(d.Created))
	if p := d.PlatformString(); p != "" {
		fmt.Fprintf(w, "platform\t%s\n", p)
	}
	if d.Local != nil && d.Local.Parent != "" {
		fmt.Fprintf(w, "parent\t%s\n", d.Local.Parent)
	}
	printConfig(w, d)
	for _, l := range d.Layers {
		size := "?" // the history sizes its steps, not its layers
		if d.Local != nil && d.Local.LayerSizes {
			size = domain.HumanSize(l.Size)
		}
		fmt.Fprintf(w, "layer\t%s\t%s\n", l.Digest, size)
	}
	if len(d.History) == 0 {
		fmt.Fprintln(w, "history\tno history recorded")
	}
	for _, h := range d.History {
		size := ""
		if !h.EmptyLayer {
			size = domain.HumanSize(h.Size)
		}
		fmt.Fprintf(w, "history\t%s\t%s\t%s", timestamp(h.Created), size, h.CreatedBy)
		if h.Comment != "" {
			fmt.Fprintf(w, "\t# %s", h.Comment)
		}
		fmt.Fprintln(w)
	}
	if d.Local != nil {
		if len(d.Local.Containers) == 0 {
			fmt.Fprintln(w, "containers\tnone")
		}
		for _, c := range d.Local.Containers {
			fmt.Fprintf(w, "container\t%s\t%s\n", c.Name, c.State)
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func printDetails(w io.Writer, d domain.Details) error {
	fmt.Fprintf(w, "reference\t%s\n", d.Reference)
	fmt.Fprintf(w, "digest\t%s\n", d.Digest)
	fmt.Fprintf(w, "media type\t%s\n", d.MediaType)
	fmt.Fprintf(w, "size\t%s\n", domain.HumanSize(d.Size))
	for _, n := range d.Notes {
		fmt.Fprintf(w, "note\t%s\n", n)
	}
	if d.IsIndex() {
		for _, p := range d.Platforms {
			fmt.Fprintf(w, "platform\t%s\t%s\n", p.String(), p.Digest)
		}
		return nil
	}
	if d.IsArtifact() {
		printArtifact(w, d)
		return nil
	}
	fmt.Fprintf(w, "created\t%s\n", timestamp(d.Created))
	if p := d.PlatformString(); p != "" {
		fmt.Fprintf(w, "platform\t%s\n", p)
	}
	printConfig(w, d)
	for _, l := range d.Layers {
		fmt.Fprintf(w, "layer\t%s\t%s\n", l.Digest, domain.HumanSize(l.Size))
	}
	for _, h := range d.History {
		fmt.Fprintf(w, "history\t%s\n", h.CreatedBy)
	}
	return nil
}

// printConfig prints an image's config: how it runs, its environment and
// labels.
func printConfig(w io.Writer, d domain.Details) {
	if len(d.Entrypoint) > 0 {
		fmt.Fprintf(w, "entrypoint\t%s\n", strings.Join(d.Entrypoint, " "))
	}
	if len(d.Cmd) > 0 {
		fmt.Fprintf(w, "cmd\t%s\n", strings.Join(d.Cmd, " "))
	}
	if d.User != "" {
		fmt.Fprintf(w, "user\t%s\n", d.User)
	}
	if d.WorkingDir != "" {
		fmt.Fprintf(w, "workdir\t%s\n", d.WorkingDir)
	}
	for _, p := range d.ExposedPorts {
		fmt.Fprintf(w, "port\t%s\n", p)
	}
	for _, v := range d.Volumes {
		fmt.Fprintf(w, "volume\t%s\n", v)
	}
	for _, e := range d.Env {
		fmt.Fprintf(w, "env\t%s\n", e)
	}
	for _, k := range slices.Sorted(maps.Keys(d.Labels)) {
		fmt.Fprintf(w, "label\t%s=%s\n", k, d.Labels[k])
	}
}

// printArtifact says what an artifact is and lists its files.
func printArtifact(w io.Writer, d domain.Details) {
	fmt.Fprintf(w, "artifact\t%s\n", domain.ArtifactLabel(d.ArtifactType))
	if d.Subject != "" {
		fmt.Fprintf(w, "subject\t%s\n", d.Subject)
	}
	for _, l := range d.Layers {
		title := l.Title
		if title == "" {
			title = domain.ShortDigest(l.Digest)
		}
		fmt.Fprintf(w, "file\t%s\t%s\t%s\n", title, l.MediaType, domain.HumanSize(l.Size))
	}
	for _, k := range slices.Sorted(maps.Keys(d.Annotations)) {
		fmt.Fprintf(w, "annotation\t%s=%s\n", k, d.Annotations[k])
	}
}

// timestamp is a time as the CLI prints it, N/A when it is not known (as
// docker prints an image made without one).
func timestamp(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func newDiffCmd(a *app) *cobra.Command {
	var asJSON, files, pkgs, vulnsToo bool
	cmd := &cobra.Command{
		Use:   "diff REF1 REF2",
		Short: "Compare two remote images or indexes: platforms, layers, config, history (--files, --packages, --vulns: deeper)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				ctx := cmd.Context()
				d, err := s.Client.Diff(ctx, args[0], args[1])
				if err != nil {
					return err
				}
				out := struct {
					domain.Diff
					Files    []filetree.FileDiff `json:"files,omitempty"`
					Packages []packages.Change   `json:"packages,omitempty"`
					Vulns    []vulns.Change      `json:"vulnerabilities,omitempty"`
				}{Diff: d}
				var lists [2]packages.List
				if pkgs {
					for i, ref := range args {
						if lists[i], err = a.packagesOf(ctx, s, ref, false); err != nil {
							return err
						}
					}
					out.Packages = packages.Diff(lists[0].Packages, lists[1].Packages, packages.Compare)
				}
				if files {
					if out.Files, err = ops.NewRemote(s).FileDiff(ctx, args[0], args[1]); err != nil {
						return err
					}
				}
				var reports [2]vulns.Report
				if vulnsToo {
					for i, ref := range args {
						rep, ok, err := ops.NewRemote(s).Vulnerabilities(ctx, ref)
						if err != nil {
							return err
						}
						if !ok {
							return fmt.Errorf("%s: no vulnerability report is attached (see wharf vulns --help)", ref)
						}
						reports[i] = rep
					}
					out.Vulns = vulns.Diff(reports[0], reports[1])
				}
				return a.emit(asJSON, out, func(w io.Writer) error {
					if err := printDiff(w, d); err != nil {
						return err
					}
					if files {
						printFileDiff(w, out.Files)
					}
					if pkgs {
						printPackageDiff(w, out.Packages, lists)
					}
					if vulnsToo {
						for _, c := range out.Vulns {
							sign := "-"
							if c.Change == "new" {
								sign = "+"
							}
							fmt.Fprintf(w, "vuln\t%s %s %s\t%s %s (%s)\n", sign, c.Severity, c.ID, c.Package, c.Installed, c.Change)
						}
						fmt.Fprintf(w, "vulns\t%s → %s\n", reports[0].Summary(), reports[1].Summary())
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (file sizes in bytes)")
	cmd.Flags().BoolVar(&pkgs, "packages", false, "also compare the packages: added, removed, upgraded (from attached SBOMs, else the apk/dpkg databases and Go executables)")
	cmd.Flags().BoolVar(&vulnsToo, "vulns", false, "also compare the attached vulnerability reports: what the second fixed and what it brought")
	cmd.Flags().BoolVar(&files, "files", false, "also compare the files: added, removed, modified, with size changes (layers are read from the registry, nothing is pulled)")
	return cmd
}

// printFileDiff lists the files that differ, and the total change.
func printFileDiff(w io.Writer, fd []filetree.FileDiff) {
	var delta int64
	count := map[filetree.Change]int{}
	for _, f := range fd {
		count[f.Change]++
		delta += f.NewSize - f.OldSize
		switch f.Change {
		case filetree.Added:
			fmt.Fprintf(w, "file\t+ /%s\t%s\n", f.Path, domain.HumanSize(f.NewSize))
		case filetree.Removed:
			fmt.Fprintf(w, "file\t- /%s\t%s\n", f.Path, domain.HumanSize(f.OldSize))
		default:
			fmt.Fprintf(w, "file\t~ /%s\t%s → %s (%s)\n", f.Path, domain.HumanSize(f.OldSize), domain.HumanSize(f.NewSize), signedSize(f.NewSize-f.OldSize))
		}
	}
	fmt.Fprintf(w, "files\t%d added, %d removed, %d modified, %s in all\n", count[filetree.Added], count[filetree.Removed], count[filetree.Modified], signedSize(delta))
}

// printPackageDiff lists the packages that changed, and where the lists
// came from (when known).
func printPackageDiff(w io.Writer, cs []packages.Change, from [2]packages.List) {
	for _, c := range cs {
		switch c.Change {
		case "added":
			fmt.Fprintf(w, "package\t+ %s %s\t%s\n", c.Type, c.Name, c.New)
		case "removed":
			fmt.Fprintf(w, "package\t- %s %s\t%s\n", c.Type, c.Name, c.Old)
		default:
			fmt.Fprintf(w, "package\t~ %s %s\t%s → %s (%s)\n", c.Type, c.Name, c.Old, c.New, c.Change)
		}
	}
	fmt.Fprintf(w, "packages\t%d changed\n", len(cs))
	if from[0].Source != "" {
		fmt.Fprintf(w, "packages from\t%s; %s\n", from[0].Source, from[1].Source)
	}
}

// signedSize is a size change with its sign ("+1.2kB", "-300B", "±0B").
func signedSize(n int64) string {
	switch {
	case n > 0:
		return "+" + domain.HumanSize(n)
	case n < 0:
		return "-" + domain.HumanSize(-n)
	}
	return "±0B"
}

func printDiff(w io.Writer, d domain.Diff) error {
	if d.Same() {
		fmt.Fprintf(w, "same manifest %s\n", d.A.Digest)
		return nil
	}
	fmt.Fprintf(w, "- %s\t%s\n+ %s\t%s\n", d.A.Reference, d.A.Digest, d.B.Reference, d.B.Digest)
	for _, p := range d.PlatformsRemoved {
		fmt.Fprintf(w, "platform\t- %s\n", p.String())
	}
	for _, p := range d.PlatformsAdded {
		fmt.Fprintf(w, "platform\t+ %s\n", p.String())
	}
	for _, p := range d.PlatformsChanged {
		fmt.Fprintf(w, "platform\t~ %s (other digest)\n", p)
	}
	var shared int64
	for _, l := range d.LayersShared {
		shared += l.Size
	}
	if len(d.LayersShared) > 0 {
		fmt.Fprintf(w, "layers\t= %d shared (%s)\n", len(d.LayersShared), domain.HumanSize(shared))
	}
	for _, l := range d.LayersRemoved {
		fmt.Fprintf(w, "layer\t- %s\t%s\n", domain.ShortDigest(l.Digest), domain.HumanSize(l.Size))
	}
	for _, l := range d.LayersAdded {
		fmt.Fprintf(w, "layer\t+ %s\t%s\n", domain.ShortDigest(l.Digest), domain.HumanSize(l.Size))
	}
	for _, c := range d.Config {
		fmt.Fprintf(w, "%s\t%q → %q\n", c.Key, c.Old, c.New)
	}
	for _, h := range d.HistoryRemoved {
		fmt.Fprintf(w, "history\t- %s\n", h)
	}
	for _, h := range d.HistoryAdded {
		fmt.Fprintf(w, "history\t+ %s\n", h)
	}
	return nil
}

func newPlatformsCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "platforms REF",
		Short: "An index's platforms: each one's digest, size, and the layers it shares with the others",
		Long: `platforms describes each platform's image of a multi-arch index: its digest,
its size (manifest, config and compressed layers), how many layers it has and
how many of them another platform of the index has too (stored once). Copy,
delete and pull of the tag act on the whole index; of REPO@DIGEST of one
platform, on that platform's image alone.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				ps, err := s.Client.PlatformImages(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return a.emit(asJSON, ps, func(w io.Writer) error {
					fmt.Fprintln(w, "PLATFORM\tDIGEST\tSIZE\tLAYERS\tSHARED WITH OTHERS")
					for _, p := range ps {
						fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d (%s)\n", p.Platform, domain.ShortDigest(p.Platform.Digest),
							domain.HumanSize(p.Size), len(p.Layers), p.Shared, domain.HumanSize(p.SharedSize))
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
