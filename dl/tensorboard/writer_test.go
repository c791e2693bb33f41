package tensorboard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The reader below is written from the TFRecord and protocol buffer specifications
// independently of the writer's encoder: it shares no code with proto.go.

// readRecords splits a TFRecord file, checking both masked CRC-32Cs of every record.
func readRecords(t *testing.T, data []byte) [][]byte {
	t.Helper()
	table := crc32.MakeTable(0x82f63b78) // Castagnoli, reversed polynomial
	mask := func(b []byte) uint32 {
		c := crc32.Checksum(b, table)
		return ((c >> 15) | (c << 17)) + 0xa282ead8
	}
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 12 {
			t.Fatalf("truncated record header: %d bytes left", len(data))
		}
		n := binary.LittleEndian.Uint64(data[:8])
		if got, want := binary.LittleEndian.Uint32(data[8:12]), mask(data[:8]); got != want {
			t.Fatalf("record %d: length CRC %#x, want %#x", len(out), got, want)
		}
		if uint64(len(data)) < 12+n+4 {
			t.Fatalf("record %d: length %d exceeds the %d bytes left", len(out), n, len(data)-12)
		}
		payload := data[12 : 12+n]
		if got, want := binary.LittleEndian.Uint32(data[12+n:16+n]), mask(payload); got != want {
			t.Fatalf("record %d: data CRC %#x, want %#x", len(out), got, want)
		}
		out = append(out, payload)
		data = data[16+n:]
	}
	return out
}

// field is one decoded protocol buffer field.
type field struct {
	num  int
	wire int
	u    uint64 // varint, fixed64 or fixed32 value
	b    []byte // length-delimited value
}

// fields decodes one message into its fields, in order.
func fields(t *testing.T, msg []byte) map[int][]field {
	t.Helper()
	out := map[int][]field{}
	uvarint := func() uint64 {
		var v uint64
		for shift := 0; ; shift += 7 {
			if len(msg) == 0 || shift > 63 {
				t.Fatalf("bad varint")
			}
			c := msg[0]
			msg = msg[1:]
			v |= uint64(c&0x7f) << shift
			if c < 0x80 {
				return v
			}
		}
	}
	for len(msg) > 0 {
		key := uvarint()
		f := field{num: int(key >> 3), wire: int(key & 7)}
		switch f.wire {
		case 0:
			f.u = uvarint()
		case 1:
			f.u = binary.LittleEndian.Uint64(msg[:8])
			msg = msg[8:]
		case 5:
			f.u = uint64(binary.LittleEndian.Uint32(msg[:4]))
			msg = msg[4:]
		case 2:
			n := uvarint()
			if uint64(len(msg)) < n {
				t.Fatalf("field %d: length %d beyond message end", f.num, n)
			}
			f.b = msg[:n]
			msg = msg[n:]
		default:
			t.Fatalf("unexpected wire type %d", f.wire)
		}
		out[f.num] = append(out[f.num], f)
	}
	return out
}

// one returns the single field num of m, failing when absent or repeated.
func one(t *testing.T, m map[int][]field, num int, wire int) field {
	t.Helper()
	fs := m[num]
	if len(fs) != 1 {
		t.Fatalf("field %d appears %d times, want once", num, len(fs))
	}
	if fs[0].wire != wire {
		t.Fatalf("field %d has wire type %d, want %d", num, fs[0].wire, wire)
	}
	return fs[0]
}

// event is the decoded form of one Event carrying a one-value Summary.
type event struct {
	wallTime float64
	step     int64
	tag      string
	value    map[int][]field // the Summary.Value's fields
}

func readEvents(t *testing.T, path string) (version string, events []event) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecords(t, data)
	if len(recs) == 0 {
		t.Fatal("no records")
	}
	first := fields(t, recs[0])
	version = string(one(t, first, 3, 2).b)
	for _, r := range recs[1:] {
		ev := fields(t, r)
		e := event{wallTime: math.Float64frombits(one(t, ev, 1, 1).u)}
		if s := ev[2]; len(s) > 0 {
			e.step = int64(s[0].u)
		}
		summary := fields(t, one(t, ev, 5, 2).b)
		e.value = fields(t, one(t, summary, 1, 2).b)
		e.tag = string(one(t, e.value, 1, 2).b)
		events = append(events, e)
	}
	return version, events
}

func TestWriterRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs", "run1")
	clock := time.Unix(1700000000, 250_000_000)
	w, err := newWriter(dir, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if want := "events.out.tfevents.1700000000." + host; filepath.Base(w.Path()) != want {
		t.Errorf("file name %s, want %s", filepath.Base(w.Path()), want)
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(w.Scalar("epoch_loss", 0.25, 0))
	check(w.Scalar("epoch_loss", 0.125, 1))
	grey := image.NewGray(image.Rect(0, 0, 3, 2))
	grey.Pix = []uint8{0, 50, 100, 150, 200, 250}
	check(w.Image("sample", grey, 7))
	check(w.ImageFloat32("rgb", []float32{1, 0, 0, 0, 1, 0}, 1, 2, 3, 8))
	check(w.Histogram("weights", []float64{-1, 0, 0, 1, 3}, 9))
	check(w.HistogramFloat32("same", []float32{2, 2}, 10))
	check(w.Text("notes", "**lr** = 0.01", 11))
	check(w.Close())
	if err := w.Scalar("late", 1, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Scalar after Close: %v, want ErrClosed", err)
	}

	version, evs := readEvents(t, w.Path())
	if version != "brain.Event:2" {
		t.Errorf("file version %q", version)
	}
	if len(evs) != 7 {
		t.Fatalf("%d events, want 7", len(evs))
	}
	for _, e := range evs {
		if e.wallTime != 1700000000.25 {
			t.Errorf("%s: wall time %v, want 1700000000.25", e.tag, e.wallTime)
		}
	}
	// Scalars: simple_value (field 2, float32).
	for i, want := range []float32{0.25, 0.125} {
		e := evs[i]
		got := math.Float32frombits(uint32(one(t, e.value, 2, 5).u))
		if e.tag != "epoch_loss" || e.step != int64(i) || got != want {
			t.Errorf("scalar %d: tag %q step %d value %v, want epoch_loss %d %v", i, e.tag, e.step, got, i, want)
		}
	}
	// Image: Summary.Image (field 4) with height, width, colourspace and a PNG that decodes to
	// the same pixels.
	im := fields(t, one(t, evs[2].value, 4, 2).b)
	if h, w, cs := one(t, im, 1, 0).u, one(t, im, 2, 0).u, one(t, im, 3, 0).u; h != 2 || w != 3 || cs != 1 {
		t.Errorf("image header h=%d w=%d colorspace=%d, want 2 3 1", h, w, cs)
	}
	dec, err := png.Decode(bytes.NewReader(one(t, im, 4, 2).b))
	if err != nil {
		t.Fatalf("image PNG: %v", err)
	}
	if g := color.GrayModel.Convert(dec.At(2, 1)).(color.Gray).Y; g != 250 || evs[2].step != 7 {
		t.Errorf("image pixel (2,1) = %d step %d, want 250 step 7", g, evs[2].step)
	}
	im = fields(t, one(t, evs[3].value, 4, 2).b)
	dec, err = png.Decode(bytes.NewReader(one(t, im, 4, 2).b))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, _, _ := dec.At(1, 0).RGBA(); r != 0 || g != 0xffff || one(t, im, 3, 0).u != 3 {
		t.Errorf("RGB image pixel (1,0) r=%#x g=%#x, want green, colourspace 3", r, g)
	}
	// Histogram: HistogramProto (field 5).
	h := fields(t, one(t, evs[4].value, 5, 2).b)
	dbl := func(m map[int][]field, n int) float64 { return math.Float64frombits(one(t, m, n, 1).u) }
	if mn, mx, num, sum, sq := dbl(h, 1), dbl(h, 2), dbl(h, 3), dbl(h, 4), dbl(h, 5); mn != -1 || mx != 3 || num != 5 || sum != 3 || sq != 11 {
		t.Errorf("histogram min %v max %v num %v sum %v sumsq %v, want -1 3 5 3 11", mn, mx, num, sum, sq)
	}
	packed := func(b []byte) []float64 {
		var out []float64
		for ; len(b) >= 8; b = b[8:] {
			out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
		return out
	}
	limits, counts := packed(one(t, h, 6, 2).b), packed(one(t, h, 7, 2).b)
	if len(limits) != DefaultBuckets || len(counts) != DefaultBuckets || limits[len(limits)-1] != 3 {
		t.Fatalf("histogram has %d limits, %d counts, last limit %v", len(limits), len(counts), limits[len(limits)-1])
	}
	// Each value belongs to the first bucket whose limit exceeds it, the maximum to the last.
	want := make([]float64, len(limits))
	for _, v := range []float64{-1, 0, 0, 1, 3} {
		i := 0
		for i < len(limits)-1 && v >= limits[i] {
			i++
		}
		want[i]++
	}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("bucket counts %v, want %v", counts, want)
	}
	h = fields(t, one(t, evs[5].value, 5, 2).b)
	if c := packed(one(t, h, 7, 2).b); len(c) != 1 || c[0] != 2 {
		t.Errorf("equal values: counts %v, want one bucket of 2", c)
	}
	// Text: a DT_STRING tensor (field 8) and text plugin metadata (field 9).
	e := evs[6]
	meta := fields(t, one(t, e.value, 9, 2).b)
	plugin := fields(t, one(t, meta, 1, 2).b)
	if name := string(one(t, plugin, 1, 2).b); name != "text" {
		t.Errorf("text plugin name %q", name)
	}
	tensor := fields(t, one(t, e.value, 8, 2).b)
	if dt, s := one(t, tensor, 1, 0).u, string(one(t, tensor, 8, 2).b); dt != 7 || s != "**lr** = 0.01" || e.step != 11 {
		t.Errorf("text tensor dtype %d value %q step %d", dt, s, e.step)
	}
}

func TestScalars(t *testing.T) {
	w, err := NewWriter(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Scalars(map[string]float64{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625}, 4); err != nil {
		t.Fatal(err)
	}
	if err := w.Scalars(nil, 5); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecords(t, data)
	if len(recs) != 2 {
		t.Fatalf("%d records, want the version and one event", len(recs))
	}
	ev := fields(t, recs[1])
	if step := one(t, ev, 2, 0).u; step != 4 {
		t.Errorf("step %d, want 4", step)
	}
	values := fields(t, one(t, ev, 5, 2).b)[1]
	var got []string
	for _, v := range values {
		vf := fields(t, v.b)
		got = append(got, fmt.Sprintf("%s=%v", one(t, vf, 1, 2).b, math.Float32frombits(uint32(one(t, vf, 2, 5).u))))
	}
	if g := strings.Join(got, " "); g != "accuracy=0.75 loss=0.5 val_loss=0.625" {
		t.Errorf("values %s", g)
	}
}

func TestWriterFileNames(t *testing.T) {
	dir := t.TempDir()
	clock := func() time.Time { return time.Unix(42, 0) }
	var paths []string
	for range 3 {
		w, err := newWriter(dir, clock)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, w.Path())
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); !errors.Is(err, ErrClosed) {
			t.Errorf("second Close: %v", err)
		}
	}
	re := regexp.MustCompile(`^events\.out\.tfevents\.42\.[^/]+?(\.[12])?$`)
	seen := map[string]bool{}
	for _, p := range paths {
		if !re.MatchString(filepath.Base(p)) || seen[p] {
			t.Errorf("bad or repeated file name %s", p)
		}
		seen[p] = true
		v, evs := readEvents(t, p)
		if v != "brain.Event:2" || len(evs) != 0 {
			t.Errorf("%s: version %q and %d events", p, v, len(evs))
		}
	}
	if _, err := NewWriter(""); err == nil {
		t.Error("empty log folder accepted")
	}
}

