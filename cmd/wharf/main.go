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

	"github.com/wharf-dev/wharf/internal/deadline"
	"github.com/wharf-dev/wharf/internal/domain"
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
	// op is the command's context with its deadline; stopDeadline stops
	// the deadline (withDeadline).
	op           context.Context
	stopDeadline func()
	// redact takes the credentials the session's client knows of out of
	// what is printed (set when a session opens).
	redact func(string) string
}

// redacted is msg with every credential taken out: those the session
// knows of, and whatever looks like one.
func (a *app) redacted(msg string) string {
	if a.redact != nil {
		return a.redact(msg)
	}
	return domain.Redact(msg)
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
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := a.refuseOffline(cmd); err != nil {
			return err
		}
		if cmd != root && !localOnly[cmd.CommandPath()] {
			// The app gives each of its jobs a deadline of its own; what
			// asks no registry (the engine's own cache, wharf's files)
			// has none to wait for.
			a.withDeadline(cmd)
		}
		return nil
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.AddCommand(newDoctorCmd(a), newImagesCmd(a), newHistoryCmd(a), newTagCmd(a), newUntagCmd(a),
		newPruneCmd(a), newPushCmd(a), newPullCmd(a),
		newCatalogCmd(a), newTagsCmd(a), newSameCmd(a), newInspectCmd(a), newDiffCmd(a), newFilesCmd(a), newWasteCmd(a), newPackagesCmd(a), newVulnsCmd(a),
		newRetagCmd(a), newCopyCmd(a), newRmtagCmd(a), newRmdigestCmd(a), newRmrepoCmd(a), newRegistryCmd(a), newJournalCmd(a), newUndoCmd(a), newRetainCmd(a), newLifecycleCmd(a), newStatusCmd(a), newPlatformsCmd(a))
	explainDeadlines(root)
	return root
}

// localOnly are the commands that ask no registry: the engine's cache
// (one engine call may take long — a prune of thousands of images — and
// reports no progress) and wharf's own files.
var localOnly = map[string]bool{
	"wharf images": true, "wharf history": true, "wharf tag": true, "wharf untag": true, "wharf prune": true,
	"wharf journal": true, "wharf registry add": true, "wharf registry edit": true, "wharf registry rm": true,
}

// withDeadline gives cmd's operation its deadline (internal/deadline): it
// ends once it has made no progress for stall_timeout + 30s, whatever the
// registry does. The default budget until the session, which reads the
// config, sets the configured one.
func (a *app) withDeadline(cmd *cobra.Command) {
	ctx, cancel := deadline.WithBudget(cmd.Context(), deadline.Budget(0))
	cmd.SetContext(ctx)
	a.op, a.stopDeadline = ctx, cancel
}

// explainDeadlines makes every command that ran out of its deadline say
// so, instead of the "context canceled" its calls return.
func explainDeadlines(c *cobra.Command) {
	for _, sub := range c.Commands() {
		explainDeadlines(sub)
	}
	run := c.RunE
	if run == nil {
		return
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return deadline.Explain(cmd.Context(), run(cmd, args))
	}
}

func main() {
	a := &app{env: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(a).ExecuteContext(ctx)
	if a.stopDeadline != nil {
		a.stopDeadline()
	}
	stop()
	if err != nil {
		// A command that chose its exit status has already said why.
		var exit exitError
		if errors.As(err, &exit) {
			os.Exit(int(exit))
		}
		fmt.Fprintln(os.Stderr, "wharf:", a.redacted(err.Error()))
		os.Exit(1)
	}
}

// exitError is an exit status a command chose after printing its own report.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
