package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/localcache"
	"github.com/wharf-dev/wharf/registryclient"
)

// doctorReport is what `wharf doctor` finds, also its --json shape.
type doctorReport struct {
	Engine struct {
		Host       string `json:"host"`
		Source     string `json:"source"`
		OK         bool   `json:"ok"`
		Name       string `json:"name,omitempty"`
		Version    string `json:"version,omitempty"`
		APIVersion string `json:"apiVersion,omitempty"`
		Platform   string `json:"platform,omitempty"`
		Error      string `json:"error,omitempty"`
	} `json:"engine"`
	WharfConfig       string `json:"wharfConfig"`
	WharfConfigExists bool   `json:"wharfConfigExists"`
	DockerConfig      string `json:"dockerConfig"`
	DockerConfigFound bool   `json:"dockerConfigExists"`
	// PodmanAuth are podman's auth.json files wharf read (those present).
	PodmanAuth []string         `json:"podmanAuth,omitempty"`
	Registries []registryReport `json:"registries"`
}

type registryReport struct {
	Host           string `json:"host"`
	Source         string `json:"source"`
	HasCredentials bool   `json:"hasCredentials"`
	// CredentialsFrom is the file (and helper) the credentials come from.
	CredentialsFrom string `json:"credentialsFrom,omitempty"`
	Reachable       bool   `json:"reachable"`
	Scheme          string `json:"scheme,omitempty"`
	Auth            string `json:"auth,omitempty"`
	LoginOK         bool   `json:"loginOK"`
	Error           string `json:"error,omitempty"`
	// Capabilities is what the probe found (nil when unreachable).
	Capabilities *registryclient.Capabilities `json:"capabilities,omitempty"`
}

func newDoctorCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor [REGISTRY...]",
		Short: "Check which engine and registries wharf would use, and whether they answer",
		Long: `doctor reports the Docker engine wharf would talk to (DOCKER_HOST, DOCKER_CONTEXT
or the docker CLI's current context) and whether it answers; which config files
it read; and for every registry it knows (Docker Hub and those in the docker
config.json) whether credentials exist — never what they are — and whether
/v2/ answers and accepts them. Name registries to check only those.

It also probes what each registry can do, with requests that change nothing:
TLS state, whether the catalog lists repositories and caps its page size,
whether manifests can be deleted by tag or by digest, and whether the OCI
referrers API answers. The answer is cached for a day: wharf's deletes and
the TUI use it; doctor always probes afresh.
It exits 1 when the engine does not answer.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := a.doctor(cmd.Context(), args)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else if err := printDoctor(a.stdout, rep); err != nil {
				return err
			}
			if !rep.Engine.OK {
				return exitError(1)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func (a *app) doctor(ctx context.Context, only []string) (*doctorReport, error) {
	rep := &doctorReport{}
	ep, err := localcache.ResolveEndpoint(a.env)
	if err != nil {
		rep.Engine.Error = err.Error()
	} else {
		rep.Engine.Host, rep.Engine.Source = ep.Host, ep.Source
		rep.Engine.Error = a.checkEngine(ctx, ep, rep)
	}

	s, err := a.session()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rep.WharfConfig, rep.WharfConfigExists = config.Path(a.env), s.Config.Path != ""
	rep.DockerConfig, rep.DockerConfigFound = s.Docker.Path, s.Docker.Exists
	for _, p := range s.Docker.Podman {
		rep.PodmanAuth = append(rep.PodmanAuth, p.Path)
	}
	known := s.Known
	if len(only) > 0 {
		known = known[:0:0]
		for _, h := range only {
			known = append(known, s.Lookup(h))
		}
	}
	rep.Registries = make([]registryReport, len(known))
	var wg sync.WaitGroup
	for i, kr := range known {
		wg.Go(func() {
			rep.Registries[i] = checkRegistry(ctx, s.Client, kr)
			rep.Registries[i].CredentialsFrom = s.Docker.CredentialsFrom(kr.Host)
		})
	}
	wg.Wait()
	return rep, nil
}

func (a *app) checkEngine(ctx context.Context, ep localcache.Endpoint, rep *doctorReport) string {
	cache, err := localcache.Open(ep)
	if err != nil {
		return err.Error()
	}
	defer cache.Close()
	info, err := cache.Ping(ctx)
	if err != nil {
		return err.Error()
	}
	rep.Engine.OK = true
	rep.Engine.Name, rep.Engine.Version, rep.Engine.APIVersion = info.Name, info.Version, info.APIVersion
	rep.Engine.Platform = info.OS + "/" + info.Arch
	return ""
}

func checkRegistry(ctx context.Context, c *registryclient.Client, kr config.Registry) registryReport {
	r := registryReport{Host: kr.Host, Source: kr.Source}
	res, err := c.Ping(ctx, kr.Host)
	r.HasCredentials = res.HasCredentials
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Reachable, r.Scheme, r.Auth = true, res.Scheme, res.Auth
	r.LoginOK = res.LoginErr == nil
	if res.LoginErr != nil {
		r.Error = res.LoginErr.Error()
	}
	if caps, err := c.ProbePinged(ctx, kr.Host, res); err == nil {
		r.Capabilities = &caps
	}
	return r
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

func printDoctor(out io.Writer, rep *doctorReport) error {
	// Build the report in memory; one write to out can fail, and is checked.
	w := &strings.Builder{}
	fmt.Fprintln(w, "Engine")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  host\t%s\t(%s)\n", rep.Engine.Host, rep.Engine.Source)
	if rep.Engine.OK {
		fmt.Fprintf(tw, "  status\tok\t%s %s, API %s, %s\n", rep.Engine.Name, rep.Engine.Version, rep.Engine.APIVersion, rep.Engine.Platform)
	} else {
		fmt.Fprintf(tw, "  status\tNOT REACHABLE\t%s\n", rep.Engine.Error)
	}
	_ = tw.Flush()

	fmt.Fprintln(w, "\nConfig")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  wharf\t%s\t%s\n", rep.WharfConfig, yesNo(rep.WharfConfigExists, "(read)", "(not present: defaults in use)"))
	fmt.Fprintf(tw, "  docker\t%s\t%s\n", rep.DockerConfig, yesNo(rep.DockerConfigFound, "(read)", "(not present: no credentials)"))
	for _, p := range rep.PodmanAuth {
		fmt.Fprintf(tw, "  podman\t%s\t(read; config.json wins for a registry in both)\n", p)
	}
	_ = tw.Flush()

	fmt.Fprintln(w, "\nRegistries")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  REGISTRY\tFROM\tCREDENTIALS\t/v2/\tLOGIN")
	for _, r := range rep.Registries {
		v2 := "not reachable"
		login := "-"
		if r.Reachable {
			v2 = "ok (" + r.Scheme + ", auth " + r.Auth + ")"
			login = yesNo(r.LoginOK, "ok", "refused")
			if r.Auth == registryclient.AuthNone {
				login = "not needed"
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", r.Host, r.Source, yesNo(r.HasCredentials, "yes", "none"), v2, login)
	}
	_ = tw.Flush()
	for _, r := range rep.Registries {
		if r.CredentialsFrom != "" {
			fmt.Fprintf(w, "  %s: credentials from %s\n", r.Host, r.CredentialsFrom)
		}
	}
	for _, r := range rep.Registries {
		if r.Error != "" {
			fmt.Fprintf(w, "  ! %s\n", r.Error)
		}
	}
	printCapabilities(w, rep.Registries)
	_, err := io.WriteString(out, w.String())
	return err
}

// printCapabilities is the probe's table, then what each registry's user
// should know.
func printCapabilities(w io.Writer, regs []registryReport) {
	fmt.Fprintln(w, "\nCapabilities")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  REGISTRY\tTLS\tCATALOG\tPAGE LIMIT\tDELETE BY TAG\tDELETE BY DIGEST\tREFERRERS")
	for _, r := range regs {
		c := r.Capabilities
		if c == nil {
			fmt.Fprintf(tw, "  %s\tnot probed (unreachable)\t\t\t\t\t\n", r.Host)
			continue
		}
		limit := "none found"
		if c.PageSizeLimit > 0 {
			limit = fmt.Sprintf("%d (wharf asks for %d)", c.PageSizeLimit, c.PageSizeLimit)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Host, c.TLS, c.Catalog, limit, c.TagDelete, c.ManifestDelete, c.Referrers)
	}
	_ = tw.Flush()
	for _, r := range regs {
		if r.Capabilities == nil {
			continue
		}
		for _, n := range r.Capabilities.Notes {
			fmt.Fprintf(w, "  %s: %s\n", r.Host, n)
		}
	}
	for _, r := range regs {
		if r.Capabilities == nil || len(r.Capabilities.Paths) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s): how each action goes\n", r.Host, r.Capabilities.Kind)
		for _, p := range r.Capabilities.Paths {
			fmt.Fprintf(w, "  %-18s %s\n", p.Action, p.Path)
		}
	}
}
