package catalog

import (
	"encoding/json"
	"testing"
	"time"
)

// revisionFromHead reads the revision of records as the store encodes
// them, and leaves everything it is not sure of to the decoder.
func TestRevisionFromHead(t *testing.T) {
	o := &Office{Meta: Meta{ID: "BY.OE.0000000042", Origin: "BY", Revision: 1234567, Version: 3, UpdatedAt: time.Now()}}
	raw, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if rev, ok := revisionFromHead(raw); !ok || rev != 1234567 {
		t.Errorf("stored office: %d, %v; want 1234567", rev, ok)
	}
	for _, c := range []string{
		`{"id":"A\"B","origin":"BY","rev":7}`,                 // an escape in the ID
		`{"origin":"BY","id":"A","rev":7}`,                    // another order
		`{"id":"A","origin":"BY","ver":1,"rev":7}`,            // rev not where Meta puts it
		`{"id":"A","origin":"BY","rev":-7}`,                   // not a revision
		`{"id":"A","origin":"BY","rev":7`,                     // cut short
		`{"id":"A","origin":"BY","rev":7.5}`,                  // not an integer
		`{"id":"A","origin":"BY","rev":99999999999999999999}`, // too large
	} {
		if rev, ok := revisionFromHead([]byte(c)); ok {
			t.Errorf("%s: read %d; want it left to the decoder", c, rev)
		}
	}
}
