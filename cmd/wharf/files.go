package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/internal/packages"
)

// imageLayers are an image's layers with their entries, bottom first.
type imageLayers struct {
	layers  []domain.Layer
	entries [][]filetree.Entry
}

// readLayers reads every layer's listing of a remote image (from the
// cache when read before), or with local of an image in the engine
// (through its export).
func (a *app) readLayers(ctx context.Context, s *ops.Session, reference string, local bool) (imageLayers, error) {
	var il imageLayers
	each := func(_ int, l domain.Layer, entries []filetree.Entry) {
		il.layers = append(il.layers, l)
		il.entries = append(il.entries, entries)
	}
	if !local {
		return il, s.Client.LayerFiles(ctx, reference, each)
	}
	eng, err := s.Engine()
	if err != nil {
		return il, err
	}
	defer eng.Close()
	return il, eng.LayerFiles(ctx, reference, each)
}

// layerIndex is LAYER as the user gave it: a number from 1 (the bottom) or
// the start of a layer's digest.
func (il imageLayers) layerIndex(arg string) (int, error) {
	if n, err := strconv.Atoi(arg); err == nil {
		if n < 1 || n > len(il.layers) {
			return 0, fmt.Errorf("layer %d: the image has %d layers (1 is the bottom)", n, len(il.layers))
		}
		return n - 1, nil
	}
	found := -1
	for i, l := range il.layers {
		if strings.HasPrefix(strings.TrimPrefix(l.Digest, "sha256:"), strings.TrimPrefix(arg, "sha256:")) {
			if found >= 0 {
				return 0, fmt.Errorf("layer %q: more than one layer's digest starts so", arg)
			}
			found = i
		}
	}
	if found < 0 {
		return 0, fmt.Errorf("layer %q: no layer of the image has that number or digest", arg)
	}
	return found, nil
}

