package jupyter

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"
)

// Channel names one of the five kernel sockets.
type Channel int

// The kernel channels.
const (
	Shell Channel = iota
	Control
	Stdin
	IOPub
	Heartbeat
	numChannels
)

var channelNames = [...]string{"shell", "control", "stdin", "iopub", "hb"}

func (c Channel) String() string {
	if c < 0 || c >= numChannels {
		return fmt.Sprintf("Channel(%d)", int(c))
	}
	return channelNames[c]
}

// Handler serves the verified messages a kernel receives on the shell, control and stdin
// channels.
//
// ServeJupyter is called from one goroutine per channel: calls for one channel never
// overlap, so a long handler on shell delays the next shell message but not control. The
// handler may keep msg and send any number of messages in reply. A panic in ServeJupyter
// is recovered and logged with its stack; the server goes on with the next message, so a
// handler that must answer even when it fails recovers by itself.
type Handler interface {
	ServeJupyter(ch Channel, msg *Message)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ch Channel, msg *Message)

// ServeJupyter calls f(ch, msg).
func (f HandlerFunc) ServeJupyter(ch Channel, msg *Message) { f(ch, msg) }

// Sender sends messages on a kernel channel. On shell, control and stdin the message's
// Identities route it to a frontend; on IOPub it goes to every subscriber.
type Sender interface {
	Send(ch Channel, msg *Message) error
}

// SendTimeout bounds how long Server.Send waits on a ROUTER socket (shell, control,
// stdin) for a peer: a ROUTER send blocks while no peer is connected.
const SendTimeout = 5 * time.Second

// Server owns the five ZeroMQ sockets of one kernel, bound to the addresses of a
// connection file. It is safe for concurrent use.
type Server struct {
	info   ConnectionInfo
	signer *Signer
	log    *log.Logger

	ctx     context.Context
	cancel  context.CancelFunc
	sockets [numChannels]zmq4.Socket
	sendMu  [numChannels]sync.Mutex
	dropped atomic.Int64
	closing atomic.Bool
}

// Listen binds the five sockets to the addresses of info, and only to those. Messages
// the server drops, and errors it survives, are reported to logger.
func Listen(info *ConnectionInfo, logger *log.Logger) (*Server, error) {
	if err := info.Validate(); err != nil {
		return nil, fmt.Errorf("jupyter: %w", err)
	}
	if logger == nil {
		logger = log.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{info: *info, signer: NewSigner([]byte(info.Key)), log: logger, ctx: ctx, cancel: cancel}
	opts := []zmq4.Option{zmq4.WithLogger(logger), zmq4.WithTimeout(SendTimeout)}
	s.sockets[Shell] = zmq4.NewRouter(ctx, opts...)
	s.sockets[Control] = zmq4.NewRouter(ctx, opts...)
	s.sockets[Stdin] = zmq4.NewRouter(ctx, opts...)
	s.sockets[IOPub] = zmq4.NewPub(ctx, opts...)
	s.sockets[Heartbeat] = zmq4.NewRep(ctx, opts...)
	ports := [numChannels]int{info.ShellPort, info.ControlPort, info.StdinPort, info.IOPubPort, info.HBPort}
	for ch, sck := range s.sockets {
		ep := info.Endpoint(ports[ch])
		if err := sck.Listen(ep); err != nil {
			s.Close()
			return nil, fmt.Errorf("jupyter: binding the %s socket to %s: %w", Channel(ch), ep, err)
		}
	}
	return s, nil
}

// Signer returns the signer of the connection's key.
func (s *Server) Signer() *Signer { return s.signer }

// Dropped returns how many received messages were dropped for a bad signature or
// malformed frames.
func (s *Server) Dropped() int64 { return s.dropped.Load() }

// Send signs and sends msg on ch. On IOPub the message's topic is its type and its
// Identities are ignored. On ROUTER channels Send gives up after SendTimeout without a
// connected peer.
func (s *Server) Send(ch Channel, msg *Message) error {
	if ch < 0 || ch >= Heartbeat {
		return fmt.Errorf("jupyter: cannot send %s on the %s channel", msg.Header.MsgType, ch)
	}
	if ch == IOPub {
		m := *msg
		m.Identities = [][]byte{[]byte("kernel." + msg.Header.MsgType)}
		msg = &m
	}
	frames, err := Encode(msg, s.signer)
	if err != nil {
		return err
	}
	s.sendMu[ch].Lock()
	defer s.sendMu[ch].Unlock()
	if err := s.sockets[ch].Send(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("jupyter: sending %s on %s: %w", msg.Header.MsgType, ch, err)
	}
	return nil
}

// Serve answers heartbeats and calls h for every verified message on shell, control and
// stdin until ctx is cancelled or the server is closed. A message with a bad signature or
// malformed frames is logged and dropped. Serve returns nil after Close or ctx.Err() after
// cancellation.
func (s *Server) Serve(ctx context.Context, h Handler) error {
	var wg sync.WaitGroup
	wg.Add(4)
	go func() { defer wg.Done(); s.heartbeat() }()
	for _, ch := range []Channel{Shell, Control, Stdin} {
		go func() { defer wg.Done(); s.receive(ch, h) }()
	}
	select {
	case <-ctx.Done():
	case <-s.ctx.Done():
	}
	s.Close()
	wg.Wait()
	if s.closing.Load() && ctx.Err() == nil {
		return nil
	}
	return ctx.Err()
}

// Close closes the sockets; Serve then returns. It is safe to call more than once.
func (s *Server) Close() error {
	if s.closing.Swap(true) {
		return nil
	}
	s.cancel()
	var errs []error
	for _, sck := range s.sockets {
		if sck != nil {
			errs = append(errs, sck.Close())
		}
	}
	return errors.Join(errs...)
}

func (s *Server) receive(ch Channel, h Handler) {
	for {
		zm, err := s.sockets[ch].Recv()
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			s.log.Printf("jupyter: receiving on %s: %v", ch, err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		msg, err := Decode(zm.Frames, s.signer)
		if err != nil {
			s.dropped.Add(1)
			s.log.Printf("jupyter: dropped a message on %s: %v", ch, err)
			continue
		}
		s.dispatch(ch, msg, h)
	}
}

func (s *Server) dispatch(ch Channel, msg *Message, h Handler) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Printf("jupyter: handler panic on %s %s: %v\n%s", ch, msg.Header.MsgType, r, debug.Stack())
		}
	}()
	h.ServeJupyter(ch, msg)
}

// heartbeat echoes every message received on the heartbeat socket.
func (s *Server) heartbeat() {
	sck := s.sockets[Heartbeat]
	for {
		m, err := sck.Recv()
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if err := sck.Send(m); err != nil && s.ctx.Err() == nil {
			s.log.Printf("jupyter: heartbeat echo: %v", err)
		}
	}
}
