package federation

import (
	"github.com/prometheus/client_golang/prometheus"
)

// NewCollector returns the Prometheus collector of the mirror: one series
// per configured peer (label peer) for every number of its Status, read at
// scrape time.
func NewCollector(m *Mirror) prometheus.Collector { return mirrorCollector{m} }

type mirrorCollector struct{ m *Mirror }

type statusMetric struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value func(Status) float64
}

func newStatusMetric(name, help string, typ prometheus.ValueType, value func(Status) float64) statusMetric {
	return statusMetric{prometheus.NewDesc(name, help, []string{"peer"}, nil), typ, value}
}

var statusMetrics = []statusMetric{
	newStatusMetric("leistungsfinder_federation_revision", "Peer log revision the mirror has applied.", prometheus.GaugeValue,
		func(s Status) float64 { return float64(s.Revision) }),
	newStatusMetric("leistungsfinder_federation_head_revision", "Peer log revision as of its last answer.", prometheus.GaugeValue,
		func(s Status) float64 { return float64(s.HeadRevision) }),
	newStatusMetric("leistungsfinder_federation_lag_revisions", "Revisions the mirror is behind the peer.", prometheus.GaugeValue,
		func(s Status) float64 { return float64(s.LagRevisions) }),
	newStatusMetric("leistungsfinder_federation_lag_seconds", "Age of the oldest change of the peer not applied yet.", prometheus.GaugeValue,
		func(s Status) float64 { return s.LagSeconds }),
	newStatusMetric("leistungsfinder_federation_last_success_timestamp_seconds", "Unix time of the last successful pull.", prometheus.GaugeValue,
		func(s Status) float64 {
			if s.LastSuccess.IsZero() {
				return 0
			}
			return float64(s.LastSuccess.UnixNano()) / 1e9
		}),
	newStatusMetric("leistungsfinder_federation_consecutive_errors", "Failures since the last success.", prometheus.GaugeValue,
		func(s Status) float64 { return float64(s.ConsecutiveErrors) }),
	newStatusMetric("leistungsfinder_federation_quarantined", "Records of the peer in quarantine.", prometheus.GaugeValue,
		func(s Status) float64 { return float64(s.Quarantined) }),
	newStatusMetric("leistungsfinder_federation_degraded", "1 while the peer's last answer was refused (nothing applied, nothing deleted) or some of its records are quarantined.", prometheus.GaugeValue,
		func(s Status) float64 {
			if s.Degraded != "" {
				return 1
			}
			return 0
		}),
	newStatusMetric("leistungsfinder_federation_up", "1 if the last pull succeeded.", prometheus.GaugeValue,
		func(s Status) float64 {
			if s.ConsecutiveErrors == 0 && !s.LastSuccess.IsZero() {
				return 1
			}
			return 0
		}),
	newStatusMetric("leistungsfinder_federation_applied_total", "Records applied since start.", prometheus.CounterValue,
		func(s Status) float64 { return float64(s.Applied) }),
	newStatusMetric("leistungsfinder_federation_skipped_total", "Records skipped (already applied or owned here) since start.", prometheus.CounterValue,
		func(s Status) float64 { return float64(s.Skipped) }),
	newStatusMetric("leistungsfinder_federation_errors_total", "Failed pulls since start.", prometheus.CounterValue,
		func(s Status) float64 { return float64(s.Errors) }),
	newStatusMetric("leistungsfinder_federation_refused_total", "Pages or snapshots refused (unsigned, malformed, short, shrunken) since start.", prometheus.CounterValue,
		func(s Status) float64 { return float64(s.Refused) }),
	newStatusMetric("leistungsfinder_federation_resyncs_total", "Snapshot resyncs completed.", prometheus.CounterValue,
		func(s Status) float64 { return float64(s.Resyncs) }),
}

func (c mirrorCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range statusMetrics {
		ch <- m.desc
	}
}

func (c mirrorCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.m.Status() {
		for _, m := range statusMetrics {
			ch <- prometheus.MustNewConstMetric(m.desc, m.typ, m.value(s), s.Peer)
		}
	}
}
