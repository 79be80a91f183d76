package federation

import (
	"context"
	"fmt"
	"io"
	"strings"
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

// WriteMetrics writes the statuses in the Prometheus text exposition
// format, one series per peer (label peer), for /metrics.
func WriteMetrics(w io.Writer, statuses []Status) error {
	type metric struct {
		name, typ, help string
		value           func(Status) float64
	}
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	metrics := []metric{
		{"leistungsfinder_federation_revision", "gauge", "Peer log revision the mirror has applied.", func(s Status) float64 { return float64(s.Revision) }},
		{"leistungsfinder_federation_head_revision", "gauge", "Peer log revision as of its last answer.", func(s Status) float64 { return float64(s.HeadRevision) }},
		{"leistungsfinder_federation_lag_revisions", "gauge", "Revisions the mirror is behind the peer.", func(s Status) float64 { return float64(s.LagRevisions) }},
		{"leistungsfinder_federation_lag_seconds", "gauge", "Age of the oldest change of the peer not applied yet.", func(s Status) float64 { return s.LagSeconds }},
		{"leistungsfinder_federation_last_success_timestamp_seconds", "gauge", "Unix time of the last successful pull.", func(s Status) float64 {
			if s.LastSuccess.IsZero() {
				return 0
			}
			return float64(s.LastSuccess.UnixNano()) / 1e9
		}},
		{"leistungsfinder_federation_consecutive_errors", "gauge", "Failures since the last success.", func(s Status) float64 { return float64(s.ConsecutiveErrors) }},
		{"leistungsfinder_federation_quarantined", "gauge", "Records of the peer in quarantine.", func(s Status) float64 { return float64(s.Quarantined) }},
		{"leistungsfinder_federation_degraded", "gauge", "1 while the peer's last answer was refused (nothing applied, nothing deleted).", func(s Status) float64 { return b2f(s.Degraded != "") }},
		{"leistungsfinder_federation_up", "gauge", "1 if the last pull succeeded.", func(s Status) float64 { return b2f(s.ConsecutiveErrors == 0 && !s.LastSuccess.IsZero()) }},
		{"leistungsfinder_federation_applied_total", "counter", "Records applied since start.", func(s Status) float64 { return float64(s.Applied) }},
		{"leistungsfinder_federation_skipped_total", "counter", "Records skipped (already applied or owned here) since start.", func(s Status) float64 { return float64(s.Skipped) }},
		{"leistungsfinder_federation_errors_total", "counter", "Failed pulls since start.", func(s Status) float64 { return float64(s.Errors) }},
		{"leistungsfinder_federation_refused_total", "counter", "Pages or snapshots refused (unsigned, malformed, short, shrunken) since start.", func(s Status) float64 { return float64(s.Refused) }},
		{"leistungsfinder_federation_resyncs_total", "counter", "Snapshot resyncs completed.", func(s Status) float64 { return float64(s.Resyncs) }},
	}
	var b strings.Builder
	for _, m := range metrics {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", m.name, m.help, m.name, m.typ)
		for _, s := range statuses {
			fmt.Fprintf(&b, "%s{peer=%q} %g\n", m.name, s.Peer, m.value(s))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
