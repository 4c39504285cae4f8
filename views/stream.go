package views

import (
	"context"

	tea "charm.land/bubbletea/v2"
)

// Next waits for a stream's next message (bubbletea's realtime pattern). An
// item of type T — more follow — gets the stream attached by attach, so its
// handler can wait for the one after; anything else (the stream's end
// message) is returned as is, and a closed stream gives nil.
func Next[T tea.Msg](stream <-chan tea.Msg, attach func(T, <-chan tea.Msg) T) tea.Msg {
	msg, ok := <-stream
	if !ok {
		return nil
	}
	if item, ok := msg.(T); ok {
		return attach(item, stream)
	}
	return msg
}

// WaitNext is Next as a command: what a stream item's handler returns to
// get the item after it.
func WaitNext[T tea.Msg](stream <-chan tea.Msg, attach func(T, <-chan tea.Msg) T) tea.Cmd {
	return func() tea.Msg { return Next(stream, attach) }
}

// Stream runs produce in a goroutine, its messages going down a channel
// with room for buffer of them, and returns the first (see Next). send
// reports false once ctx is done: produce should stop then.
func Stream[T tea.Msg](ctx context.Context, buffer int, attach func(T, <-chan tea.Msg) T, produce func(send func(tea.Msg) bool)) tea.Msg {
	stream := make(chan tea.Msg, buffer)
	go func() {
		defer close(stream)
		produce(func(msg tea.Msg) bool {
			select {
			case stream <- msg:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	return Next(stream, attach)
}
