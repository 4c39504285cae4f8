package local_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/teatestutil"
	"github.com/wharf-dev/wharf/views/local"
	"github.com/wharf-dev/wharf/views/theme"
)

// stormEngine gains one image per event it sends, and counts listings.
type stormEngine struct {
	engine
	events chan domain.EngineEvent
	mu     sync.Mutex
	images int
	lists  atomic.Int32
}

func (e *stormEngine) Images(context.Context) (domain.LocalListing, error) {
	e.lists.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	var l domain.LocalListing
	for i := range e.images {
		l.Images = append(l.Images, domain.LocalImage{ID: fmt.Sprintf("sha256:%064x", i+1), RepoTags: []string{fmt.Sprintf("storm/app:%d", i)}})
	}
	return l, nil
}

func (e *stormEngine) ImageChanges(context.Context) <-chan domain.EngineEvent { return e.events }

// storm tags n images over d, an event each.
func (e *stormEngine) storm(n int, d time.Duration) {
	for range n {
		e.mu.Lock()
		e.images++
		e.mu.Unlock()
		e.events <- domain.EngineEvent{Kind: "tag"}
		time.Sleep(d / time.Duration(n))
	}
}

// 100 tag events in one second list the images at most twice — once at
// the first event, once after the last — and the pane ends on the engine's
// last state. A lone event later still lists at once.
func TestEngineEventStormsAreCoalesced(t *testing.T) {
	e := &stormEngine{events: make(chan domain.EngineEvent)}
	m := local.New(e, nil, nil, theme.New(theme.Default(), true))
	m.SetSize(80, 20)
	// One run, as the program is one: the phases follow each other.
	phase, stormLists := 0, int32(0)
	var quietSince time.Time
	var done atomic.Bool
	teatestutil.Run(t, m.Update, m.Init(), 20*time.Second, func() bool {
		switch phase {
		case 0: // listed at start
			if e.lists.Load() == 1 && strings.Contains(m.Title(), "0 images") {
				e.lists.Store(0)
				phase++
				go func() {
					e.storm(100, time.Second)
					done.Store(true)
				}()
			}
		case 1: // the storm, then a second of quiet
			if !done.Load() {
				return false
			}
			if quietSince.IsZero() {
				quietSince = time.Now()
			}
			if time.Since(quietSince) > time.Second {
				stormLists = e.lists.Load()
				if !strings.Contains(m.Title(), "100 images") {
					t.Errorf("the last event was not honoured: %s", m.Title())
				}
				e.lists.Store(0)
				phase++
				go e.storm(1, 0)
			}
		case 2: // a lone event
			return strings.Contains(m.Title(), "101 images")
		}
		return false
	})
	if stormLists > 2 || stormLists < 1 {
		t.Errorf("100 events in a second listed the images %d times, want at most 2", stormLists)
	}
	if n := e.lists.Load(); n != 1 {
		t.Errorf("a lone event listed %d times", n)
	}
}
