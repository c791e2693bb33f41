package display

import (
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
)

type htmlAndText struct{}

func (htmlAndText) HTML() string   { return "<b>x</b>" }
func (htmlAndText) String() string { return "x" }

type svgPNG struct{}

func (svgPNG) SVG() string { return "<svg/>" }
func (svgPNG) PNG() []byte { return []byte{1, 2} }

type bundler struct{}

func (bundler) MIMEBundle() Bundle {
	return Bundle{Data: map[string]any{"text/latex": "$x$"}}
}

type panicky struct{}

func (panicky) HTML() string { panic("boom") }

// wrapper mimics the struct yaegi builds around a cell's value.
type wrapper struct {
	IValue any
	WHTML  func() string
}

func (w wrapper) HTML() string { return w.WHTML() }

func TestRender(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.White)
	tests := []struct {
		desc string
		v    any
		want map[string]string // MIME type → expected content; "*" means present
	}{
		{"int", 42, map[string]string{MIMEText: "42"}},
		{"string quoted", "", map[string]string{MIMEText: `""`}},
		{"nil", nil, map[string]string{MIMEText: "<nil>"}},
		{"stringer and HTML", htmlAndText{}, map[string]string{MIMEText: "x", MIMEHTML: "<b>x</b>"}},
		{"two forms", svgPNG{}, map[string]string{MIMESVG: "<svg/>", MIMEPNG: base64.StdEncoding.EncodeToString([]byte{1, 2}), MIMEText: "{}"}},
		{"bundler gets text", bundler{}, map[string]string{"text/latex": "$x$", MIMEText: "{}"}},
		{"bundle as is", HTML("<i>"), map[string]string{MIMEHTML: "<i>", MIMEText: "<HTML>"}},
		{"image", img, map[string]string{MIMEPNG: "*", MIMEText: "<image 3x2>"}},
		{"interpreted wrapper", wrapper{IValue: 7, WHTML: func() string { return "<p>" }}, map[string]string{MIMEHTML: "<p>", MIMEText: "<HTML>"}},
		{"panicking method", panicky{}, map[string]string{MIMEText: "display: rendering display.panicky panicked: boom"}},
	}
	for _, tc := range tests {
		got := Render(tc.v)
		if len(got.Data) != len(tc.want) {
			t.Errorf("%s: Render gave MIME types %v, want %v", tc.desc, keys(got.Data), keys2(tc.want))
		}
		for k, w := range tc.want {
			g, ok := got.Data[k]
			if !ok || (w != "*" && g != w) {
				t.Errorf("%s: Render()[%s] = %v, want %q", tc.desc, k, g, w)
			}
		}
	}
}

func TestImageIsDecodablePNG(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	b := Image(img)
	raw, err := base64.StdEncoding.DecodeString(b.Data[MIMEPNG].(string))
	if err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("Image: PNG does not decode: %v", err)
	}
	if got.Bounds() != img.Bounds() {
		t.Errorf("decoded bounds %v, want %v", got.Bounds(), img.Bounds())
	}
}

func TestJSONAndMIME(t *testing.T) {
	b := JSON(map[string]int{"a": 1})
	if m, ok := b.Data[MIMEJSON].(map[string]any); !ok || m["a"] != float64(1) {
		t.Errorf("JSON data = %#v", b.Data[MIMEJSON])
	}
	if b.Data[MIMEText] != "{\n  \"a\": 1\n}" {
		t.Errorf("JSON text = %q", b.Data[MIMEText])
	}
	if b := JSON(make(chan int)); !strings.Contains(b.Data[MIMEText].(string), "cannot encode chan int") {
		t.Errorf("JSON(chan) = %v", b.Data)
	}
	m := MIME(map[string]any{MIMEMarkdown: "*hi*"})
	if m.Data[MIMEText] != "*hi*" {
		t.Errorf("MIME text = %v", m.Data[MIMEText])
	}
}

type recordSink struct {
	mu      sync.Mutex
	events  []string
	bundles []Bundle
}

func (r *recordSink) Display(b Bundle) { r.add("display", b) }
func (r *recordSink) Update(b Bundle)  { r.add("update", b) }
func (r *recordSink) ClearOutput(wait bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "clear")
}
func (r *recordSink) add(ev string, b Bundle) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	r.bundles = append(r.bundles, b)
}

func TestHandleAndSink(t *testing.T) {
	rec := &recordSink{}
	prev := SetSink(rec)
	defer SetSink(prev)

	h := NewHandle()
	h.Show(Text("1/3"))
	h.Update("2/3")
	Show(1, HTML("<b>"))
	Update(Bundle{Data: map[string]any{MIMEText: "no id"}}) // ignored
	ClearOutput(true)

	want := []string{"display", "update", "display", "display", "clear"}
	if strings.Join(rec.events, ",") != strings.Join(want, ",") {
		t.Fatalf("events %v, want %v", rec.events, want)
	}
	if rec.bundles[0].ID != h.ID() || rec.bundles[1].ID != h.ID() || h.ID() == "" {
		t.Errorf("handle ids %q %q, want %q", rec.bundles[0].ID, rec.bundles[1].ID, h.ID())
	}
	if rec.bundles[1].Data[MIMEText] != `"2/3"` {
		t.Errorf("update text %v", rec.bundles[1].Data[MIMEText])
	}
	if NewHandle().ID() == h.ID() {
		t.Error("two handles share an id")
	}
}

func keys(m map[string]any) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return s
}

func keys2(m map[string]string) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return s
}
