package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ParseAge reads 30d, 2w or a Go duration (12h, 90m).
func ParseAge(s string) (time.Duration, error) {
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if len(s) > 1 {
		if u, ok := unit[s[len(s)-1]]; ok {
			if n, err := strconv.Atoi(s[:len(s)-1]); err == nil && n > 0 {
				return time.Duration(n) * u, nil
			}
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("older-than %q: use days (30d), weeks (2w) or hours (12h)", s)
	}
	return d, nil
}

// ParseRetentionPolicy reads a policy written as `wharf retain` takes it,
// without the dashes: "keep 10 older-than 30d match ^sha- protect ^stable$
// include-prerelease by created" (the app's prompt).
func ParseRetentionPolicy(s string) (RetentionPolicy, error) {
	var pol RetentionPolicy
	words := strings.Fields(s)
	for i := 0; i < len(words); i++ {
		w := strings.TrimLeft(words[i], "-")
		if w == "include-prerelease" {
			pol.IncludePrerelease = true
			continue
		}
		if i+1 >= len(words) {
			return pol, fmt.Errorf("%s needs a value", w)
		}
		v := words[i+1]
		i++
		var err error
		switch w {
		case "keep":
			if pol.KeepNewest, err = strconv.Atoi(v); err != nil || pol.KeepNewest < 1 {
				return pol, fmt.Errorf("keep %q: a number of tags, 1 or more", v)
			}
		case "older-than":
			if pol.OlderThan, err = ParseAge(v); err != nil {
				return pol, err
			}
		case "by":
			if pol.By = TagOrder(v); pol.By != BySemver && pol.By != ByCreated {
				return pol, fmt.Errorf("by %q: semver or created", v)
			}
		case "match", "exclude", "protect":
			re, err := regexp.Compile(v)
			if err != nil {
				return pol, fmt.Errorf("%s %q: %w", w, v, err)
			}
			switch w {
			case "match":
				pol.Match = re
			case "exclude":
				pol.Exclude = re
			default:
				pol.Protect = append(pol.Protect, re)
			}
		default:
			return pol, fmt.Errorf("%q: a policy takes keep N, older-than D, match RE, exclude RE, protect RE, include-prerelease, by semver|created", w)
		}
	}
	if pol.KeepNewest <= 0 && pol.OlderThan <= 0 {
		return pol, fmt.Errorf("a policy needs keep N or older-than D (or both); without either it would delete every tag")
	}
	return pol, nil
}