func newFilesCmd(a *app) *cobra.Command {
	var asJSON, local bool
	cmd := &cobra.Command{
		Use:   "files REF [LAYER]",
		Short: "List an image's files, or what one layer added, modified and removed (read from the registry, nothing pulled)",
		Long: "files lists the file system a remote image's layers make, as a container started from it sees it.\n" +
			"With LAYER (a number from 1, the bottom, or the start of a layer's digest) it lists what that layer\n" +
			"added (A), modified (M) and removed (D) — whiteouts and opaque directories understood.\n" +
			"Layers are streamed once and their listings cached by digest; --json sizes are bytes.",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				il, err := a.readLayers(cmd.Context(), s, args[0], local)
				if err != nil {
					return err
				}
				if len(args) == 1 {
					files := filetree.Stack(il.entries).Sorted()
					return a.emit(asJSON, struct {
						Reference string           `json:"reference"`
						Layers    []domain.Layer   `json:"layers"`
						Files     []filetree.Entry `json:"files"`
					}{args[0], il.layers, files}, func(w io.Writer) error {
						for _, e := range files {
							printEntry(w, "", e)
						}
						return nil
					})
				}
				n, err := il.layerIndex(args[1])
				if err != nil {
					return err
				}
				changes := filetree.Stack(il.entries[:n]).Apply(il.entries[n])
				return a.emit(asJSON, struct {
					Reference string             `json:"reference"`
					Layer     int                `json:"layer"`
					Digest    string             `json:"digest"`
					Changes   []filetree.Changed `json:"changes"`
				}{args[0], n + 1, il.layers[n].Digest, changes}, func(w io.Writer) error {
					for _, c := range changes {
						printEntry(w, map[filetree.Change]string{filetree.Added: "A", filetree.Modified: "M", filetree.Removed: "D"}[c.Change]+"\t", c.Entry)
					}
					fmt.Fprintf(w, "layer %d of %d (%s): %d changes\n", n+1, len(il.layers), domain.ShortDigest(il.layers[n].Digest), len(changes))
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (sizes in bytes)")
	cmd.Flags().BoolVar(&local, "local", false, "an image in the local engine (read through its export; nothing is pulled)")
	return cmd
}

// printEntry is one line of ls -l's shape: mode, owner, size, path, link.
func printEntry(w io.Writer, mark string, e filetree.Entry) {
	link := ""
	switch e.Kind {
	case filetree.Symlink:
		link = " -> " + e.Link
	case filetree.Hardlink:
		link = " link to /" + e.Link
	}
	fmt.Fprintf(w, "%s%s\t%d:%d\t%s\t/%s%s\n", mark, e.Mode, e.UID, e.GID, domain.HumanSize(e.Size), e.Path, link)
}

func newWasteCmd(a *app) *cobra.Command {
	var asJSON, local bool
	cmd := &cobra.Command{
		Use:   "waste REF",
		Short: "Show the space an image wastes on files a later layer replaced or removed (dive's numbers, nothing pulled)",
		Long: "waste reads a remote image's layers (streamed once, listings cached by digest) and reports what dive\n" +
			"reports for the same image: the efficiency score, the wasted bytes, their share of the layers above the\n" +
			"base, and each path more than one layer wrote, with every version's bytes and the layers (1 is the bottom).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				il, err := a.readLayers(cmd.Context(), s, args[0], local)
				if err != nil {
					return err
				}
				r := filetree.Efficiency(il.entries)
				return a.emit(asJSON, r, func(w io.Writer) error {
					fmt.Fprintf(w, "efficiency %.4f · wasted %s (%.1f%% of the layers above the base) · %d layers, %s\n",
						r.Score, domain.HumanSize(r.WastedBytes), 100*r.WastedPercent(), len(il.layers), domain.HumanSize(r.SizeBytes))
					for _, f := range r.Files {
						layers := make([]string, len(f.Layers))
						for i, l := range f.Layers {
							layers[i] = strconv.Itoa(l + 1)
						}
						fmt.Fprintf(w, "%s\t%d×\t%s\tlayers %s\n", domain.HumanSize(f.Bytes), f.Count, f.Path, strings.Join(layers, ","))
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (sizes in bytes)")
	cmd.Flags().BoolVar(&local, "local", false, "an image in the local engine (read through its export; nothing is pulled)")
	return cmd
}

// packagesOf is the image's packages (see ops.Remote.Packages); its notes
// go to stderr.
func (a *app) packagesOf(ctx context.Context, s *ops.Session, reference string, local bool) (packages.List, error) {
	var l packages.List
	var err error
	if local {
		eng, eerr := s.Engine()
		if eerr != nil {
			return l, eerr
		}
		defer eng.Close()
		l, err = ops.NewLocal(s, eng).Packages(ctx, reference)
	} else {
		l, err = ops.NewRemote(s).Packages(ctx, reference)
	}
	for _, n := range l.Notes {
		fmt.Fprintln(a.stderr, "wharf:", a.redacted(n))
	}
	return l, err
}

func newPackagesCmd(a *app) *cobra.Command {
	var asJSON, local bool
	cmd := &cobra.Command{
		Use:   "packages REF",
		Short: "List the packages an image carries (from its attached SBOM, else its apk/dpkg databases; nothing pulled)",
		Long: "packages lists name, version and type of each package in an image: from an SBOM the pipeline attached\n" +
			"(a referrer or cosign attestation, SPDX or CycloneDX JSON) when there is one, else from the package\n" +
			"databases in its file system (apk, dpkg, distroless status.d). The last line (or \"source\" in --json) says which.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				l, err := a.packagesOf(cmd.Context(), s, args[0], local)
				if err != nil {
					return err
				}
				return a.emit(asJSON, l, func(w io.Writer) error {
					for _, p := range l.Packages {
						fmt.Fprintf(w, "%s\t%s\t%s\n", p.Type, p.Name, p.Version)
					}
					fmt.Fprintf(w, "%d packages, from %s\n", len(l.Packages), l.Source)
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&local, "local", false, "an image in the local engine (its file system, read through its export)")
	return cmd
}

func newVulnsCmd(a *app) *cobra.Command {
	var asJSON bool
	var top int
	cmd := &cobra.Command{
		Use:   "vulns REF",
		Short: "Summarise the vulnerability report attached to an image (cosign vuln attestation, Trivy, Grype or SARIF), else ECR's scan; wharf never scans",
		Long: "vulns reads the vulnerability report a pipeline attached to a remote image — cosign's vuln attestation, or a\n" +
			"Trivy, Grype or SARIF document as a referrer — else the registry's own scan findings (Amazon ECR's), and prints\n" +
			"the counts by severity and the worst findings with the versions that fix them. wharf downloads no vulnerability\n" +
			"database: with neither it says so.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSession(func(s *ops.Session) error {
				rep, ok, err := ops.NewRemote(s).Vulnerabilities(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("%s: no vulnerability report is attached (wharf reads what the pipeline attached: cosign attest --type vuln, or a Trivy, Grype or SARIF document as a referrer)", args[0])
				}
				return a.emit(asJSON, rep, func(w io.Writer) error {
					fmt.Fprintf(w, "%s (%s, %s): %s\n", args[0], rep.Scanner, rep.From, rep.Summary())
					for _, f := range rep.Worst(top) {
						fixed := "no fix known"
						if f.Fixed != "" {
							fixed = "fixed in " + f.Fixed
						}
						fmt.Fprintf(w, "%s\t%s\t%s %s\t%s\n", f.Severity, f.ID, f.Package, f.Installed, fixed)
					}
					if n := len(rep.Findings) - top; n > 0 {
						fmt.Fprintf(w, "… and %d more (--top or --json)\n", n)
					}
					return nil
				})
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (every finding)")
	cmd.Flags().IntVar(&top, "top", 10, "how many of the worst findings to list")
	return cmd
}
