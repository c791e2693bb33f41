package jupyter

// Message types of protocol 5.3 that a kernel receives or sends.
const (
	KernelInfoRequest = "kernel_info_request"
	KernelInfoReply   = "kernel_info_reply"
	ExecuteRequest    = "execute_request"
	ExecuteReply      = "execute_reply"
	CompleteRequest   = "complete_request"
	CompleteReply     = "complete_reply"
	InspectRequest    = "inspect_request"
	InspectReply      = "inspect_reply"
	IsCompleteRequest = "is_complete_request"
	IsCompleteReply   = "is_complete_reply"
	HistoryRequest    = "history_request"
	HistoryReply      = "history_reply"
	CommInfoRequest   = "comm_info_request"
	CommInfoReply     = "comm_info_reply"
	CommOpen          = "comm_open"
	CommMsg           = "comm_msg"
	CommClose         = "comm_close"
	ShutdownRequest   = "shutdown_request"
	ShutdownReply     = "shutdown_reply"
	InterruptRequest  = "interrupt_request"
	InterruptReply    = "interrupt_reply"
	InputRequest      = "input_request"
	InputReply        = "input_reply"
	Status            = "status"
	Stream            = "stream"
	ExecuteInput      = "execute_input"
	ExecuteResult     = "execute_result"
	DisplayData       = "display_data"
	UpdateDisplayData = "update_display_data"
	ClearOutput       = "clear_output"
	Error             = "error"
	ConnectRequest    = "connect_request"
	ConnectReply      = "connect_reply"
)

// Execution states carried by status messages on IOPub.
const (
	StateBusy     = "busy"
	StateIdle     = "idle"
	StateStarting = "starting"
)

// Reply statuses.
const (
	StatusOK      = "ok"
	StatusError   = "error"
	StatusAborted = "aborted"
)

// KernelInfo is the content of kernel_info_reply.
type KernelInfo struct {
	Status                string       `json:"status"`
	ProtocolVersion       string       `json:"protocol_version"`
	Implementation        string       `json:"implementation"`
	ImplementationVersion string       `json:"implementation_version"`
	LanguageInfo          LanguageInfo `json:"language_info"`
	Banner                string       `json:"banner"`
	Debugger              bool         `json:"debugger"`
	HelpLinks             []HelpLink   `json:"help_links"`
}

// LanguageInfo describes the language of a kernel.
type LanguageInfo struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	Mimetype          string `json:"mimetype"`
	FileExtension     string `json:"file_extension"`
	PygmentsLexer     string `json:"pygments_lexer"`
	CodemirrorMode    string `json:"codemirror_mode"`
	NbconvertExporter string `json:"nbconvert_exporter,omitempty"`
}

// HelpLink is an entry of a frontend's help menu.
type HelpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// ExecuteRequestContent is the content of execute_request.
type ExecuteRequestContent struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    bool              `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`
	StopOnError     bool              `json:"stop_on_error"`
}

// ExecuteReplyContent is the content of execute_reply. On error, ErrorContent is set
// as well; the same shape serves as the error reply of any request.
type ExecuteReplyContent struct {
	Status          string         `json:"status"`
	ExecutionCount  int            `json:"execution_count"`
	Payload         []any          `json:"payload,omitempty"`
	UserExpressions map[string]any `json:"user_expressions,omitempty"`
	*ErrorContent
}

// ErrorContent is the content of an error message on IOPub, and the error fields of a
// reply whose status is "error". Traceback must not be nil.
type ErrorContent struct {
	Ename     string   `json:"ename"`
	Evalue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

// CodeCursor is the content of complete_request, and with DetailLevel of inspect_request.
// CursorPos counts Unicode code points from the start of Code.
type CodeCursor struct {
	Code        string `json:"code"`
	CursorPos   int    `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
}

// CompleteReplyContent is the content of complete_reply.
type CompleteReplyContent struct {
	Status      string         `json:"status"`
	Matches     []string       `json:"matches"`
	CursorStart int            `json:"cursor_start"`
	CursorEnd   int            `json:"cursor_end"`
	Metadata    map[string]any `json:"metadata"`
}

// InspectReplyContent is the content of inspect_reply.
type InspectReplyContent struct {
	Status   string         `json:"status"`
	Found    bool           `json:"found"`
	Data     map[string]any `json:"data"`
	Metadata map[string]any `json:"metadata"`
}

// IsCompleteReplyContent is the content of is_complete_reply.
type IsCompleteReplyContent struct {
	Status string `json:"status"`
	Indent string `json:"indent,omitempty"`
}

// HistoryRequestContent is the content of history_request.
type HistoryRequestContent struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           int    `json:"stop"`
	N              int    `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

// HistoryReplyContent is the content of history_reply. Each entry is
// [session, line, input] or, when output was requested, [session, line, [input, output]].
type HistoryReplyContent struct {
	Status  string  `json:"status"`
	History [][]any `json:"history"`
}

// StreamContent is the content of a stream message.
type StreamContent struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// DisplayContent is the content of display_data and update_display_data messages, and
// with ExecutionCount of execute_result.
type DisplayContent struct {
	ExecutionCount *int           `json:"execution_count,omitempty"`
	Data           map[string]any `json:"data"`
	Metadata       map[string]any `json:"metadata"`
	Transient      map[string]any `json:"transient,omitempty"`
}

// StatusContent is the content of a status message.
type StatusContent struct {
	ExecutionState string `json:"execution_state"`
}

// ExecuteInputContent is the content of execute_input.
type ExecuteInputContent struct {
	Code           string `json:"code"`
	ExecutionCount int    `json:"execution_count"`
}

// ClearOutputContent is the content of clear_output.
type ClearOutputContent struct {
	Wait bool `json:"wait"`
}

// InputRequestContent is the content of input_request on the stdin channel.
type InputRequestContent struct {
	Prompt   string `json:"prompt"`
	Password bool   `json:"password"`
}

// InputReplyContent is the content of input_reply.
type InputReplyContent struct {
	Value string `json:"value"`
}

// ShutdownContent is the content of shutdown_request and shutdown_reply.
type ShutdownContent struct {
	Status  string `json:"status,omitempty"`
	Restart bool   `json:"restart"`
}

// CommContent is the content of comm_open, comm_msg and comm_close.
type CommContent struct {
	CommID     string         `json:"comm_id"`
	TargetName string         `json:"target_name,omitempty"`
	Data       map[string]any `json:"data"`
}

// CommInfoRequestContent is the content of comm_info_request.
type CommInfoRequestContent struct {
	TargetName string `json:"target_name"`
}

// CommInfoReplyContent is the content of comm_info_reply.
type CommInfoReplyContent struct {
	Status string                       `json:"status"`
	Comms  map[string]map[string]string `json:"comms"`
}
