package views

import (
	"reflect"
	"slices"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
)

// Actions are the actions of a key map (a pointer to a view's KeyMap), by
// their names in the config file: each key.Binding field in snake_case
// (Delete → delete, PushAcross → push_across).
func Actions(km any) []string {
	var names []string
	eachBinding(km, func(name string, _ *key.Binding) { names = append(names, name) })
	return names
}

// Rebind gives action the keys; the help shows them. It reports false when
// the key map has no such action.
func Rebind(km any, action string, keys []string) bool {
	found := false
	eachBinding(km, func(name string, b *key.Binding) {
		if name == action {
			b.SetKeys(keys...)
			b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
			found = true
		}
	})
	return found
}

// Holder is the action other than action that k is bound to in km ("" for
// none).
func Holder(km any, k, action string) string {
	holder := ""
	eachBinding(km, func(name string, b *key.Binding) {
		if name != action && holder == "" && slices.Contains(b.Keys(), k) {
			holder = name
		}
	})
	return holder
}

func eachBinding(km any, f func(name string, b *key.Binding)) {
	v := reflect.ValueOf(km).Elem()
	for i := range v.NumField() {
		if b, ok := v.Field(i).Addr().Interface().(*key.Binding); ok {
			f(snake(v.Type().Field(i).Name), b)
		}
	}
}

func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
