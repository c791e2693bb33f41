// Package tensorboard provides a summary writer that logs scalars, images, histograms and
// text to TensorBoard event files, the format tf.summary and Keras's TensorBoard callback
// write, so that `tensorboard --logdir <dir>` shows a Go training run.
//
// A Writer owns one event file, named as TensorFlow names them
// (events.out.tfevents.<unix time>.<host>), in its run's log folder: give each run its own
// folder (logs/adam, logs/sgd) and point TensorBoard at the parent to compare them. Each
// record is a TFRecord (length, masked CRC-32C of the length, an Event protocol buffer,
// masked CRC-32C of the data); the protocol buffers are encoded by hand from TensorFlow's
// field numbers, so the package needs no protobuf library.
//
//	w, err := tensorboard.NewWriter("logs/adam")
//	if err != nil { ... }
//	defer w.Close()
//	for epoch, loss := range history["loss"] {
//		w.Scalar("epoch_loss", loss, int64(epoch))
//	}
//
// Scalars are written as simple values, images as PNG Summary.Image values, histograms as
// HistogramProto values and text as string tensors for the text plugin: the forms that
// TensorBoard reads for its scalars, images, histograms and text dashboards.
package tensorboard

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"
)

// ErrClosed is returned by a Writer's methods after Close.
var ErrClosed = errors.New("tensorboard: writer is closed")

// fileVersion is the first event of every file, as TensorFlow writes it.
const fileVersion = "brain.Event:2"

// Writer writes summaries to one event file. Its methods are safe for concurrent use.
// Records are buffered: call Flush to make them visible to a running TensorBoard, and
// Close when the run ends.
type Writer struct {
	mu     sync.Mutex
	file   *os.File
	buf    *bufio.Writer
	path   string
	closed bool
	now    func() time.Time
}

// NewWriter creates logDir if needed and starts a new event file in it, named
// events.out.tfevents.<unix seconds>.<host name> (with a numeric suffix when a file of that
// name exists already), and writes the file-version event that opens every event file.
func NewWriter(logDir string) (*Writer, error) {
	return newWriter(logDir, time.Now)
}

