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
	loaded  bool
	pullers []*Puller
}

// NewMirror returns a mirror of the peers configured in st (AddPeer).
func NewMirror(st *catalog.Store, opt PullerOptions) *Mirror {
	return &Mirror{st: st, opt: opt}
}

// Load creates a puller for every configured peer without starting it, so
// that Status lists every peer from the moment the server answers, not only
// once the pullers' goroutines have begun. Run calls it when nobody has.
//
// Errors: INVALID for a peer whose stored configuration is unusable (the
// others are still loaded), INTERNAL.
func (m *Mirror) Load(ctx context.Context) error {
	peers, err := Peers(ctx, m.st)
	if err != nil {
		return err
	}
	var pullers []*Puller
	var first error
	for _, pe := range peers {
		p, err := NewPuller(m.st, pe.ID, m.opt)
		if err != nil {
			if first == nil {
				first = fmt.Errorf("peer %s: %w", pe.ID, err)
			}
			if m.opt.Logger != nil {
				m.opt.Logger.Error("federation peer not started", "peer", pe.ID, "err", err)
			}
			continue
		}
		pullers = append(pullers, p)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loaded, m.pullers = true, pullers
	return first
}

// Run starts the loaded pullers (loading them first when Load was not
// called) and returns when ctx ends and all pullers have stopped. Peers
// added later are picked up by the next Load and Run (restart).
//
// Errors: those of the Load it made.
func (m *Mirror) Run(ctx context.Context) error {
	m.mu.Lock()
	loaded := m.loaded
	m.mu.Unlock()
	var err error
	if !loaded {
		err = m.Load(ctx)
	}
	m.mu.Lock()
	pullers := m.pullers
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range pullers {
		wg.Go(func() { p.Run(ctx) })
	}
	wg.Wait()
	return err
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
