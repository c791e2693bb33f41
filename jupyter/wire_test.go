package jupyter

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testKey = []byte("godl-test-key") // the key the testdata frames were signed with

// readFrames reads a testdata file: a JSON array of strings whose runes are the frame
// bytes (latin-1), as written by jupyter_client's Session.
func readFrames(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var strs []string
	if err := json.Unmarshal(data, &strs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	frames := make([][]byte, len(strs))
	for i, s := range strs {
		for _, r := range s {
			frames[i] = append(frames[i], byte(r))
		}
	}
	return frames
}

func TestDecodeTestdata(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	signer := NewSigner(testKey)
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			m, err := Decode(readFrames(t, path), signer)
			if strings.HasPrefix(name, "good-") {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if m.Header.Version != ProtocolVersion || m.Header.Session != "d4c0ffee-session" {
					t.Errorf("header = %+v", m.Header)
				}
				return
			}
			if err == nil {
				t.Fatalf("Decode accepted a bad message: %+v", m)
			}
		})
	}
}

func TestDecodeFields(t *testing.T) {
	signer := NewSigner(testKey)
	m, err := Decode(readFrames(t, "testdata/good-execute-request.json"), signer)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Identities) != 1 || !bytes.Equal(m.Identities[0], []byte("\x00k\x8bEg")) {
		t.Errorf("identities = %q", m.Identities)
	}
	var c ExecuteRequestContent
	if err := m.DecodeContent(&c); err != nil {
		t.Fatal(err)
	}
	if c.Code != "x := 1\nx + 1" || !c.StoreHistory || !c.AllowStdin || !c.StopOnError {
		t.Errorf("content = %+v", c)
	}
	if m.Parent.MsgID != "" {
		t.Errorf("empty parent decoded as %+v", m.Parent)
	}

	m, err = Decode(readFrames(t, "testdata/good-kernel-info-with-parent.json"), signer)
	if err != nil {
		t.Fatal(err)
	}
	if m.Parent.MsgType != ExecuteRequest || m.Parent.MsgID == "" {
		t.Errorf("parent = %+v", m.Parent)
	}

	m, err = Decode(readFrames(t, "testdata/good-comm-with-buffers.json"), signer)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Buffers) != 1 || !bytes.Equal(m.Buffers[0], []byte("\x00\x01\x02binary")) {
		t.Errorf("buffers = %q", m.Buffers)
	}
}

func TestDecodeBadSignature(t *testing.T) {
	for _, name := range []string{"bad-signature.json", "bad-tampered-content.json"} {
		_, err := Decode(readFrames(t, "testdata/"+name), NewSigner(testKey))
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", name, err)
		}
	}
	// The right frames checked with another key fail too.
	_, err := Decode(readFrames(t, "testdata/good-execute-request.json"), NewSigner([]byte("other")))
	if !errors.Is(err, ErrBadSignature) {
		t.Errorf("wrong key: err = %v, want ErrBadSignature", err)
	}
	// A signature that is not hex.
	frames := readFrames(t, "testdata/good-execute-request.json")
	frames[2] = []byte("not hex at all")
	if _, err := Decode(frames, NewSigner(testKey)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("non-hex signature: err = %v", err)
	}
}

// signed builds frames from the four JSON parts, correctly signed with testKey.
func signed(parts ...string) [][]byte {
	s := NewSigner(testKey)
	b := make([][]byte, len(parts))
	for i, p := range parts {
		b[i] = []byte(p)
	}
	frames := [][]byte{[]byte("id"), []byte(Delimiter), []byte(s.Sign(b...))}
	return append(frames, b...)
}

