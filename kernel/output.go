package kernel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"godl.dev/godl/display"
	"godl.dev/godl/jupyter"
	"godl.dev/godl/kernel/session"
)

// Stream coalescing and rate limiting.
const (
	// StreamInterval is how long stream text is collected before it is published.
	StreamInterval = 50 * time.Millisecond
	// StreamWindowBytes is the most stream text published per interval; text beyond it
	// is dropped and the drop reported, so a chatty loop sends at most about 1.3 MB/s
	// and the kernel holds at most this much unsent text.
	StreamWindowBytes = 64 << 10
	// UpdateInterval is the least time between two update_display_data messages for one
	// display: a cell that updates faster has its intermediate states skipped, the latest
	// one always published (within UpdateInterval, or at once when anything else is).
	UpdateInterval = 50 * time.Millisecond
)

// ErrStdinNotAllowed is returned by a cell's input request when the frontend sent the
// execute request with allow_stdin false (nbclient and `jupyter nbconvert` do).
var ErrStdinNotAllowed = errors.New("kernel: this frontend does not accept input (allow_stdin is false); " +
	"give the value in the cell instead of reading it from standard input")

// cellOutput is the session.Output and display.Sink of one execute request: everything
// it receives is published with the request as parent header. It stays valid after the
// cell ends, for goroutines the cell left running.
type cellOutput struct {
	k          *Kernel
	parent     *jupyter.Message
	allowStdin bool
	ctx        context.Context // cancelled when the cell is interrupted or ends

	mu        sync.Mutex
	chunks    []jupyter.StreamContent // pending text, in order, adjacent names merged
	pending   int                     // bytes in chunks
	dropped   map[string]int          // bytes dropped in this window, per stream
	scheduled bool                    // a flush is scheduled

	lastUpdate map[string]time.Time               // when each display was last updated
	updates    map[string]*jupyter.DisplayContent // held updates, latest per display
	updOrder   []string                           // the displays with held updates, in order
}

var (
	_ session.Output = (*cellOutput)(nil)
	_ display.Sink   = (*cellOutput)(nil)
)

func newCellOutput(k *Kernel, parent *jupyter.Message, allowStdin bool) *cellOutput {
	return &cellOutput{k: k, parent: parent, allowStdin: allowStdin, ctx: context.Background()}
}

