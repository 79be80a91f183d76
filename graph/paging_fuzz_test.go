package graph

import (
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// FuzzDecodeCursor: any string a client sends as `after` is a cursor that
// round-trips or INVALID, never a panic or a negative offset.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{encodeCursor(0), encodeCursor(42), "", "bzE", "o", "b-1", "bysx", "%%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := decodeCursor(s)
		if err != nil {
			if catalog.ErrorCode(err) != catalog.EINVALID {
				t.Fatalf("decodeCursor(%q): %v, want INVALID", s, err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("decodeCursor(%q) = %d", s, n)
		}
		if m, err := decodeCursor(encodeCursor(n)); err != nil || m != n {
			t.Fatalf("round trip of %d: %d, %v", n, m, err)
		}
	})
}
