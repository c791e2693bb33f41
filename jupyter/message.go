package jupyter

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
)

// ProtocolVersion is the version of the Jupyter messaging protocol this package speaks.
const ProtocolVersion = "5.3"

// Header identifies a message: who sent it, in which session, when, and of which type.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	// Date is an ISO 8601 timestamp.
	Date    string `json:"date"`
	MsgType string `json:"msg_type"`
	Version string `json:"version"`
}

// NewHeader returns a fresh header with a new message id, the current time, and the
// user running the process.
func NewHeader(msgType, session string) Header {
	return Header{
		MsgID:    uuid.NewString(),
		Session:  session,
		Username: username(),
		Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"),
		MsgType:  msgType,
		Version:  ProtocolVersion,
	}
}

func username() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "kernel"
}

// Message is one Jupyter message, decoded from or encoded to wire frames.
type Message struct {
	// Identities are the ZeroMQ routing prefixes of a message received on a ROUTER socket
	// (shell, control, stdin). A reply carries its request's identities back. On IOPub the
	// single identity is the topic.
	Identities [][]byte
	Header     Header
	// Parent is the header of the request this message answers or was caused by; its
	// MsgID is empty when there is none, and it is then sent as {}.
	Parent   Header
	Metadata map[string]any
	// Content is the message body, a JSON object whose shape depends on Header.MsgType.
	Content json.RawMessage
	// Buffers are the optional binary frames after the content.
	Buffers [][]byte
}

// NewMessage returns a message of type msgType in session, caused by parent (nil for
// none), whose content is content encoded as JSON. The message carries parent's
// identities, so that it routes back to the same frontend on a ROUTER socket.
func NewMessage(msgType, session string, parent *Message, content any) (*Message, error) {
	data, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("jupyter: encoding %s content: %w", msgType, err)
	}
	if string(data) == "null" {
		data = []byte("{}")
	}
	m := &Message{Header: NewHeader(msgType, session), Content: data, Metadata: map[string]any{}}
	if parent != nil {
		m.Parent = parent.Header
		m.Identities = parent.Identities
	}
	return m, nil
}

// Type returns the message type, such as "execute_request".
func (m *Message) Type() string { return m.Header.MsgType }

// DecodeContent decodes the message content into v, as encoding/json does.
func (m *Message) DecodeContent(v any) error {
	if err := json.Unmarshal(m.Content, v); err != nil {
		return fmt.Errorf("jupyter: %s content: %w", m.Header.MsgType, err)
	}
	return nil
}