func newWriter(logDir string, now func() time.Time) (*Writer, error) {
	if logDir == "" {
		return nil, errors.New("tensorboard: empty log folder; give the run's folder, e.g. \"logs/run1\"")
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("tensorboard: creating the log folder: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	base := fmt.Sprintf("events.out.tfevents.%d.%s", now().Unix(), host)
	var file *os.File
	path := filepath.Join(logDir, base)
	for i := 1; ; i++ {
		file, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || i > 1000 {
			return nil, fmt.Errorf("tensorboard: creating the event file: %w", err)
		}
		path = filepath.Join(logDir, base+"."+strconv.Itoa(i))
	}
	w := &Writer{file: file, buf: bufio.NewWriter(file), path: path, now: now}
	var ev message
	ev.double(eventWallTime, w.wallTime())
	ev.string(eventFileVersion, fileVersion)
	if err := w.writeRecord(ev); err != nil {
		file.Close()
		return nil, err
	}
	if err := w.Flush(); err != nil {
		file.Close()
		return nil, err
	}
	return w, nil
}

// Path returns the path of the event file.
func (w *Writer) Path() string { return w.path }

// Scalar logs value under tag at step, for TensorBoard's scalars dashboard. Keras's
// callback uses tags such as "epoch_loss" and "epoch_accuracy" in train and validation
// folders.
func (w *Writer) Scalar(tag string, value float64, step int64) error {
	var v message
	v.string(valueTag, tag)
	v.float(valueSimpleValue, float32(value))
	return w.writeSummary(step, v)
}

// Scalars logs several scalars at one step in a single event, one value per tag in tag
// order: an epoch's logs, such as {"loss": 0.3, "accuracy": 0.91}. An empty map writes
// nothing.
func (w *Writer) Scalars(values map[string]float64, step int64) error {
	if len(values) == 0 {
		return nil
	}
	tags := make([]string, 0, len(values))
	for tag := range values {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	var s message
	for _, tag := range tags {
		var v message
		v.string(valueTag, tag)
		v.float(valueSimpleValue, float32(values[tag]))
		s.bytes(summaryValue, v)
	}
	return w.writeEvent(step, s)
}

// Image logs img as a PNG under tag at step, for the images dashboard.
func (w *Writer) Image(tag string, img image.Image, step int64) error {
	if img == nil || img.Bounds().Empty() {
		return fmt.Errorf("tensorboard: image %q is empty", tag)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("tensorboard: encoding image %q: %w", tag, err)
	}
	colorspace := 4 // RGBA
	switch x := img.(type) {
	case *image.Gray, *image.Gray16:
		colorspace = 1
	case interface{ Opaque() bool }:
		if x.Opaque() {
			colorspace = 3 // the PNG encoder drops the alpha channel of an opaque image
		}
	}
	var im message
	im.varint(imageHeight, int64(img.Bounds().Dy()))
	im.varint(imageWidth, int64(img.Bounds().Dx()))
	im.varint(imageColorspace, int64(colorspace))
	im.bytes(imageEncoded, buf.Bytes())
	var v message
	v.string(valueTag, tag)
	v.bytes(valueImage, im)
	return w.writeSummary(step, v)
}

// ImageFloat32 logs one image given as pixels laid out (h, w, c) row-major, c = 1 (grey)
// or 3 (RGB), with values in [0, 1] (clipped outside), as Image does.
func (w *Writer) ImageFloat32(tag string, pix []float32, h, wd, c int, step int64) error {
	if h <= 0 || wd <= 0 || (c != 1 && c != 3) || len(pix) != h*wd*c {
		return fmt.Errorf("tensorboard: image %q: len(pix) = %d for (h, w, c) = (%d, %d, %d); want h*w*c values with c 1 or 3", tag, len(pix), h, wd, c)
	}
	conv := func(v float32) uint8 {
		if v != v {
			return 0
		}
		return uint8(min(max(v*255+0.5, 0), 255))
	}
	if c == 1 {
		img := image.NewGray(image.Rect(0, 0, wd, h))
		for i, v := range pix {
			img.Pix[i] = conv(v)
		}
		return w.Image(tag, img, step)
	}
	img := image.NewRGBA(image.Rect(0, 0, wd, h))
	for p := range h * wd {
		img.Pix[4*p], img.Pix[4*p+1], img.Pix[4*p+2], img.Pix[4*p+3] = conv(pix[3*p]), conv(pix[3*p+1]), conv(pix[3*p+2]), 255
	}
	return w.Image(tag, img, step)
}

// DefaultBuckets is the number of equal-width buckets Histogram uses.
const DefaultBuckets = 30

// Histogram logs the distribution of values under tag at step, for the histograms and
// distributions dashboards: DefaultBuckets equal-width buckets from the minimum to the
// maximum value (a single bucket when all values are equal). It returns an error, writing
// nothing, when values is empty or holds a NaN or infinite value.
func (w *Writer) Histogram(tag string, values []float64, step int64) error {
	if len(values) == 0 {
		return fmt.Errorf("tensorboard: histogram %q has no values", tag)
	}
	lo, hi, sum, sumSq := math.Inf(1), math.Inf(-1), 0.0, 0.0
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("tensorboard: histogram %q: value %d is %v; histograms need finite values", tag, i, v)
		}
		lo, hi = min(lo, v), max(hi, v)
		sum += v
		sumSq += v * v
	}
	n := DefaultBuckets
	if hi == lo {
		n = 1
	}
	limits := make([]float64, n)
	counts := make([]float64, n)
	width := (hi - lo) / float64(n)
	for i := range limits {
		limits[i] = lo + float64(i+1)*width
	}
	limits[n-1] = hi
	for _, v := range values {
		i := n - 1
		if width > 0 {
			i = min(int((v-lo)/width), n-1)
		}
		counts[i]++
	}
	var h message
	h.double(histoMin, lo)
	h.double(histoMax, hi)
	h.double(histoNum, float64(len(values)))
	h.double(histoSum, sum)
	h.double(histoSumSquares, sumSq)
	h.packedDoubles(histoBucketLimit, limits)
	h.packedDoubles(histoBucket, counts)
	var v message
	v.string(valueTag, tag)
	v.bytes(valueHisto, h)
	return w.writeSummary(step, v)
}

// HistogramFloat32 is Histogram for float32 values, such as a layer's weights.
func (w *Writer) HistogramFloat32(tag string, values []float32, step int64) error {
	vs := make([]float64, len(values))
	for i, v := range values {
		vs[i] = float64(v)
	}
	return w.Histogram(tag, vs, step)
}

// Text logs text (Markdown) under tag at step, for the text dashboard.
func (w *Writer) Text(tag, text string, step int64) error {
	var plugin message
	plugin.string(pluginName, "text")
	var meta message
	meta.bytes(metadataPluginData, plugin)
	var t message
	t.varint(tensorDtype, dtString)
	t.bytes(tensorShape, nil) // no dimensions: a scalar string
	t.string(tensorStringVal, text)
	var v message
	v.string(valueTag, tag)
	v.bytes(valueMetadata, meta)
	v.bytes(valueTensor, t)
	return w.writeSummary(step, v)
}

// Flush writes buffered records to the file.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("tensorboard: writing %s: %w", w.path, err)
	}
	return nil
}

// Close flushes and closes the event file. Closing twice returns ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	ferr := w.buf.Flush()
	cerr := w.file.Close()
	if ferr != nil {
		return fmt.Errorf("tensorboard: writing %s: %w", w.path, ferr)
	}
	if cerr != nil {
		return fmt.Errorf("tensorboard: closing %s: %w", w.path, cerr)
	}
	return nil
}

// writeSummary writes an Event holding a Summary of one value.
func (w *Writer) writeSummary(step int64, value message) error {
	var s message
	s.bytes(summaryValue, value)
	return w.writeEvent(step, s)
}

// writeEvent writes an Event holding the encoded Summary s.
func (w *Writer) writeEvent(step int64, s message) error {
	var ev message
	ev.double(eventWallTime, w.wallTime())
	ev.varint(eventStep, step)
	ev.bytes(eventSummary, s)
	return w.writeRecord(ev)
}

func (w *Writer) wallTime() float64 {
	t := w.now()
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

func (w *Writer) writeRecord(data []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if _, err := w.buf.Write(appendRecord(nil, data)); err != nil {
		return fmt.Errorf("tensorboard: writing %s: %w", w.path, err)
	}
	return nil
}
