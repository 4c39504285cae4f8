package views

import tea "charm.land/bubbletea/v2"

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
