// Package kernel provides the godl Jupyter kernel: it answers the requests of the
// Jupyter messaging protocol 5.3 and runs cells through an Evaluator.
//
// The kernel does the protocol and an Evaluator runs the language, as ipykernel's Kernel
// calls do_execute and xeus calls its interpreter. The yaegi session in kernel/session is
// the Evaluator godl uses; tests use a fake. Messages reach the kernel through
// jupyter.Handler and leave through a jupyter.Sender, so a whole notebook session can be
// driven without sockets.
//
// # Requests
//
// Every shell and control request gets the same bracket, written once in dispatch:
// status busy on IOPub, the handler, the reply, status idle, all with the request as
// parent header; a panicking handler is recovered, logged and answered with an error
// reply. Shell requests run one at a time in arrival order on one goroutine; control
// requests (interrupt, shutdown, kernel_info) run on another, so they are answered
// while a cell runs.
//
//   - kernel_info (shell and control): language go, text/x-go, .go.
//   - execute: execute_input, stream, display_data, update_display_data, clear_output,
//     execute_result or error, execution counting, silent, store_history, allow_stdin,
//     and stop_on_error, which aborts the requests already queued behind a failing cell.
//   - complete, inspect, is_complete: answered by the Evaluator.
//   - history: tail, range and search (glob pattern, unique, n) over this session.
//   - comm_info, comm_open, comm_msg, comm_close: no comm targets exist, so a comm_open is
//     answered with a comm_close.
//   - interrupt (control, and SIGINT): stops the running cell through its context and
//     the interrupt package.
//   - shutdown (control or shell): replies and ends Run. With restart, the kernel manager
//     starts a new process, which is a fresh session.
//
// # Output
//
// While a cell runs, the kernel is its session.Output and the display sink: stream text
// is coalesced and published about every 50 ms, at most StreamWindowBytes per window per
// cell (the rest is dropped and the drop is reported in the stream), so that a chatty
// loop can neither flood the frontend nor grow the kernel's memory.
package kernel
