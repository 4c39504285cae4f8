// Command wharf is a terminal UI for container images: the local engine's
// image cache on one side, registries on the other. This package only parses
// flags and wires the library packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// app is what the commands share: where they read the environment and write.
type app struct {
	env    func(string) string
	stdout io.Writer
	stderr io.Writer
	// in is what --from-file - reads (os.Stdin when nil).
	in io.Reader
	// offline: read commands answer from the cache alone.
	offline bool
}

func (a *app) stdin() io.Reader {
	if a.in != nil {
		return a.in
	}
	return os.Stdin
}

func newRootCmd(a *app) *cobra.Command {
	var demo bool
	root := &cobra.Command{
		Use:   "wharf",
		Short: "A terminal UI for container images: the local engine and every registry you use",
		Long: `wharf shows the local Docker engine's images and your registries side by side,
and moves images between them: tag, retag, push, pull, delete a tag, clean up
dangling images. Run it with no arguments to open the app, or --demo to explore
an embedded registry with sample images.`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runUI(cmd.Context(), demo)
		},
	}
	root.Flags().BoolVar(&demo, "demo", false, "open on an embedded demo registry with sample repositories and tags")
	root.PersistentFlags().BoolVar(&a.offline, "offline", false, "read commands answer from what wharf cached, asking no registry")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return a.refuseOffline(cmd) }
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.AddCommand(newDoctorCmd(a), newImagesCmd(a), newHistoryCmd(a), newTagCmd(a), newUntagCmd(a),
		newPruneCmd(a), newPushCmd(a), newPullCmd(a),
		newCatalogCmd(a), newTagsCmd(a), newSameCmd(a), newInspectCmd(a), newDiffCmd(a), newFilesCmd(a), newWasteCmd(a), newPackagesCmd(a), newVulnsCmd(a),
		newRetagCmd(a), newCopyCmd(a), newRmtagCmd(a), newRmdigestCmd(a), newRmrepoCmd(a), newRegistryCmd(a), newJournalCmd(a), newUndoCmd(a), newRetainCmd(a), newLifecycleCmd(a), newStatusCmd(a), newPlatformsCmd(a))
	return root
}

func main() {
	a := &app{env: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(a).ExecuteContext(ctx)
	stop()
	if err != nil {
		// A command that chose its exit status has already said why.
		var exit exitError
		if errors.As(err, &exit) {
			os.Exit(int(exit))
		}
		fmt.Fprintln(os.Stderr, "wharf:", err)
		os.Exit(1)
	}
}

// exitError is an exit status a command chose after printing its own report.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
