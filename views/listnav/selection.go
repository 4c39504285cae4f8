package listnav

// Selection is the rows selected for an action, by a key of their own (a
// tag, an image ID), so it follows them through reloads, sorting and
// filtering. The zero value is empty and ready.
type Selection struct{ keys map[string]bool }

// Has reports whether key is selected.
func (s *Selection) Has(key string) bool { return s.keys[key] }

// Len is how many are selected.
func (s *Selection) Len() int { return len(s.keys) }

// Clear selects nothing; it reports whether something was selected.
func (s *Selection) Clear() bool {
	had := len(s.keys) > 0
	s.keys = nil
	return had
}

// Toggle selects key, or unselects it, and moves the cursor on to the next
// row, as file managers do.
func (s *Selection) Toggle(key string, cur *Cursor) {
	if s.keys[key] {
		delete(s.keys, key)
	} else {
		s.set(key)
	}
	if cur.Pos < cur.Len-1 {
		cur.Pos++
		cur.Clamp()
	}
}

// ToggleAll selects every key, or — when all of them are selected already —
// unselects them.
func (s *Selection) ToggleAll(keys []string) {
	all := true
	for _, k := range keys {
		all = all && s.keys[k]
	}
	for _, k := range keys {
		if all {
			delete(s.keys, k)
		} else {
			s.set(k)
		}
	}
}

// Drop unselects key.
func (s *Selection) Drop(key string) { delete(s.keys, key) }

// Keep unselects the keys that are no longer there.
func (s *Selection) Keep(there func(key string) bool) {
	for k := range s.keys {
		if !there(k) {
			delete(s.keys, k)
		}
	}
}

func (s *Selection) set(key string) {
	if s.keys == nil {
		s.keys = map[string]bool{}
	}
	s.keys[key] = true
}