func TestWriterRejects(t *testing.T) {
	w, err := NewWriter(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for name, err := range map[string]error{
		"empty histogram": w.Histogram("h", nil, 0),
		"NaN histogram":   w.Histogram("h", []float64{1, math.NaN()}, 0),
		"image shape":     w.ImageFloat32("i", make([]float32, 5), 2, 2, 1, 0),
		"image channels":  w.ImageFloat32("i", make([]float32, 8), 2, 2, 2, 0),
		"empty image":     w.Image("i", image.NewGray(image.Rect(0, 0, 0, 0)), 0),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "tensorboard: ") {
			t.Errorf("%s: error %v, want a tensorboard: error", name, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, evs := readEvents(t, w.Path()); len(evs) != 0 {
		t.Errorf("rejected summaries wrote %d events", len(evs))
	}
}

func ExampleWriter() {
	dir, _ := os.MkdirTemp("", "logs")
	defer os.RemoveAll(dir)
	w, err := NewWriter(filepath.Join(dir, "adam"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for epoch, loss := range []float64{0.61, 0.32, 0.25} {
		w.Scalar("epoch_loss", loss, int64(epoch))
	}
	fmt.Println(w.Close(), strings.HasPrefix(filepath.Base(w.Path()), "events.out.tfevents."))
	// Output: <nil> true
}
