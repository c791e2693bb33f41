package jupyter

import "testing"

func TestSigner(t *testing.T) {
	s := NewSigner([]byte("key"))
	parts := [][]byte{[]byte(`{"a":1}`), []byte("{}"), []byte("{}"), []byte(`{"b":2}`)}
	sig := s.Sign(parts...)
	// HMAC-SHA256("key", concatenation), computed independently with Python's hmac module.
	const want = "0206f42f4ae2a48f6054ab91271f90c100f7022f55fb1f23de6377624d533752"
	if sig != want {
		t.Errorf("Sign = %s, want %s", sig, want)
	}
	if !s.Verify([]byte(sig), parts...) {
		t.Error("Verify rejected its own signature")
	}
	flipped := []byte(sig)
	flipped[len(flipped)-1] ^= 1
	if s.Verify(flipped, parts...) {
		t.Error("Verify accepted a changed signature")
	}
	if s.Verify([]byte(sig[:10]), parts...) {
		t.Error("Verify accepted a truncated signature")
	}
	if s.Verify([]byte(sig), parts[0], parts[1], parts[2], []byte(`{"b":3}`)) {
		t.Error("Verify accepted changed content")
	}

	var off Signer
	if off.Enabled() || off.Sign(parts...) != "" || !off.Verify([]byte("anything"), parts...) {
		t.Error("an empty key must disable signing")
	}
}
