package kernel

import "godl.dev/godl/jupyter"

// handler answers one request. It must reply (r.reply) when the message type has a
// reply; dispatch publishes busy before and idle after it.
type handler func(r *request)

// routes maps each channel and message type to its handler. Messages of other types are
// logged and left unanswered, as ipykernel does.
var routes map[jupyter.Channel]map[string]handler

func init() {
	routes = map[jupyter.Channel]map[string]handler{
		jupyter.Shell: {
			jupyter.KernelInfoRequest: handleKernelInfo,
			jupyter.ExecuteRequest:    handleExecute,
			jupyter.CompleteRequest:   handleComplete,
			jupyter.InspectRequest:    handleInspect,
			jupyter.IsCompleteRequest: handleIsComplete,
			jupyter.HistoryRequest:    handleHistory,
			jupyter.CommInfoRequest:   handleCommInfo,
			jupyter.CommOpen:          handleCommOpen,
			jupyter.CommMsg:           handleCommMsg,
			jupyter.CommClose:         handleCommClose,
			// Older frontends send shutdown on shell.
			jupyter.ShutdownRequest: handleShutdown,
		},
		jupyter.Control: {
			jupyter.KernelInfoRequest: handleKernelInfo,
			jupyter.ShutdownRequest:   handleShutdown,
			jupyter.InterruptRequest:  handleInterrupt,
		},
	}
}
