package catalog_test

import (
	"context"
	"errors"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// TestChangesSinceCompacted: a reader behind the compacted part of the log
// gets ErrCompacted (NOT_FOUND, rule "compacted"); one at the first kept
// revision reads on.
func TestChangesSinceCompacted(t *testing.T) {
	st := catalogtest.Open(t, catalog.Options{})
	catalogtest.PutRegions(t, st) // one revision per region
	last := st.Revision()
	if _, err := st.Compact(context.Background(), last-2); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	err := st.View(context.Background(), func(tx *catalog.Tx) error {
		_, err := tx.ChangesSince(0, 10)
		if !errors.Is(err, catalog.ErrCompacted) || catalog.ErrorCode(err) != catalog.ENOTFOUND {
			t.Errorf("ChangesSince(0) = %v, want ErrCompacted (NOT_FOUND)", err)
		}
		ch, err := tx.ChangesSince(last-2, 10)
		if err != nil || len(ch) != 2 {
			t.Errorf("ChangesSince(%d) = %d changes, %v; want the 2 kept", last-2, len(ch), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if errors.Is(catalog.Errorf(catalog.ENOTFOUND, "no such service"), catalog.ErrCompacted) {
		t.Error("a plain NOT_FOUND matches ErrCompacted")
	}
}
