package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/ref"
)

// newRegistryCmd adds, edits and removes registries in wharf's config
// file, keeping the user's comments and order.
func newRegistryCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry add|edit|rm HOST",
		Short: "Add, edit or remove a registry in wharf's config (comments and order kept), then probe it",
	}
	var r config.Registry
	flags := func(c *cobra.Command) {
		c.Flags().StringVar(&r.Name, "name", "", "what wharf shows (default: the host)")
		c.Flags().BoolVar(&r.Insecure, "insecure", false, "plain HTTP / skip TLS verification")
		c.Flags().StringVar(&r.CAFile, "ca-file", "", "PEM bundle to trust for its TLS certificate")
		c.Flags().StringSliceVar(&r.Repositories, "repo", nil, "repositories to list (registries without a catalog), repeatable")
		c.Flags().StringSliceVar(&r.Namespaces, "namespace", nil, "users, organisations or projects to list (Docker Hub, GHCR, Quay, Artifact Registry), repeatable")
		c.Flags().StringVar(&r.Provider, "provider", "", "the registry's kind when its host does not say it: "+strings.Join(config.Providers, ", "))
		c.Flags().StringVar(&r.API, "api", "", "the base URL of its kind's own API when not the usual one (GitHub Enterprise)")
	}
	probe := func(c *cobra.Command, host string) error {
		fmt.Fprintf(a.stdout, "%s: %s\n", config.Path(a.env), "saved")
		rep, err := a.doctor(c.Context(), []string{host})
		if err != nil {
			return err
		}
		return printDoctor(a.stdout, rep)
	}
	add := &cobra.Command{
		Use:   "add HOST",
		Short: "Add a registry and probe it",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := ref.CheckHost(args[0]); err != nil {
				return err
			}
			r.Host = args[0]
			if err := config.SaveRegistry(config.Path(a.env), "", r); err != nil {
				return err
			}
			return probe(c, r.Host)
		},
	}
	flags(add)
	edit := &cobra.Command{
		Use:   "edit HOST [--host NEW]",
		Short: "Change a registry's settings (only the flags given), then probe it",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			cfg, err := config.Load(config.Path(a.env))
			if err != nil {
				return err
			}
			var cur *config.Registry
			for i := range cfg.Registries {
				if config.NormalizeHost(cfg.Registries[i].Host) == config.NormalizeHost(args[0]) {
					cur = &cfg.Registries[i]
				}
			}
			if cur == nil {
				return fmt.Errorf("%s names no registry %s (wharf registry add adds one)", config.Path(a.env), args[0])
			}
			next := *cur
			if next.Name == next.Host {
				next.Name = ""
			}
			if c.Flags().Changed("host") {
				if err := ref.CheckHost(r.Host); err != nil {
					return err
				}
				next.Host = r.Host
			}
			for flag, apply := range map[string]func(){
				"name": func() { next.Name = r.Name }, "insecure": func() { next.Insecure = r.Insecure }, "ca-file": func() { next.CAFile = r.CAFile },
				"repo": func() { next.Repositories = r.Repositories }, "namespace": func() { next.Namespaces = r.Namespaces },
				"provider": func() { next.Provider = r.Provider }, "api": func() { next.API = r.API },
			} {
				if c.Flags().Changed(flag) {
					apply()
				}
			}
			if err := config.SaveRegistry(config.Path(a.env), cur.Host, next); err != nil {
				return err
			}
			return probe(c, next.Host)
		},
	}
	flags(edit)
	edit.Flags().StringVar(&r.Host, "host", "", "a new host for it")
	rm := &cobra.Command{
		Use:   "rm HOST",
		Short: "Remove a registry from wharf's config (docker's config.json is not touched)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := config.RemoveRegistry(config.Path(a.env), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s: removed %s\n", config.Path(a.env), args[0])
			return nil
		},
	}
	cmd.AddCommand(add, edit, rm)
	cmd.RunE = func(*cobra.Command, []string) error { return errors.New("say add, edit or rm") }
	return cmd
}
