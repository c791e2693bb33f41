package kernel

import (
	"context"
	"fmt"
	"log"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/google/uuid"

	"godl.dev/godl/display"
	"godl.dev/godl/interrupt"
	"godl.dev/godl/jupyter"
	"godl.dev/godl/kernel/session"
)

// Evaluator runs the cells of one notebook session. The kernel calls its methods from one
// goroutine at a time.
type Evaluator interface {
	// Execute runs one cell. out receives streams, displays and input requests while it
	// runs. The result is the value of a final expression (nil when there is none); err
	// is a *session.CellError for compile errors, panics and interruption. ctx is
	// cancelled on interrupt.
	Execute(ctx context.Context, code string, out session.Output) (*display.Bundle, error)
	// Complete returns candidate completions for the code at cursor (a rune offset, as
	// protocol 5.3 counts in Unicode code points), and the rune range [start,end) they
	// replace.
	Complete(code string, cursor int) (matches []string, start, end int)
	// Inspect returns documentation for the symbol at cursor; found is false when none.
	Inspect(code string, cursor, detailLevel int) (doc display.Bundle, found bool)
	// IsComplete answers is_complete_request: status "complete", "incomplete" (with
	// indent), or "invalid".
	IsComplete(code string) (status, indent string)
}

// Options configure a Kernel.
type Options struct {
	// Evaluator runs cells. Required.
	Evaluator Evaluator
	// Logger receives protocol problems and recovered panics. Nil means log.Default().
	// It must not write to file descriptors 1 and 2 once a session captures them.
	Logger *log.Logger
	// Version is the implementation version reported by kernel_info, such as "v0.1.0".
	// Empty means "devel".
	Version string
	// Interrupt is called on every interrupt before the running cell's context is
	// cancelled. Nil means interrupt.Request, which stops compiled work such as dl's Fit.
	Interrupt func()
	// BeginCell is called before each cell runs. Nil means interrupt.Begin.
	BeginCell func()
}

// Kernel answers Jupyter requests for one session. Create it with New, feed it with
// ServeJupyter (it is a jupyter.Handler) and run its shell loop with Run.
type Kernel struct {
	send    jupyter.Sender
	ev      Evaluator
	log     *log.Logger
	opts    Options
	session string // this kernel's session id, the "session" of every header it sends

	shellQ chan *jupyter.Message
	done   chan struct{}
	once   sync.Once

	// Shell-goroutine state: no lock needed.
	execCount int
	history   []historyEntry

	mu       sync.Mutex
	cancel   context.CancelFunc // of the running cell, nil when idle
	input    chan string        // waiting for input_reply, nil when none
	restart  bool
	shutdown bool
}

// shellQueueLen is how many shell requests may wait while a cell runs before the shell
// socket stops being read.
const shellQueueLen = 1024

// New returns a kernel that answers through send.
func New(send jupyter.Sender, opts Options) *Kernel {
	if opts.Evaluator == nil {
		panic("kernel: New without an Evaluator")
	}
	if opts.Logger == nil {
		opts.Logger = log.Default()
	}
	if opts.Version == "" {
		opts.Version = "devel"
	}
	if opts.Interrupt == nil {
		opts.Interrupt = interrupt.Request
	}
	if opts.BeginCell == nil {
		opts.BeginCell = interrupt.Begin
	}
	return &Kernel{
		send:    send,
		ev:      opts.Evaluator,
		log:     opts.Logger,
		opts:    opts,
		session: uuid.NewString(),
		shellQ:  make(chan *jupyter.Message, shellQueueLen),
		done:    make(chan struct{}),
	}
}

// ServeJupyter implements jupyter.Handler. Shell requests are queued for Run; control
// requests are answered at once, on the caller's goroutine; stdin carries input replies.
func (k *Kernel) ServeJupyter(ch jupyter.Channel, msg *jupyter.Message) {
	switch ch {
	case jupyter.Shell:
		select {
		case k.shellQ <- msg:
		case <-k.done:
		}
	case jupyter.Control:
		k.dispatch(ch, msg)
	case jupyter.Stdin:
		k.receiveInput(msg)
	default:
		k.log.Printf("kernel: %s on the %s channel ignored", msg.Type(), ch)
	}
}

// Run serves queued shell requests, one at a time, until a shutdown request arrives or
// ctx is cancelled. It reports whether the shutdown asked for a restart.
func (k *Kernel) Run(ctx context.Context) (restart bool) {
	k.publishStatus(jupyter.StateStarting, nil)
	for {
		select {
		case <-ctx.Done():
			k.stop(false)
			return false
		case <-k.done:
			return k.restarting()
		case msg := <-k.shellQ:
			k.dispatch(jupyter.Shell, msg)
		}
	}
}

// Done is closed when the kernel has answered a shutdown request.
func (k *Kernel) Done() <-chan struct{} { return k.done }

// Session returns the kernel's session id, sent in the header of every message.
func (k *Kernel) Session() string { return k.session }

func (k *Kernel) restarting() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.restart
}

func (k *Kernel) stop(restart bool) {
	k.once.Do(func() {
		k.mu.Lock()
		k.restart, k.shutdown = restart, true
		k.mu.Unlock()
		close(k.done)
	})
}

// request is one message being answered.
type request struct {
	k       *Kernel
	ch      jupyter.Channel
	msg     *jupyter.Message
	replied bool
}

// reply sends the reply to r on r's channel. Its type is the request's with _request
// replaced by _reply.
func (r *request) reply(content any) {
	r.replied = true
	r.k.sendOn(r.ch, replyType(r.msg.Type()), r.msg, content)
}

// publish sends a message on IOPub with r as parent.
func (r *request) publish(msgType string, content any) {
	r.k.sendOn(jupyter.IOPub, msgType, r.msg, content)
}

func replyType(requestType string) string {
	return strings.TrimSuffix(requestType, "_request") + "_reply"
}

func (k *Kernel) sendOn(ch jupyter.Channel, msgType string, parent *jupyter.Message, content any) {
	m, err := jupyter.NewMessage(msgType, k.session, parent, content)
	if err != nil {
		k.log.Printf("kernel: %v", err)
		return
	}
	if err := k.send.Send(ch, m); err != nil {
		k.log.Printf("kernel: %v", err)
	}
}

func (k *Kernel) publishStatus(state string, parent *jupyter.Message) {
	k.sendOn(jupyter.IOPub, jupyter.Status, parent, jupyter.StatusContent{ExecutionState: state})
}

// dispatch answers one request inside the bracket every request gets: busy, handler,
// reply, idle. A panic in the handler is logged with its stack and, when the handler had
// not replied yet, answered with an error reply.
func (k *Kernel) dispatch(ch jupyter.Channel, msg *jupyter.Message) {
	handle, ok := routes[ch][msg.Type()]
	k.publishStatus(jupyter.StateBusy, msg)
	defer k.publishStatus(jupyter.StateIdle, msg)
	if !ok {
		k.log.Printf("kernel: unknown message type %q on %s, not answered", msg.Type(), ch)
		return
	}
	r := &request{k: k, ch: ch, msg: msg}
	defer func() {
		if p := recover(); p != nil {
			k.log.Printf("kernel: panic answering %s: %v\n%s", msg.Type(), p, debug.Stack())
			if !r.replied && strings.HasSuffix(msg.Type(), "_request") {
				r.reply(errorReply(k.execCount, "KernelError",
					fmt.Sprintf("the kernel failed to answer %s: %v", msg.Type(), p)))
			}
		}
	}()
	handle(r)
}
