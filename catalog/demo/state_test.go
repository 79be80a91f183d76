package demo

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// cancelOn is a log handler that cancels a context when a message is logged.
type cancelOn struct {
	slog.Handler
	msg    string
	cancel context.CancelFunc
}

func (cancelOn) Enabled(context.Context, slog.Level) bool { return true }

func (h cancelOn) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.cancel()
	}
	return nil
}

// A load interrupted after it has written part of the catalogue leaves the
// store as it was: nothing of it is served, and the next start loads it
// again. (Before, it committed in batches and a crash left a partial
// catalogue that was served silently.)
func TestInterruptedLoadLeavesNothing(t *testing.T) {
	st := mustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(cancelOn{Handler: slog.DiscardHandler, msg: "demo: written", cancel: cancel})
	if _, err := Load(ctx, st, log); err == nil {
		t.Fatal("Load after cancel: no error")
	}
	if st.Revision() != 0 {
		t.Errorf("revision %d after an interrupted load, want 0", st.Revision())
	}
	view(t, st, func(tx *catalog.Tx) {
		if n := tx.Count(catalog.KindRegion); n != 0 {
			t.Errorf("%d regions after an interrupted load, want 0", n)
		}
		if s := Inspect(tx); s.Loaded() {
			t.Errorf("Inspect = %+v, want nothing loaded", s)
		}
	})
}

// A store that an earlier version's load left incomplete is reported as
// such and completed by the next Load, keeping what is there.
func TestIncompleteLoadIsCompleted(t *testing.T) {
	st := mustOpen(t)
	c, err := build(testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	// What the batched loader committed before it was killed: the first
	// regions.
	err = st.Update(ctx, func(tx *catalog.Tx) error {
		for _, r := range c.regions[:200] {
			if err := tx.Put(r, catalog.Write{Actor: "demo", Reason: "demo catalogue"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	view(t, st, func(tx *catalog.Tx) {
		if s := Inspect(tx); !s.Incomplete || s.Complete {
			t.Errorf("Inspect = %+v, want Incomplete", s)
		}
	})
	sum, err := Load(ctx, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	view(t, st, func(tx *catalog.Tx) {
		if got := tx.Count(catalog.KindRegion); got != sum.Regions {
			t.Errorf("%d regions, want %d", got, sum.Regions)
		}
		if got := tx.Count(catalog.KindService); got != sum.Services {
			t.Errorf("%d services, want %d", got, sum.Services)
		}
		if s := Inspect(tx); !s.Complete || s.Summary != sum {
			t.Errorf("Inspect = %+v, want Complete with %+v", s, sum)
		}
	})
	if _, err := Load(ctx, st, testLogger(t)); catalog.ErrorCode(err) != catalog.ECONFLICT {
		t.Errorf("Load of a complete demo: %v, want CONFLICT", err)
	}
}

// The demo is Hessen's catalogue: another portal's store refuses it.
func TestLoadRefusesAnotherPortal(t *testing.T) {
	st, err := catalog.Open(filepath.Join(t.TempDir(), "catalog.db"), catalog.Options{Portal: "BY"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Load(ctx, st, testLogger(t)); catalog.ErrorCode(err) != catalog.EFORBIDDEN {
		t.Errorf("Load into BY: %v, want FORBIDDEN", err)
	}
	if st.Revision() != 0 {
		t.Errorf("revision %d, want 0", st.Revision())
	}
}
