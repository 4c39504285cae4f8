package config

import "sort"

// Where wharf learnt of a registry.
const (
	SourceConfig      = "config"
	SourceAuths       = "auths"
	SourceCredHelpers = "credHelpers"
	SourceAlways      = "always"
	SourceArgument    = "argument"
)

// Known merges wharf's config (first, its settings win), the registries the
// docker config names, and Docker Hub, which is always there.
func Known(cfg *Config, dc *Docker) []Registry {
	var out []Registry
	seen := map[string]bool{}
	if cfg != nil {
		for _, rc := range cfg.Registries {
			host := NormalizeHost(rc.Host)
			if seen[host] {
				continue
			}
			seen[host] = true
			rc.Host = host
			rc.Source = SourceConfig
			out = append(out, rc)
		}
	}
	if dc != nil {
		for _, r := range dc.Registries() {
			if !seen[r.Host] {
				seen[r.Host] = true
				out = append(out, r)
			}
		}
	} else if !seen[DockerHub] {
		out = append(out, Registry{Name: DockerHub, Host: DockerHub, Source: SourceAlways})
	}
	sortRegistries(out)
	return out
}

// sortRegistries puts configured registries first (in file order), then
// Docker Hub, then the others by host.
func sortRegistries(rs []Registry) {
	rank := func(r Registry) int {
		switch {
		case r.Source == SourceConfig:
			return 0
		case r.Host == DockerHub:
			return 1
		}
		return 2
	}
	sort.SliceStable(rs, func(i, j int) bool {
		ri, rj := rank(rs[i]), rank(rs[j])
		if ri != rj || ri == 0 {
			return ri < rj
		}
		return rs[i].Host < rs[j].Host
	})
}
