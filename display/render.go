package display

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"reflect"
	"sync"
)

// MIME types used by the constructors.
const (
	MIMEText     = "text/plain"
	MIMEHTML     = "text/html"
	MIMEMarkdown = "text/markdown"
	MIMESVG      = "image/svg+xml"
	MIMEPNG      = "image/png"
	MIMEJPEG     = "image/jpeg"
	MIMEJSON     = "application/json"
)

// The rendering interfaces. A value may implement several; Render merges every form it
// offers into one bundle. Each is one method, so a type declared in a notebook cell can
// implement it (the kernel registers the functions that look for them with the interpreter).
type (
	// HTMLer is implemented by values that render as an HTML fragment.
	HTMLer interface{ HTML() string }
	// Markdowner is implemented by values that render as Markdown.
	Markdowner interface{ Markdown() string }
	// SVGer is implemented by values that render as an SVG document.
	SVGer interface{ SVG() string }
	// PNGer is implemented by values that render as a PNG image (the encoded file bytes).
	PNGer interface{ PNG() []byte }
	// JPEGer is implemented by values that render as a JPEG image (the encoded file bytes).
	JPEGer interface{ JPEG() []byte }
	// JSONer is implemented by values that render as JSON; the result must be encodable by
	// encoding/json.
	JSONer interface{ JSON() any }
	// MIMEBundler is implemented by values that build their whole bundle themselves. When a
	// value implements it, the other interfaces are not consulted; Render still adds
	// text/plain if the bundle lacks it.
	MIMEBundler interface{ MIMEBundle() Bundle }
)

// Text returns a bundle holding only text/plain.
func Text(s string) Bundle { return bundle(MIMEText, s, s) }

// HTML returns a bundle of an HTML fragment; its text/plain form says that HTML is shown.
func HTML(s string) Bundle { return bundle(MIMEHTML, s, "<HTML>") }

// Markdown returns a bundle of Markdown text; the Markdown source is its text/plain form.
func Markdown(s string) Bundle { return bundle(MIMEMarkdown, s, s) }

// SVG returns a bundle of an SVG document.
func SVG(s string) Bundle { return bundle(MIMESVG, s, "<SVG image>") }

// PNG returns a bundle of a PNG file's bytes. The bytes are not checked.
func PNG(b []byte) Bundle {
	return bundle(MIMEPNG, base64.StdEncoding.EncodeToString(b), "<PNG image>")
}

// JPEG returns a bundle of a JPEG file's bytes. The bytes are not checked.
func JPEG(b []byte) Bundle {
	return bundle(MIMEJPEG, base64.StdEncoding.EncodeToString(b), "<JPEG image>")
}

// JSON returns a bundle of v as application/json, with its indented encoding as
// text/plain. A v that encoding/json cannot encode gives a text bundle with the error.
func JSON(v any) Bundle {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return Text(fmt.Sprintf("display: cannot encode %T as JSON: %v", v, err))
	}
	var decoded any // what Jupyter stores: plain JSON values
	_ = json.Unmarshal(b, &decoded)
	return bundle(MIMEJSON, decoded, string(b))
}

// Image returns a bundle of img encoded as PNG. An image that cannot be encoded (an empty
// one) gives a text bundle with the error.
func Image(img image.Image) Bundle {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Text(fmt.Sprintf("display: cannot encode image as PNG: %v", err))
	}
	b := PNG(buf.Bytes())
	r := img.Bounds()
	b.Data[MIMEText] = fmt.Sprintf("<image %dx%d>", r.Dx(), r.Dy())
	return b
}

// MIME returns a bundle of arbitrary MIME data: data maps a MIME type to its content, as
// Bundle.Data documents. text/plain is added, from the first text type present, when
// data lacks it. The map is copied.
func MIME(data map[string]any) Bundle {
	b := Bundle{Data: make(map[string]any, len(data)+1)}
	for k, v := range data {
		b.Data[k] = v
	}
	addText(&b, nil)
	return b
}

func bundle(mime string, content any, text string) Bundle {
	return Bundle{Data: map[string]any{mime: content, MIMEText: text}}
}

// Render turns any value into a bundle:
//   - a Bundle or *Bundle is returned as it is (with text/plain added when missing);
//   - a MIMEBundler gives its own bundle;
//   - otherwise every rendering interface v implements (HTMLer, Markdowner, SVGer, PNGer,
//     JPEGer, JSONer) adds its form, and an image.Image adds a PNG;
//   - text/plain comes from String for a fmt.Stringer, or else fmt's %v (strings are
//     quoted, so an empty string is visible).
//
// Render never panics on account of v's methods: a method that panics gives a text bundle
// naming the panic.
func Render(v any) (b Bundle) {
	defer func() {
		if r := recover(); r != nil {
			b = Text(fmt.Sprintf("display: rendering %T panicked: %v", v, r))
		}
	}()
	switch x := v.(type) {
	case Bundle:
		b = x.clone()
		addText(&b, v)
		return b
	case *Bundle:
		if x != nil {
			b = x.clone()
			addText(&b, v)
			return b
		}
	case MIMEBundler:
		b = x.MIMEBundle().clone()
		if isInterpreterWrapper(v) {
			addText(&b, nil)
		} else {
			addText(&b, v)
		}
		return b
	}
	b = Bundle{Data: map[string]any{}}
	if x, ok := v.(HTMLer); ok {
		b.Data[MIMEHTML] = x.HTML()
	}
	if x, ok := v.(Markdowner); ok {
		b.Data[MIMEMarkdown] = x.Markdown()
	}
	if x, ok := v.(SVGer); ok {
		b.Data[MIMESVG] = x.SVG()
	}
	if x, ok := v.(PNGer); ok {
		b.Data[MIMEPNG] = base64.StdEncoding.EncodeToString(x.PNG())
	}
	if x, ok := v.(JPEGer); ok {
		b.Data[MIMEJPEG] = base64.StdEncoding.EncodeToString(x.JPEG())
	}
	if x, ok := v.(JSONer); ok {
		for k, d := range JSON(x.JSON()).Data {
			if k == MIMEJSON {
				b.Data[k] = d
			}
		}
	}
	if x, ok := v.(image.Image); ok && b.Data[MIMEPNG] == nil {
		for k, d := range Image(x).Data {
			b.Data[k] = d
		}
	}
	if _, ok := b.Data[MIMEText]; !ok {
		if _, isStringer := v.(fmt.Stringer); isInterpreterWrapper(v) && !isStringer {
			addText(&b, nil)
		} else {
			b.Data[MIMEText] = PlainText(v)
		}
	}
	return b
}

