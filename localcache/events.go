package localcache

import (
	"context"
	"time"

	"github.com/moby/moby/client"

	"github.com/wharf-dev/wharf/internal/domain"
)

// EventKind says what an Event is about.
type EventKind string

// Event kinds: an image changed, or the engine went away or came back.
const (
	EventImage        EventKind = "image"
	EventDisconnected EventKind = "disconnected"
	EventReconnected  EventKind = "reconnected"
)

// Event is a change in the engine's image cache, or in the connection.
type Event struct {
	Kind EventKind
	// Action is the engine's verb for image events: tag, untag, delete,
	// pull, push, load, import, prune.
	Action string
	// ID is the image ID (or, for pull and push, the reference).
	ID string
	// Name is the reference the event names, when there is one.
	Name string
	Time time.Time
	// Err is why the engine was lost (EventDisconnected).
	Err error
}

// Watch subscribes to the engine's image events, so callers can refresh
// without polling. When the engine goes away it sends EventDisconnected,
// retries with backoff, and after it answers again sends EventReconnected and
// resubscribes. The channel closes when ctx ends.
func (c *Cache) Watch(ctx context.Context) <-chan Event {
	out := make(chan Event, 64)
	go func() {
		defer close(out)
		send := func(e Event) bool {
			select {
			case out <- e:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for ctx.Err() == nil {
			err := c.subscribe(ctx, send)
			if ctx.Err() != nil {
				return
			}
			if !send(Event{Kind: EventDisconnected, Time: time.Now(), Err: &EngineError{Host: c.ep.Host, Err: err}}) {
				return
			}
			if !c.waitForEngine(ctx) || !send(Event{Kind: EventReconnected, Time: time.Now()}) {
				return
			}
		}
	}()
	return out
}

// waitForEngine pings with backoff until the engine answers; false when ctx
// ended first.
func (c *Cache) waitForEngine(ctx context.Context) bool {
	backoff := 250 * time.Millisecond
	for {
		if _, err := c.Ping(ctx); err == nil {
			return true
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return false
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// subscribe forwards image events until the stream fails.
func (c *Cache) subscribe(ctx context.Context, send func(Event) bool) error {
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	res := c.cli.Events(subCtx, client.EventsListOptions{Filters: client.Filters{}.Add("type", "image")})
	for {
		select {
		case m := <-res.Messages:
			e := Event{Kind: EventImage, Action: string(m.Action), ID: m.Actor.ID, Name: m.Actor.Attributes["name"], Time: time.Unix(0, m.TimeNano)}
			if !send(e) {
				return ctx.Err()
			}
		case err := <-res.Err:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// ImageChanges is Watch reduced to what a view needs: that images changed,
// or that the engine went away or came back.
func (c *Cache) ImageChanges(ctx context.Context) <-chan domain.EngineEvent {
	out := make(chan domain.EngineEvent, 16)
	go func() {
		defer close(out)
		for e := range c.Watch(ctx) {
			select {
			case out <- domain.EngineEvent{Kind: string(e.Kind), Err: e.Err}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
