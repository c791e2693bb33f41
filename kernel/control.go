package kernel

import (
	"runtime"
	"strings"

	"godl.dev/godl/jupyter"
)

// handleKernelInfo answers kernel_info_request on shell and control.
func handleKernelInfo(r *request) {
	r.reply(kernelInfo(r.k.opts.Version))
}

func kernelInfo(version string) jupyter.KernelInfo {
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return jupyter.KernelInfo{
		Status:                jupyter.StatusOK,
		ProtocolVersion:       jupyter.ProtocolVersion,
		Implementation:        "godl",
		ImplementationVersion: version,
		LanguageInfo: jupyter.LanguageInfo{
			Name:           "go",
			Version:        goVersion,
			Mimetype:       "text/x-go",
			FileExtension:  ".go",
			PygmentsLexer:  "go",
			CodemirrorMode: "go",
		},
		Banner: "godl " + version + ": Go " + goVersion + " cells through the yaegi interpreter,\n" +
			"with the dl deep-learning package, plots and display preloaded.",
		Debugger: false,
		HelpLinks: []jupyter.HelpLink{
			{Text: "Go language specification", URL: "https://go.dev/ref/spec"},
			{Text: "Go standard library", URL: "https://pkg.go.dev/std"},
			{Text: "Effective Go", URL: "https://go.dev/doc/effective_go"},
		},
	}
}

// handleShutdown answers shutdown_request, also on IOPub as protocol 5.4 frontends
// expect, and ends Run. A restart is done by the kernel manager, which starts a new
// process: a fresh session.
func handleShutdown(r *request) {
	var c jupyter.ShutdownContent
	if err := r.msg.DecodeContent(&c); err != nil {
		r.k.log.Printf("kernel: %v", err)
	}
	reply := jupyter.ShutdownContent{Status: jupyter.StatusOK, Restart: c.Restart}
	r.reply(reply)
	r.publish(jupyter.ShutdownReply, reply)
	r.k.Interrupt()
	r.k.stop(c.Restart)
}

// handleInterrupt answers interrupt_request: the running cell, if any, is interrupted.
func handleInterrupt(r *request) {
	r.k.Interrupt()
	r.reply(map[string]any{"status": jupyter.StatusOK})
}

// Interrupt stops the running cell: it calls Options.Interrupt, then cancels the cell's
// context. It does nothing harmful when no cell runs, and is safe from any goroutine.
func (k *Kernel) Interrupt() {
	k.opts.Interrupt()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cancel != nil {
		k.cancel()
	}
}

// handleCommInfo answers comm_info_request: godl has no comm targets yet, so no comm is
// ever open.
func handleCommInfo(r *request) {
	r.reply(jupyter.CommInfoReplyContent{Status: jupyter.StatusOK, Comms: map[string]map[string]string{}})
}

// handleCommOpen closes every comm a frontend opens, since no target exists, so that
// the frontend does not wait on it.
func handleCommOpen(r *request) {
	var c jupyter.CommContent
	if err := r.msg.DecodeContent(&c); err != nil || c.CommID == "" {
		r.k.log.Printf("kernel: comm_open without a comm_id ignored")
		return
	}
	r.k.log.Printf("kernel: no comm target %q; closing comm %s", c.TargetName, c.CommID)
	r.publish(jupyter.CommClose, jupyter.CommContent{CommID: c.CommID, Data: map[string]any{}})
}

// handleCommMsg drops messages to comms, which are never open.
func handleCommMsg(r *request) {
	r.k.log.Printf("kernel: comm_msg to a comm that is not open ignored")
}

// handleCommClose accepts the close of a comm, which was never open.
func handleCommClose(r *request) {}
