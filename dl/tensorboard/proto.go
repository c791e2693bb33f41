package tensorboard

import (
	"encoding/binary"
	"hash/crc32"
	"math"
)

// Field numbers of TensorFlow's protocol buffers (tensorflow/core/util/event.proto,
// core/framework/summary.proto, histogram.proto, tensor.proto, tensor_shape.proto), encoded
// by hand so that writing events needs no protobuf dependency.
const (
	// Event
	eventWallTime    = 1 // double
	eventStep        = 2 // int64
	eventFileVersion = 3 // string
	eventSummary     = 5 // Summary

	// Summary
	summaryValue = 1 // repeated Value

	// Summary.Value
	valueTag         = 1 // string
	valueSimpleValue = 2 // float
	valueImage       = 4 // Summary.Image
	valueHisto       = 5 // HistogramProto
	valueTensor      = 8 // TensorProto
	valueMetadata    = 9 // SummaryMetadata

	// Summary.Image
	imageHeight     = 1 // int32
	imageWidth      = 2 // int32
	imageColorspace = 3 // int32: 1 grey, 3 RGB, 4 RGBA
	imageEncoded    = 4 // bytes (PNG)

	// HistogramProto
	histoMin         = 1 // double
	histoMax         = 2 // double
	histoNum         = 3 // double
	histoSum         = 4 // double
	histoSumSquares  = 5 // double
	histoBucketLimit = 6 // packed repeated double
	histoBucket      = 7 // packed repeated double

	// SummaryMetadata and its PluginData
	metadataPluginData = 1 // PluginData
	pluginName         = 1 // string

	// TensorProto and TensorShapeProto
	tensorDtype     = 1 // DataType enum
	tensorShape     = 2 // TensorShapeProto (no dims: a scalar)
	tensorStringVal = 8 // repeated bytes

	dtString = 7 // DataType DT_STRING
)

// Protocol buffer wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// message accumulates the encoding of one protocol buffer message.
type message []byte

func (m *message) tag(field, wire int) {
	*m = binary.AppendUvarint(*m, uint64(field)<<3|uint64(wire))
}

func (m *message) varint(field int, v int64) {
	m.tag(field, wireVarint)
	*m = binary.AppendUvarint(*m, uint64(v))
}

func (m *message) double(field int, v float64) {
	m.tag(field, wireFixed64)
	*m = binary.LittleEndian.AppendUint64(*m, math.Float64bits(v))
}

func (m *message) float(field int, v float32) {
	m.tag(field, wireFixed32)
	*m = binary.LittleEndian.AppendUint32(*m, math.Float32bits(v))
}

func (m *message) bytes(field int, b []byte) {
	m.tag(field, wireBytes)
	*m = binary.AppendUvarint(*m, uint64(len(b)))
	*m = append(*m, b...)
}

func (m *message) string(field int, s string) { m.bytes(field, []byte(s)) }

// packedDoubles writes a packed repeated double field.
func (m *message) packedDoubles(field int, vs []float64) {
	b := make([]byte, 0, 8*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	m.bytes(field, b)
}

// castagnoli is the CRC-32C table TFRecord framing uses.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TFRecord's masked CRC-32C: rotated right by 15 bits plus a constant, so
// that CRCs of data that holds CRCs stay well distributed.
func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return (c>>15 | c<<17) + 0xa282ead8
}

// appendRecord appends data framed as one TFRecord: the length as a little-endian uint64,
// the masked CRC of those 8 bytes, the data, and the masked CRC of the data.
func appendRecord(dst, data []byte) []byte {
	var hdr [8]byte
	binary.LittleEndian.PutUint64(hdr[:], uint64(len(data)))
	dst = append(dst, hdr[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, maskedCRC(hdr[:]))
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, maskedCRC(data))
}
