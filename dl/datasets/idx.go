package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"

	"godl.dev/godl/dl"
)

// ReadIDX decodes an IDX file (optionally gzip-compressed, detected by its magic bytes) of
// unsigned bytes, the format of the MNIST files, into a uint8 tensor of the dimensions it
// declares. name is used in errors.
func ReadIDX(r io.Reader, name string) (*dl.Tensor, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("datasets: reading %s: %w", name, err)
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: bad gzip header: %w", name, err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("datasets: %s: corrupt gzip data: %w", name, err)
		}
	}
	return decodeIDX(data, name)
}

func decodeIDX(data []byte, name string) (*dl.Tensor, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("datasets: %s: too short for an IDX header (%d bytes)", name, len(data))
	}
	if data[0] != 0 || data[1] != 0 {
		return nil, fmt.Errorf("datasets: %s: not an IDX file (magic % x)", name, data[:4])
	}
	if data[2] != 0x08 {
		return nil, fmt.Errorf("datasets: %s: IDX element type 0x%02x is not supported (only unsigned bytes, 0x08)", name, data[2])
	}
	rank := int(data[3])
	if len(data) < 4+4*rank {
		return nil, fmt.Errorf("datasets: %s: header declares %d dimensions but the file ends early", name, rank)
	}
	shape := make([]int, rank)
	n := 1
	for i := range shape {
		d := binary.BigEndian.Uint32(data[4+4*i:])
		if d > 1<<30 || n > 0 && int(d) > (1<<31)/n {
			return nil, fmt.Errorf("datasets: %s: dimension %d is too large (%d)", name, i, d)
		}
		shape[i] = int(d)
		n *= int(d)
	}
	body := data[4+4*rank:]
	if len(body) != n {
		return nil, fmt.Errorf("datasets: %s: header declares %v (%d bytes) but %d bytes follow", name, shape, n, len(body))
	}
	return dl.FromUint8(body, shape...), nil
}

// ReadIDXFile reads an IDX file, gzip-compressed or not; errors name the file.
func ReadIDXFile(path string) (*dl.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	return ReadIDX(f, path)
}

// caseEncode escapes a module path for the module cache: each upper-case letter becomes '!'
// followed by its lower case, as golang.org/x/mod/module.EscapePath does.
func caseEncode(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			b.WriteRune(r + 'a' - 'A')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
