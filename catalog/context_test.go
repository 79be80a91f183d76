package catalog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// TestContextErrors: a request whose deadline has passed gets TIMEOUT (not
// INTERNAL, which would page an operator for a slow client); a cancelled
// one gets context.Canceled; both for reads and writes.
func TestContextErrors(t *testing.T) {
	st := catalogtest.Open(t, catalog.Options{})
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	read := func(ctx context.Context) error { return st.View(ctx, func(*catalog.Tx) error { return nil }) }
	shared := func(ctx context.Context) error { return st.ViewShared(ctx, func(*catalog.Tx) error { return nil }) }
	write := func(ctx context.Context) error { return st.Update(ctx, func(*catalog.Tx) error { return nil }) }
	// inside: the deadline passes while the transaction runs.
	inside := func(ctx context.Context) error {
		return st.View(context.Background(), func(*catalog.Tx) error { return ctx.Err() })
	}
	for name, op := range map[string]func(context.Context) error{"View": read, "ViewShared": shared, "Update": write, "InsideView": inside} {
		t.Run(name, func(t *testing.T) {
			if err := op(expired); catalog.ErrorCode(err) != catalog.ETIMEOUT || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("deadline passed: %v (code %s), want TIMEOUT wrapping context.DeadlineExceeded", err, catalog.ErrorCode(err))
			}
			if err := op(cancelled); !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled: %v, want context.Canceled", err)
			}
		})
	}
}