// Stream queues text written to stdout or stderr; it is published within StreamInterval.
func (o *cellOutput) Stream(name, text string) {
	if text == "" {
		return
	}
	if name != "stderr" {
		name = "stdout"
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if room := StreamWindowBytes - o.pending; len(text) > room {
		cut := max(room, 0)
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		if o.dropped == nil {
			o.dropped = map[string]int{}
		}
		o.dropped[name] += len(text) - cut
		text = text[:cut]
	}
	if text != "" {
		if n := len(o.chunks); n > 0 && o.chunks[n-1].Name == name {
			o.chunks[n-1].Text += text
		} else {
			o.chunks = append(o.chunks, jupyter.StreamContent{Name: name, Text: text})
		}
		o.pending += len(text)
	}
	if !o.scheduled {
		o.scheduled = true
		time.AfterFunc(StreamInterval, o.flush)
	}
}

// flush publishes the pending stream text, and a note for any text dropped.
func (o *cellOutput) flush() {
	o.mu.Lock()
	chunks, dropped := o.chunks, o.dropped
	o.chunks, o.dropped, o.pending, o.scheduled = nil, nil, 0, false
	// Publish under the lock, so that concurrent flushes cannot reorder text.
	defer o.mu.Unlock()
	o.sendHeldUpdates()
	for _, c := range chunks {
		o.k.sendOn(jupyter.IOPub, jupyter.Stream, o.parent, c)
	}
	for _, name := range []string{"stdout", "stderr"} {
		if n := dropped[name]; n > 0 {
			o.k.sendOn(jupyter.IOPub, jupyter.Stream, o.parent, jupyter.StreamContent{Name: "stderr",
				Text: fmt.Sprintf("\n[godl: %d bytes of %s dropped: the cell writes faster than %d KiB per %v]\n",
					n, name, StreamWindowBytes>>10, StreamInterval)})
		}
	}
}

// Display publishes b as display_data, after any pending stream text.
func (o *cellOutput) Display(b display.Bundle) {
	o.flush()
	o.k.sendOn(jupyter.IOPub, jupyter.DisplayData, o.parent, jupyter.DisplayContent{
		Data: nonNilMap(b.Data), Metadata: nonNilMap(b.Metadata), Transient: transient(b.ID)})
}

// Update publishes b as update_display_data; b.ID names the display it replaces. Updates
// of one display closer than UpdateInterval are held, the latest replacing the one held,
// and published at the end of the interval or before any other output.
func (o *cellOutput) Update(b display.Bundle) {
	if b.ID == "" {
		o.k.log.Printf("kernel: display update without an ID ignored")
		return
	}
	c := &jupyter.DisplayContent{Data: nonNilMap(b.Data), Metadata: nonNilMap(b.Metadata), Transient: transient(b.ID)}
	o.mu.Lock()
	if wait := UpdateInterval - time.Since(o.lastUpdate[b.ID]); wait > 0 {
		if o.updates == nil {
			o.updates = map[string]*jupyter.DisplayContent{}
		}
		if o.updates[b.ID] == nil {
			o.updOrder = append(o.updOrder, b.ID)
		}
		o.updates[b.ID] = c
		if !o.scheduled {
			o.scheduled = true
			time.AfterFunc(wait, o.flush)
		}
		o.mu.Unlock()
		return
	}
	o.mu.Unlock()
	o.flush()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sendUpdate(b.ID, c)
}

// sendHeldUpdates publishes the held updates, in the order their displays were first held.
// The caller holds o.mu.
func (o *cellOutput) sendHeldUpdates() {
	for _, id := range o.updOrder {
		o.sendUpdate(id, o.updates[id])
	}
	o.updOrder = o.updOrder[:0]
	clear(o.updates)
}

// sendUpdate publishes one update_display_data. The caller holds o.mu.
func (o *cellOutput) sendUpdate(id string, c *jupyter.DisplayContent) {
	if o.lastUpdate == nil {
		o.lastUpdate = map[string]time.Time{}
	}
	o.lastUpdate[id] = time.Now()
	o.k.sendOn(jupyter.IOPub, jupyter.UpdateDisplayData, o.parent, *c)
}

// ClearOutput publishes clear_output.
func (o *cellOutput) ClearOutput(wait bool) {
	o.flush()
	o.k.sendOn(jupyter.IOPub, jupyter.ClearOutput, o.parent, jupyter.ClearOutputContent{Wait: wait})
}

// Input sends input_request on the stdin channel to the frontend that sent the execute
// request, and waits for its input_reply or for the cell to be interrupted. When the
// frontend does not accept input, Input says so on the cell's stderr, since a cell may
// ignore the error (fmt.Scanln's, for one), and returns ErrStdinNotAllowed.
func (o *cellOutput) Input(prompt string, password bool) (string, error) {
	if !o.allowStdin {
		o.Stream("stderr", ErrStdinNotAllowed.Error()+"\n")
		return "", ErrStdinNotAllowed
	}
	o.flush()
	reply := make(chan string, 1)
	k := o.k
	k.mu.Lock()
	if k.input != nil {
		k.mu.Unlock()
		return "", errors.New("kernel: another input request is already waiting for the user")
	}
	k.input = reply
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.input = nil
		k.mu.Unlock()
	}()
	k.sendOn(jupyter.Stdin, jupyter.InputRequest, o.parent,
		jupyter.InputRequestContent{Prompt: prompt, Password: password})
	select {
	case v := <-reply:
		return v, nil
	case <-o.ctx.Done():
		return "", errors.New("kernel: input request interrupted")
	case <-k.done:
		return "", errors.New("kernel: shutting down")
	}
}

// receiveInput delivers an input_reply to the waiting input request.
func (k *Kernel) receiveInput(msg *jupyter.Message) {
	if msg.Type() != jupyter.InputReply {
		k.log.Printf("kernel: %s on stdin ignored", msg.Type())
		return
	}
	var c jupyter.InputReplyContent
	if err := msg.DecodeContent(&c); err != nil {
		k.log.Printf("kernel: %v", err)
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.input == nil {
		k.log.Printf("kernel: input_reply with no input request waiting, ignored")
		return
	}
	select {
	case k.input <- c.Value:
	default:
	}
}
