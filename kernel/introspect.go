package kernel

import (
	"unicode/utf8"

	"godl.dev/godl/jupyter"
)

// handleComplete answers complete_request with the evaluator's candidates. Cursor
// positions are counted in Unicode code points, both ways.
func handleComplete(r *request) {
	var c jupyter.CodeCursor
	c.CursorPos = -1
	if err := r.msg.DecodeContent(&c); err != nil {
		r.reply(errorReply(0, "BadRequest", err.Error()))
		return
	}
	cursor := clampCursor(c.Code, c.CursorPos)
	matches, start, end := r.k.ev.Complete(c.Code, cursor)
	if matches == nil {
		matches = []string{}
		start, end = cursor, cursor
	}
	r.reply(jupyter.CompleteReplyContent{Status: jupyter.StatusOK, Matches: matches,
		CursorStart: start, CursorEnd: end, Metadata: map[string]any{}})
}

// handleInspect answers inspect_request with the evaluator's documentation.
func handleInspect(r *request) {
	var c jupyter.CodeCursor
	c.CursorPos = -1
	if err := r.msg.DecodeContent(&c); err != nil {
		r.reply(errorReply(0, "BadRequest", err.Error()))
		return
	}
	doc, found := r.k.ev.Inspect(c.Code, clampCursor(c.Code, c.CursorPos), c.DetailLevel)
	data := map[string]any{}
	if found {
		data = nonNilMap(doc.Data)
	}
	r.reply(jupyter.InspectReplyContent{Status: jupyter.StatusOK, Found: found && len(data) > 0,
		Data: data, Metadata: nonNilMap(doc.Metadata)})
}

// handleIsComplete answers is_complete_request.
func handleIsComplete(r *request) {
	var c jupyter.CodeCursor
	if err := r.msg.DecodeContent(&c); err != nil {
		r.reply(errorReply(0, "BadRequest", err.Error()))
		return
	}
	status, indent := r.k.ev.IsComplete(c.Code)
	switch status {
	case "complete", "invalid", "unknown":
		indent = ""
	case "incomplete":
	default:
		r.k.log.Printf("kernel: evaluator answered is_complete with %q; sending unknown", status)
		status, indent = "unknown", ""
	}
	r.reply(jupyter.IsCompleteReplyContent{Status: status, Indent: indent})
}

// clampCursor returns pos limited to [0, number of code points in code]; a missing or
// negative cursor means the end of the code.
func clampCursor(code string, pos int) int {
	n := utf8.RuneCountInString(code)
	if pos < 0 || pos > n {
		return n
	}
	return pos
}
