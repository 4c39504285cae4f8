package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/localcache"
)

func newStatusCmd(a *app) *cobra.Command {
	var asJSON, localOnly bool
	cmd := &cobra.Command{
		Use:   "status [REPOSITORY...]",
		Short: "Compare local tags with the same tags in their registries",
		Long: `status compares every local tag whose registry wharf knows (Docker Hub, the
registries in wharf's config and in the docker config) with the same tag in
the registry, with one HEAD request per tag:

  up to date   the registry's tag holds the local image
  stale        the registry's tag holds another image; "moved" when it moved
               since the local image was pulled or pushed (pull the newer),
               else the local image was built here and not pushed (push it)
  local only   the registry has no such tag (push it)
  remote only  a tag of the repository that is not local (pull it)
  unknown      the registry could not be asked, and why

Name repositories (or prefixes, e.g. registry.local:5000/team) to compare
only those.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withEngine(func(s *ops.Session, eng *localcache.Cache) error {
				res, err := ops.Status(cmd.Context(), eng, s.Client, args, !localOnly)
				if err != nil {
					return err
				}
				return a.emit(asJSON, res, func(w io.Writer) error { return printStatus(w, res, time.Now()) })
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&localOnly, "local", false, "only the local tags (do not list the registries' other tags)")
	return cmd
}

func printStatus(w io.Writer, res []domain.SyncStatus, now time.Time) error {
	if len(res) == 0 {
		_, err := fmt.Fprintln(w, "no local tags in a registry wharf knows (tag images as host/repository:tag, or add the registry to wharf's config)")
		return err
	}
	fmt.Fprintln(w, "STATE\tTAG\tLOCAL\tREMOTE\tTO DO")
	for _, s := range res {
		state := string(s.State)
		if s.Moved {
			state += " (moved)"
		}
		todo := s.Action()
		if s.Err != "" {
			todo = s.Err
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", state, s.Reference,
			side(s.LocalDigest, s.LocalCreated, s.State != domain.SyncRemoteOnly, "(not pushed)", now),
			side(s.RemoteDigest, s.RemoteCreated, s.State != domain.SyncLocalOnly && s.State != domain.SyncUnknown, "(tag exists)", now), todo)
	}
	return nil
}

// side is one side's digest and age ("-" where there is none, noDigest
// where the tag is there but its digest is not known).
func side(digest string, created time.Time, exists bool, noDigest string, now time.Time) string {
	if !exists {
		return "-"
	}
	s := domain.ShortDigest(digest)
	if digest == "" {
		s = noDigest
	}
	if !created.IsZero() {
		s += ", " + domain.HumanAge(now.Sub(created)) + " old"
	}
	return s
}
