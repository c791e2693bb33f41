package kernel

import (
	"regexp"
	"strings"

	"godl.dev/godl/display"
	"godl.dev/godl/jupyter"
)

// historySession is the session number of this kernel's history. Each kernel process
// keeps only its own cells, so there is one session; negative and zero session numbers
// in a request mean "the current one", as in IPython.
const historySession = 1

// historyEntry is one cell stored with store_history.
type historyEntry struct {
	line   int    // execution count
	input  string // the cell's code
	output string // text/plain of the cell's result, "" when none
}

// record stores a cell in the history.
func (k *Kernel) record(line int, code string, result *display.Bundle) {
	e := historyEntry{line: line, input: code}
	if result != nil {
		e.output, _ = result.Data["text/plain"].(string)
	}
	k.history = append(k.history, e)
}

// handleHistory answers history_request: tail (the last n cells), range (cells start to
// stop-1 of a session) and search (cells whose code matches a glob pattern, the last n,
// optionally unique).
func handleHistory(r *request) {
	var c jupyter.HistoryRequestContent
	if err := r.msg.DecodeContent(&c); err != nil {
		r.reply(errorReply(0, "BadRequest", err.Error()))
		return
	}
	var entries []historyEntry
	h := r.k.history
	switch c.HistAccessType {
	case "tail":
		entries = lastN(h, c.N)
	case "range":
		if c.Session > 0 && c.Session != historySession {
			break
		}
		for _, e := range h {
			if e.line >= c.Start && (c.Stop <= 0 || e.line < c.Stop) {
				entries = append(entries, e)
			}
		}
	case "search":
		pattern := c.Pattern
		if pattern == "" {
			pattern = "*"
		}
		re := globRegexp(pattern)
		seen := map[string]bool{}
		// Walk backwards so that unique keeps the latest run of each code.
		for i := len(h) - 1; i >= 0; i-- {
			e := h[i]
			if !re.MatchString(e.input) || (c.Unique && seen[e.input]) {
				continue
			}
			seen[e.input] = true
			entries = append(entries, e)
		}
		for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
			entries[i], entries[j] = entries[j], entries[i]
		}
		entries = lastN(entries, c.N)
	default:
		r.reply(errorReply(0, "BadRequest", "unknown hist_access_type "+c.HistAccessType+
			" (want tail, range or search)"))
		return
	}
	out := make([][]any, 0, len(entries))
	for _, e := range entries {
		if c.Output {
			var output any
			if e.output != "" {
				output = e.output
			}
			out = append(out, []any{historySession, e.line, []any{e.input, output}})
		} else {
			out = append(out, []any{historySession, e.line, e.input})
		}
	}
	r.reply(jupyter.HistoryReplyContent{Status: jupyter.StatusOK, History: out})
}

func lastN(h []historyEntry, n int) []historyEntry {
	if n > 0 && n < len(h) {
		return h[len(h)-n:]
	}
	return h
}

// globRegexp turns a glob pattern, as IPython's history search takes it (* any text,
// ? one character, [...] a class), into a regular expression matching the whole text.
func globRegexp(glob string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for i := 0; i < len(glob); i++ {
		switch ch := glob[i]; ch {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			if j := strings.IndexByte(glob[i+1:], ']'); j > 0 {
				class := glob[i+1 : i+1+j]
				if class[0] == '!' || class[0] == '^' {
					class = "^" + class[1:]
				}
				b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
				i += j + 1
				continue
			}
			b.WriteString(regexp.QuoteMeta("["))
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return regexp.MustCompile(`\A` + regexp.QuoteMeta(glob) + `\z`)
	}
	return re
}
