package federation

import (
	"fmt"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// TestKeySet: what was added is found, under its kind only; duplicates
// count once; 8 bytes a key.
func TestKeySet(t *testing.T) {
	s := NewKeySet()
	for i := range 10_000 {
		s.Add(catalog.KindResponsibility, fmt.Sprintf("HE.ZS.%010d", i))
	}
	s.Add(catalog.KindOffice, "HE.OE.0000000001")
	s.Add(catalog.KindOffice, "HE.OE.0000000001")
	s.Freeze()
	if s.Len() != 10_001 {
		t.Errorf("Len = %d, want 10001", s.Len())
	}
	for i := range 10_000 {
		if !s.Has(catalog.KindResponsibility, fmt.Sprintf("HE.ZS.%010d", i)) {
			t.Fatalf("responsibility %d not found", i)
		}
	}
	for _, c := range []struct {
		k  catalog.Kind
		id string
	}{{catalog.KindOffice, "HE.ZS.0000000001"}, {catalog.KindResponsibility, "HE.ZS.0000010000"}, {catalog.KindService, "HE.OE.0000000001"}} {
		if s.Has(c.k, c.id) {
			t.Errorf("%s %s found, never added", c.k, c.id)
		}
	}
	if !s.Has(catalog.KindOffice, "HE.OE.0000000001") {
		t.Error("office not found")
	}
	if c := cap(s.h); c > 10_001+10_001/8 {
		t.Errorf("capacity %d for 10001 keys", c)
	}
}
