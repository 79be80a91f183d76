package federation

import (
	"context"
	"fmt"
	"sync"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Mirror runs one Puller per configured peer.
type Mirror struct {
	st  *catalog.Store
	opt PullerOptions

	mu      sync.Mutex
	pullers []*Puller
}

// NewMirror returns a mirror of the peers configured in st (AddPeer).
func NewMirror(st *catalog.Store, opt PullerOptions) *Mirror {
	return &Mirror{st: st, opt: opt}
}

// Run starts a puller for every configured peer and returns when ctx ends
// and all pullers have stopped. Peers added later are picked up by the
// next Run (restart).
//
// Errors: INVALID for a peer whose stored configuration is unusable (the
// others still run), INTERNAL.
func (m *Mirror) Run(ctx context.Context) error {
	peers, err := Peers(ctx, m.st)
	if err != nil {
		return err
	}
	var pullers []*Puller
	var errs []error
	for _, pe := range peers {
		p, err := NewPuller(m.st, pe.ID, m.opt)
		if err != nil {
			errs = append(errs, fmt.Errorf("peer %s: %w", pe.ID, err))
			if m.opt.Logger != nil {
				m.opt.Logger.Error("federation peer not started", "peer", pe.ID, "err", err)
			}
			continue
		}
		pullers = append(pullers, p)
	}
	m.mu.Lock()
	m.pullers = pullers
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range pullers {
		wg.Go(func() { p.Run(ctx) })
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// Status returns the status of every running puller, in peer ID order.
func (m *Mirror) Status() []Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Status, len(m.pullers))
	for i, p := range m.pullers {
		out[i] = p.Status()
	}
	return out
}
