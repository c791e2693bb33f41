package jupyter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"sync"
)

// ErrBadSignature is returned by Decode when a message's signature does not match its
// content. Such a message must be dropped unexecuted.
var ErrBadSignature = errors.New("jupyter: bad message signature")

// Signer computes and checks HMAC-SHA256 message signatures. The zero value and a Signer
// with an empty key sign nothing: Sign returns "" and Verify accepts any signature, which
// is the protocol's rule for an empty key. A Signer is safe for concurrent use.
type Signer struct {
	key  []byte
	pool sync.Pool
}

// NewSigner returns a Signer for key, the connection file's "key" field.
func NewSigner(key []byte) *Signer {
	s := &Signer{key: append([]byte(nil), key...)}
	s.pool.New = func() any { return hmac.New(sha256.New, s.key) }
	return s
}

// Enabled reports whether messages are signed.
func (s *Signer) Enabled() bool { return s != nil && len(s.key) > 0 }

// Sign returns the hex signature of the given frames (header, parent header, metadata and
// content, in that order), or "" when signing is disabled.
func (s *Signer) Sign(parts ...[]byte) string {
	if !s.Enabled() {
		return ""
	}
	return hex.EncodeToString(s.mac(parts))
}

// Verify reports whether signature is the hex signature of parts. The comparison takes
// the same time wherever the first difference is.
func (s *Signer) Verify(signature []byte, parts ...[]byte) bool {
	if !s.Enabled() {
		return true
	}
	want := s.mac(parts)
	got := make([]byte, hex.DecodedLen(len(signature)))
	n, err := hex.Decode(got, signature)
	if err != nil {
		return false
	}
	return hmac.Equal(got[:n], want)
}

func (s *Signer) mac(parts [][]byte) []byte {
	h := s.pool.Get().(hash.Hash)
	h.Reset()
	for _, p := range parts {
		h.Write(p)
	}
	sum := h.Sum(nil)
	s.pool.Put(h)
	return sum
}
