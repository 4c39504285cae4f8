package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/details"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/repos"
	"github.com/wharf-dev/wharf/views/tags"
)

// keyMaps are the key maps a binding in the config file can name, by view:
// "lists" are the movement keys every list shares.
func keyMaps(g *KeyMap, l *local.KeyMap, r *repos.KeyMap, t *tags.KeyMap, d *details.KeyMap) map[string][]any {
	return map[string][]any{
		"global": {g}, "local": {l}, "repositories": {r}, "tags": {t}, "details": {d},
		"lists": {&l.Nav, &r.Nav, &t.Nav},
	}
}

// KeyError is a binding the app cannot take, and why.
type KeyError struct {
	Binding domain.KeyBinding
	Msg     string
}

func (e *KeyError) Error() string { return e.Binding.Field() + ": " + e.Msg }

// CheckKeys checks the user's bindings against the default key maps: each
// names a view and an action that exist, and no key another action of the
// view keeps. A mistake is a *KeyError.
func CheckKeys(bs []domain.KeyBinding) error {
	g, l, r, t, d := DefaultKeyMap(), local.DefaultKeyMap(), repos.DefaultKeyMap(), tags.DefaultKeyMap(), details.DefaultKeyMap()
	return applyKeys(keyMaps(&g, &l, &r, &t, &d), bs)
}

// applyKeys rebinds, all of them first (two actions may swap keys), then
// checks no rebound key is another action's too.
func applyKeys(maps map[string][]any, bs []domain.KeyBinding) error {
	fail := func(b domain.KeyBinding, format string, args ...any) error {
		return &KeyError{Binding: b, Msg: fmt.Sprintf(format, args...)}
	}
	for _, b := range bs {
		kms, ok := maps[b.View]
		if !ok {
			names := make([]string, 0, len(maps))
			for v := range maps {
				names = append(names, v)
			}
			slices.Sort(names)
			return fail(b, "no view %q: the views are %s", b.View, strings.Join(names, ", "))
		}
		for _, km := range kms {
			if !views.Rebind(km, b.Action, b.Keys) {
				return fail(b, "no action %q in %s: its actions are %s", b.Action, b.View, strings.Join(views.Actions(km), ", "))
			}
		}
	}
	for _, b := range bs {
		for _, km := range maps[b.View] {
			for _, k := range b.Keys {
				if other := views.Holder(km, k, b.Action); other != "" {
					return fail(b, "%q is already %s's key in %s: bind %s to another key too", k, other, b.View, other)
				}
			}
		}
	}
	return nil
}