// PlainText formats v the way Render's text/plain does: String for a fmt.Stringer or an
// error's Error, quoted strings, and fmt's %v for the rest.
func PlainText(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case string:
		return fmt.Sprintf("%q", x)
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprintf("%v", v)
}

// isInterpreterWrapper reports whether v is the struct yaegi builds to pass a value of a
// type declared in a cell to compiled code as an interface: its first field is IValue and
// its other fields hold the methods. Its %v form means nothing to a user (and yaegi v0.16.1
// does not even fill IValue reliably), so Render describes such values by their rich forms.
func isInterpreterWrapper(v any) bool {
	t := reflect.TypeOf(v)
	if t == nil {
		return false
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t.NumField() > 0 && t.Field(0).Name == "IValue"
}

// addText fills text/plain when b lacks it: from v when v is not nil, or else from the
// Markdown source or a placeholder naming the richest form present.
func addText(b *Bundle, v any) {
	if b.Data == nil {
		b.Data = map[string]any{}
	}
	if _, ok := b.Data[MIMEText]; ok {
		return
	}
	if s, ok := b.Data[MIMEMarkdown].(string); ok {
		b.Data[MIMEText] = s
		return
	}
	for _, f := range []struct{ mime, text string }{
		{MIMEHTML, "<HTML>"}, {MIMESVG, "<SVG image>"}, {MIMEPNG, "<PNG image>"},
		{MIMEJPEG, "<JPEG image>"}, {MIMEJSON, "<JSON>"},
	} {
		if _, ok := b.Data[f.mime]; ok {
			b.Data[MIMEText] = f.text
			return
		}
	}
	if v != nil {
		b.Data[MIMEText] = PlainText(v)
		return
	}
	b.Data[MIMEText] = ""
}

func (b Bundle) clone() Bundle {
	c := Bundle{ID: b.ID, Data: make(map[string]any, len(b.Data)+1)}
	for k, v := range b.Data {
		c.Data[k] = v
	}
	if b.Metadata != nil {
		c.Metadata = make(map[string]any, len(b.Metadata))
		for k, v := range b.Metadata {
			c.Metadata[k] = v
		}
	}
	return c
}

// Show renders each value with Render and sends it to the current sink as a new output.
func Show(values ...any) {
	for _, v := range values {
		CurrentSink().Display(Render(v))
	}
}

// Display sends each bundle to the current sink as a new output. A bundle with an ID can be
// replaced later by Update.
func Display(bundles ...Bundle) {
	for _, b := range bundles {
		CurrentSink().Display(b)
	}
}

// Update replaces, in place, every output shown earlier with b.ID. It does nothing when b
// has no ID.
func Update(b Bundle) {
	if b.ID == "" {
		return
	}
	CurrentSink().Update(b)
}

// ClearOutput clears the running cell's outputs; with wait, the clearing is delayed until
// the next output arrives, which avoids flicker in animations.
func ClearOutput(wait bool) { CurrentSink().ClearOutput(wait) }

// Handle is one output that can be replaced in place, such as a progress bar. The zero
// value is not usable: call NewHandle. A Handle is safe for concurrent use.
type Handle struct {
	id    string
	mu    sync.Mutex
	shown bool
}

// NewHandle returns a handle with a fresh display id. Nothing is shown until Show.
func NewHandle() *Handle {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &Handle{id: hex.EncodeToString(b[:])}
}

// ID returns the display id of the handle.
func (h *Handle) ID() string { return h.id }

// Show renders v with Render and shows it: the first call adds a new output, later calls
// replace that output.
//
// In a notebook cell, a value of a type declared in a cell reaches this compiled method
// without its methods (the interpreter only wraps arguments of package functions); the
// kernel passes it through Render for a handle held in a notebook variable, and elsewhere
// h.Show(display.Render(v)) does the same.
func (h *Handle) Show(v any) {
	b := Render(v)
	b.ID = h.id
	h.mu.Lock()
	first := !h.shown
	h.shown = true
	h.mu.Unlock()
	if first {
		CurrentSink().Display(b)
	} else {
		CurrentSink().Update(b)
	}
}

// Update is Show under the name Jupyter uses: it replaces the handle's output with v (and
// shows it when nothing was shown yet).
func (h *Handle) Update(v any) { h.Show(v) }
