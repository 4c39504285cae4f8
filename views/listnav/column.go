package listnav

import (
	"fmt"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/wharf-dev/wharf/internal/domain"
)

// Column is a table column beside a list's names: its head, its width in
// cells, and the side it reads from (numbers and ages from the right).
type Column struct {
	Head  string
	Width int
	Right bool
}

// Align pads s to the column's width, on the side it reads from.
func (c Column) Align(s string) string {
	if c.Right {
		return fmt.Sprintf("%*s", c.Width+len(s)-lipgloss.Width(s), s)
	}
	return Pad(s, c.Width)
}

// Age is how long before now t was ("3d"), "-" when the image does not say
// (zero, or the epoch reproducible builds set).
func Age(now, t time.Time) string {
	if t.IsZero() || t.Year() < 2000 {
		return "-"
	}
	return domain.HumanAge(now.Sub(t))
}
