package jupyter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Delimiter separates the routing identities of a message from its signed parts.
const Delimiter = "<IDS|MSG>"

// Names of the frames after the delimiter, as DecodeError reports them.
var partNames = [...]string{"signature", "header", "parent_header", "metadata", "content"}

// DecodeError describes a malformed message: which frame is wrong and why. Frame counts
// from 0 at the first frame received, identities included; it is -1 when the problem is
// the message as a whole (no delimiter, too few frames).
type DecodeError struct {
	Frame int
	// Part names the frame ("header", "content", ...), empty for the whole message.
	Part string
	Err  error
}

func (e *DecodeError) Error() string {
	if e.Frame < 0 {
		return "jupyter: malformed message: " + e.Err.Error()
	}
	return fmt.Sprintf("jupyter: malformed message: frame %d (%s): %v", e.Frame, e.Part, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Encode returns the wire frames of m signed by s: its identities, the delimiter, the
// signature, the four JSON parts and the buffers.
func Encode(m *Message, s *Signer) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, fmt.Errorf("jupyter: encoding header: %w", err)
	}
	parent := []byte("{}")
	if m.Parent.MsgID != "" {
		if parent, err = json.Marshal(m.Parent); err != nil {
			return nil, fmt.Errorf("jupyter: encoding parent header: %w", err)
		}
	}
	metadata := []byte("{}")
	if len(m.Metadata) > 0 {
		if metadata, err = json.Marshal(m.Metadata); err != nil {
			return nil, fmt.Errorf("jupyter: encoding metadata: %w", err)
		}
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(Delimiter), []byte(s.Sign(header, parent, metadata, content)),
		header, parent, metadata, content)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// Decode parses wire frames into a message after verifying their signature with s. It
// returns ErrBadSignature when the signature does not match, and a *DecodeError when the
// frames are malformed: no delimiter, fewer than five frames after it, a part that is not
// a JSON object, or a header without msg_id or msg_type. Decode never panics on any input.
//
// The message's slices may alias frames.
func Decode(frames [][]byte, s *Signer) (*Message, error) {
	delim := -1
	for i, f := range frames {
		if bytes.Equal(f, []byte(Delimiter)) {
			delim = i
			break
		}
	}
	if delim < 0 {
		return nil, &DecodeError{Frame: -1, Err: errors.New("no " + Delimiter + " delimiter")}
	}
	if len(frames)-delim-1 < len(partNames) {
		return nil, &DecodeError{Frame: -1, Err: fmt.Errorf("%d frames after the delimiter, want at least %d",
			len(frames)-delim-1, len(partNames))}
	}
	sig := frames[delim+1]
	header, parent, metadata, content := frames[delim+2], frames[delim+3], frames[delim+4], frames[delim+5]
	if !s.Verify(sig, header, parent, metadata, content) {
		return nil, ErrBadSignature
	}
	m := &Message{}
	if delim > 0 {
		m.Identities = frames[:delim]
	}
	if err := decodeObject(header, &m.Header); err != nil {
		return nil, &DecodeError{Frame: delim + 2, Part: "header", Err: err}
	}
	if m.Header.MsgType == "" || m.Header.MsgID == "" {
		return nil, &DecodeError{Frame: delim + 2, Part: "header", Err: errors.New("no msg_type or msg_id")}
	}
	if err := decodeObject(parent, &m.Parent); err != nil {
		return nil, &DecodeError{Frame: delim + 3, Part: "parent_header", Err: err}
	}
	if err := decodeObject(metadata, &m.Metadata); err != nil {
		return nil, &DecodeError{Frame: delim + 4, Part: "metadata", Err: err}
	}
	var probe map[string]json.RawMessage
	if err := decodeObject(content, &probe); err != nil {
		return nil, &DecodeError{Frame: delim + 5, Part: "content", Err: err}
	}
	m.Content = json.RawMessage(content)
	if len(frames) > delim+6 {
		m.Buffers = frames[delim+6:]
	}
	return m, nil
}

// decodeObject decodes data, which must be one JSON object, into v.
func decodeObject(data []byte, v any) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("not a JSON object")
	}
	return json.Unmarshal(trimmed, v)
}
