// Package jupyter provides the Jupyter messaging protocol, version 5.3, over ZeroMQ: the
// connection file, the five kernel sockets, the wire framing of messages, HMAC-SHA256
// signing and verification, the message types a kernel sends and receives, and the
// heartbeat.
//
// It knows nothing about the language a kernel runs. A kernel opens a Server from a
// connection file and serves it with a Handler:
//
//	info, err := jupyter.ReadConnectionFile(path)
//	if err != nil { ... }
//	srv, err := jupyter.Listen(info, logger)
//	if err != nil { ... }
//	defer srv.Close()
//	err = srv.Serve(ctx, handler) // handler.ServeJupyter(ch, msg) per verified message
//
// # Wire format
//
// A message on the shell, control and stdin sockets is a list of frames:
//
//	identities... "<IDS|MSG>" signature header parent_header metadata content buffers...
//
// The signature is the hex HMAC-SHA256, keyed by the connection file's key, of the four
// JSON frames header, parent_header, metadata and content, in that order. Encode and Decode
// convert between frames and Message; Decode checks the signature in constant time and
// returns ErrBadSignature, or a *DecodeError naming the frame that is wrong, so a server
// can log and drop the message and carry on.
//
// # Transport
//
// Server binds only to the address given by the connection file (transport "tcp" or
// "ipc"). Replies on ROUTER sockets are sent with a timeout, because a ROUTER send blocks
// while no peer is connected. The heartbeat socket echoes every frame it receives.
package jupyter
