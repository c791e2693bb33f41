package dl

// The save file container: a header, a JSON section and a binary section of float32
// tensors, closed by a CRC-32C of everything before it, written to a temporary file in the
// destination folder and renamed into place. dl/FORMAT.md documents the format.

import (
	"bufio"
	binenc "encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
)

const (
	// saveMagic opens every save file. Like PNG's signature, its high-bit first byte and
	// CR LF / ^Z / LF bytes reveal transfers that mangle binary files.
	saveMagic = "\x89GDL\r\n\x1a\n"
	// SaveFormatVersion is the version of the save file format that SaveModel and
	// SaveWeights write. LoadModel and LoadWeights read this version and older ones, and
	// reject newer ones.
	SaveFormatVersion = 1
	// headerSize is the magic, the version (uint32) and the lengths of the JSON and binary
	// sections (two uint64).
	headerSize = len(saveMagic) + 4 + 8 + 8
	crcSize    = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// savedTensor locates one tensor in the binary section: Offset is in bytes from the
// section's start, the length is 4 bytes per element of Shape.
type savedTensor struct {
	Name      string `json:"name,omitempty"`
	Shape     []int  `json:"shape"`
	Trainable *bool  `json:"trainable,omitempty"`
	Offset    int64  `json:"offset"`
}

// fileWriter lays out a save file: the tensors of the binary section, in order, which the
// JSON document's savedTensors point into. It keeps the tensors' data, not copies, and
// encodes them as it writes the file.
type fileWriter struct {
	chunks [][]float32
	size   int64 // bytes of the binary section so far
}

// add appends data to the binary section and returns its location, with shape. data must
// not change until the file is written.
func (w *fileWriter) add(name string, shape []int, data []float32) savedTensor {
	st := savedTensor{Name: name, Shape: cloneShape(shape), Offset: w.size}
	w.chunks = append(w.chunks, data)
	w.size += 4 * int64(len(data))
	return st
}

// writer returns a function that writes the whole file for the JSON document doc.
func (w *fileWriter) writer(doc any) (func(io.Writer) error, error) {
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return func(out io.Writer) error {
		sum := crc32.New(castagnoli)
		bw := bufio.NewWriterSize(io.MultiWriter(out, sum), 1<<16)
		head := make([]byte, 0, headerSize)
		head = append(head, saveMagic...)
		head = binenc.LittleEndian.AppendUint32(head, SaveFormatVersion)
		head = binenc.LittleEndian.AppendUint64(head, uint64(len(js)))
		head = binenc.LittleEndian.AppendUint64(head, uint64(w.size))
		bw.Write(head)
		bw.Write(js)
		var buf [1 << 14]byte
		for _, c := range w.chunks {
			for len(c) > 0 {
				n := min(len(c), len(buf)/4)
				for i, v := range c[:n] {
					binenc.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
				}
				if _, err := bw.Write(buf[:4*n]); err != nil {
					return err
				}
				c = c[n:]
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		_, err := out.Write(binenc.LittleEndian.AppendUint32(nil, sum.Sum32()))
		return err
	}, nil
}

// writeHook, when set (by tests), wraps the temporary file's writer, to simulate a write
// failing part way.
var writeHook func(io.Writer) io.Writer

// writeFileAtomic writes a file with write through a temporary file in the same folder,
// synced and then renamed over path, so that path holds either its old content or all of
// the new, never part of it. The temporary file is removed when anything fails.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	var w io.Writer = f
	if writeHook != nil {
		w = writeHook(f)
	}
	if err = write(w); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a saved model is an ordinary file.
	if err = os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// saveFile is a save file read into memory and checked: its format version, its JSON
// document (still raw) and its binary section.
type saveFile struct {
	path    string
	version uint32
	js      []byte
	bin     []byte
}

// errorf returns an error naming the file, "dl: <path>: ...".
func (f *saveFile) errorf(format string, args ...any) error {
	return fmt.Errorf("dl: %s: %s", f.path, fmt.Sprintf(format, args...))
}

// readSaveFile reads path and checks its magic, version, lengths and checksum.
func readSaveFile(path string) (*saveFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dl: %w", err)
	}
	return parseSaveFile(path, data)
}

// readSaveDoc reads and checks the save file at path and decodes its JSON section.
func readSaveDoc(path string) (*saveFile, *saveDoc, error) {
	f, err := readSaveFile(path)
	if err != nil {
		return nil, nil, err
	}
	doc := new(saveDoc)
	if err := f.decode(doc); err != nil {
		return nil, nil, err
	}
	return f, doc, nil
}

func parseSaveFile(path string, data []byte) (*saveFile, error) {
	f := &saveFile{path: path}
	if len(data) < len(saveMagic) || string(data[:len(saveMagic)]) != saveMagic {
		if len(data) < len(saveMagic) && string(data) == saveMagic[:len(data)] {
			return nil, f.errorf("file is truncated (%d bytes): it ends inside the header; save the model again", len(data))
		}
		return nil, f.errorf("not a godl save file (it does not start with the godl signature); " +
			"a Keras .h5 file or a file from another program cannot be loaded")
	}
	if len(data) < headerSize {
		return nil, f.errorf("file is truncated (%d bytes): it ends inside the header; save the model again", len(data))
	}
	f.version = binenc.LittleEndian.Uint32(data[8:])
	if f.version == 0 || f.version > SaveFormatVersion {
		return nil, f.errorf("format version %d is newer than this godl reads (up to %d): load it with the godl that saved it, or upgrade godl",
			f.version, SaveFormatVersion)
	}
	jsLen := binenc.LittleEndian.Uint64(data[12:])
	binLen := binenc.LittleEndian.Uint64(data[20:])
	if jsLen > 1<<48 || binLen > 1<<48 {
		return nil, f.errorf("file is corrupt: its header announces sections of %d and %d bytes", jsLen, binLen)
	}
	total := uint64(headerSize) + jsLen + binLen + crcSize
	if total > uint64(len(data)) {
		return nil, f.errorf("file is truncated: it has %d bytes, its header announces %d; save the model again",
			len(data), total)
	}
	if total < uint64(len(data)) {
		return nil, f.errorf("file is corrupt: %d bytes follow the end its header announces", uint64(len(data))-total)
	}
	body := data[:len(data)-crcSize]
	if got, want := crc32.Checksum(body, castagnoli), binenc.LittleEndian.Uint32(data[len(body):]); got != want {
		return nil, f.errorf("file is corrupt: its CRC-32C checksum is %08x, the file says %08x", got, want)
	}
	f.js = data[headerSize : headerSize+int(jsLen)]
	f.bin = data[headerSize+int(jsLen) : len(body)]
	return f, nil
}

// decode parses the JSON document into doc.
func (f *saveFile) decode(doc any) error {
	if err := json.Unmarshal(f.js, doc); err != nil {
		return f.errorf("file is corrupt: its JSON section does not parse: %v", err)
	}
	return nil
}

// tensor returns the float32 values t locates, checking that they lie inside the binary
// section.
func (f *saveFile) tensor(t savedTensor) ([]float32, error) {
	n := int64(1)
	for _, d := range t.Shape {
		if d < 0 || (d > 0 && n > math.MaxInt32/int64(d)) {
			return nil, f.errorf("file is corrupt: tensor %s has shape %v", t.Name, t.Shape)
		}
		n *= int64(d)
	}
	if t.Offset < 0 || t.Offset%4 != 0 || t.Offset+4*n > int64(len(f.bin)) {
		return nil, f.errorf("file is corrupt: tensor %s (%d values at byte %d) lies outside the binary section (%d bytes)",
			t.Name, n, t.Offset, len(f.bin))
	}
	out := make([]float32, n)
	b := f.bin[t.Offset:]
	for i := range out {
		out[i] = math.Float32frombits(binenc.LittleEndian.Uint32(b[4*i:]))
	}
	return out, nil
}