func TestDecodeMalformed(t *testing.T) {
	const header = `{"msg_id":"1","msg_type":"execute_request","session":"s","username":"u","date":"","version":"5.3"}`
	tests := []struct {
		desc   string
		frames [][]byte
		frame  int
		part   string
	}{
		{"no delimiter", [][]byte{[]byte("a"), []byte("b")}, -1, ""},
		{"nothing after delimiter", [][]byte{[]byte(Delimiter)}, -1, ""},
		{"truncated after header", signed(header, "{}")[:4], -1, ""},
		{"header not JSON", signed("{nope", "{}", "{}", "{}"), 3, "header"},
		{"header is an array", signed("[]", "{}", "{}", "{}"), 3, "header"},
		{"header without msg_type", signed(`{"msg_id":"1"}`, "{}", "{}", "{}"), 3, "header"},
		{"header with a number for msg_type", signed(`{"msg_id":"1","msg_type":3}`, "{}", "{}", "{}"), 3, "header"},
		{"parent is a string", signed(header, `"x"`, "{}", "{}"), 4, "parent_header"},
		{"metadata is null", signed(header, "{}", "null", "{}"), 5, "metadata"},
		{"content is a number", signed(header, "{}", "{}", "42"), 6, "content"},
		{"content truncated", signed(header, "{}", "{}", `{"code": "x`), 6, "content"},
		{"content empty", signed(header, "{}", "{}", ""), 6, "content"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := Decode(tt.frames, NewSigner(testKey))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DecodeError", err)
			}
			if de.Frame != tt.frame || de.Part != tt.part {
				t.Errorf("error at frame %d (%s), want %d (%s): %v", de.Frame, de.Part, tt.frame, tt.part, err)
			}
		})
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	parent, err := NewMessage(ExecuteRequest, "client", nil, ExecuteRequestContent{Code: "1+1"})
	if err != nil {
		t.Fatal(err)
	}
	parent.Identities = [][]byte{[]byte("peer-1"), []byte("peer-2")}
	tests := []struct {
		desc    string
		key     []byte
		parent  *Message
		content any
		buffers [][]byte
	}{
		{"signed reply with identities", testKey, parent, ExecuteReplyContent{Status: StatusOK, ExecutionCount: 3}, nil},
		{"unsigned, no parent", nil, nil, StatusContent{ExecutionState: StateBusy}, nil},
		{"nil content", testKey, parent, nil, nil},
		{"unicode and buffers", testKey, nil, StreamContent{Name: "stdout", Text: "héllo ✓\n"}, [][]byte{{0, 1, 2}, {}}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			m, err := NewMessage("some_type", "kernel-session", tt.parent, tt.content)
			if err != nil {
				t.Fatal(err)
			}
			m.Buffers = tt.buffers
			m.Metadata = map[string]any{"k": "v"}
			s := NewSigner(tt.key)
			frames, err := Encode(m, s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(frames, s)
			if err != nil {
				t.Fatalf("Decode(Encode(m)): %v", err)
			}
			if got.Header != m.Header || got.Parent != m.Parent {
				t.Errorf("headers: got %+v / %+v, want %+v / %+v", got.Header, got.Parent, m.Header, m.Parent)
			}
			if len(got.Identities) != len(m.Identities) || len(got.Buffers) != len(m.Buffers) {
				t.Errorf("identities %q buffers %q, want %q %q", got.Identities, got.Buffers, m.Identities, m.Buffers)
			}
			if !bytes.Equal(got.Content, m.Content) || got.Metadata["k"] != "v" {
				t.Errorf("content %s metadata %v", got.Content, got.Metadata)
			}
			if tt.parent == nil && string(frames[len(m.Identities)+3]) != "{}" {
				t.Errorf("empty parent encoded as %s, want {}", frames[len(m.Identities)+3])
			}
		})
	}
}

// FuzzDecode checks that Decode never panics and that whatever it accepts re-encodes to
// frames it accepts again. Inputs are frames joined by 0xFF, a byte that valid UTF-8
// (and so JSON) never contains.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, path := range files {
		f.Add(bytes.Join(readFrames(f, path), []byte{0xff}))
	}
	unsigned := NewSigner(nil)
	keyed := NewSigner(testKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := bytes.Split(data, []byte{0xff})
		Decode(frames, keyed)
		m, err := Decode(frames, unsigned)
		if err != nil {
			return
		}
		again, err := Encode(m, keyed)
		if err != nil {
			t.Fatalf("Encode of a decoded message: %v", err)
		}
		if _, err := Decode(again, keyed); err != nil {
			t.Fatalf("Decode(Encode(Decode(x))): %v", err)
		}
	})
}
