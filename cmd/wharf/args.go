package main

import (
	"regexp"

	"github.com/spf13/cobra"

	"github.com/wharf-dev/wharf/internal/ref"
)

// references checks the arguments by position before the command runs, so
// a reference docker refuses is refused in docker's words before any
// engine or registry is asked (a nil check leaves its argument alone).
func references(n int, checks ...func(string) error) cobra.PositionalArgs {
	return cobra.MatchAll(cobra.ExactArgs(n), func(_ *cobra.Command, args []string) error {
		for i, check := range checks {
			if check != nil && i < len(args) {
				if err := check(args[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

var imageID = regexp.MustCompile(`^(sha256:)?[0-9a-f]{64}$`)

// imageOrID is a local image as docker rmi takes it: a reference or an
// image ID.
func imageOrID(s string) error {
	if imageID.MatchString(s) {
		return nil
	}
	return ref.CheckImage(s)
}
