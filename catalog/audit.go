package catalog

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Refused requests are recorded in the audit log like writes, but a flood
// of them (a script hammering with a revoked token, anonymous mutations)
// must not fill the disk: per caller (actor and address) at most
// refusalsPerCaller entries a minute are written, and at most
// refusalsTotal from all callers together. What is left out is counted,
// and the caller's next recorded entry says how many (Suppressed).
const (
	refusalsPerCaller = 30
	refusalsTotal     = 600
	refusalWindow     = time.Minute
	refusalCallers    = 10000 // callers tracked per window; more share one count
)

type refusalLimiter struct {
	mu      sync.Mutex
	window  time.Time
	total   int
	callers map[string]*refusalCount
}

type refusalCount struct{ recorded, suppressed int }

// admit decides whether a refusal of caller is recorded now. It returns
// how many of the caller's refusals were left out since its last recorded
// one, and whether this is the first one left out in this window (to log
// it once).
func (l *refusalLimiter) admit(now time.Time, caller string) (record bool, suppressed int, firstDropped bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.callers == nil || now.Sub(l.window) >= refusalWindow || now.Before(l.window) {
		next := map[string]*refusalCount{}
		for k, c := range l.callers {
			if c.suppressed > 0 { // still to be reported
				next[k] = &refusalCount{suppressed: c.suppressed}
			}
		}
		l.callers, l.window, l.total = next, now, 0
	}
	c := l.callers[caller]
	if c == nil {
		if len(l.callers) >= refusalCallers {
			caller = "(other callers)"
			c = l.callers[caller]
		}
		if c == nil {
			c = &refusalCount{}
			l.callers[caller] = c
		}
	}
	if c.recorded >= refusalsPerCaller || l.total >= refusalsTotal {
		c.suppressed++
		return false, 0, c.suppressed == 1
	}
	c.recorded++
	l.total++
	suppressed, c.suppressed = c.suppressed, 0
	return true, suppressed, false
}

// RecordRefusal writes a refused request to the audit log in a transaction
// of its own, rate-limited (see refusalsPerCaller). It never fails the
// request: a refusal that cannot be recorded is logged.
func (s *Store) RecordRefusal(p *Principal, e AuditEntry) {
	caller := p.Name() // "system" for the operator's command line (nil)
	if p != nil {
		caller += "|" + p.Address
	}
	ok, suppressed, first := s.refusals.admit(s.now(), caller)
	if !ok {
		if first {
			s.log.Warn("audit: too many refused requests from one caller; further ones this minute are counted, not recorded",
				"caller", caller, "op", e.Op)
		}
		return
	}
	e.Suppressed = suppressed
	if err := s.db.Update(func(bt *bolt.Tx) error { return appendAudit(bt, s.now(), p, e) }); err != nil {
		s.log.Error("audit of a refused request failed", "err", err, "op", e.Op, "actor", p.Name())
	}
}

// refusal is the audit entry of a refused operation.
func refusal(op, kind, id string, err error) AuditEntry {
	return AuditEntry{Op: op, Kind: kind, ID: id, Outcome: ErrorCode(err), Message: ErrorMessage(err)}
}

// AuditRetention bounds the audit log. Zero values keep everything.
type AuditRetention struct {
	// MaxAge removes entries older than this.
	MaxAge time.Duration
	// MaxEntries keeps only this many of the newest entries.
	MaxEntries int
}

// AuditTrim says what TrimAudit removed, for the operator's log.
type AuditTrim struct {
	Removed           int
	FirstSeq, LastSeq uint64
	Oldest, Newest    time.Time
}

// AuditSize returns how many entries the audit log holds and the time of
// the oldest one.
func (s *Store) AuditSize() (entries int, oldest time.Time, err error) {
	err = s.db.View(func(bt *bolt.Tx) error {
		c := bt.Bucket(bucketAudit).Cursor()
		fk, fv := c.First()
		lk, _ := c.Last()
		if fk == nil {
			return nil
		}
		// Sequences are consecutive and trimming removes only the oldest.
		entries = int(readU64(lk) - readU64(fk) + 1)
		var e AuditEntry
		if json.Unmarshal(fv, &e) == nil {
			oldest = e.Time
		}
		return nil
	})
	return entries, oldest, wrapStoreErr(err)
}

// TrimAudit removes the oldest audit entries beyond the retention and
// reports what it removed; callers log it, so nothing is trimmed
// silently. It works in transactions of at most 10,000 entries.
func (s *Store) TrimAudit(ctx context.Context, r AuditRetention) (AuditTrim, error) {
	var out AuditTrim
	if r.MaxAge <= 0 && r.MaxEntries <= 0 {
		return out, nil
	}
	cutoff := s.now().Add(-r.MaxAge)
	for {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		n := 0
		err := s.db.Update(func(bt *bolt.Tx) error {
			c := bt.Bucket(bucketAudit).Cursor()
			lk, _ := c.Last()
			if lk == nil {
				return nil
			}
			last := readU64(lk)
			for k, v := c.First(); k != nil && n < 10000; k, v = c.First() {
				seq := readU64(k)
				var e AuditEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return err
				}
				tooMany := r.MaxEntries > 0 && last-seq+1 > uint64(r.MaxEntries)
				tooOld := r.MaxAge > 0 && e.Time.Before(cutoff)
				if !tooMany && !tooOld {
					break
				}
				if err := c.Delete(); err != nil {
					return err
				}
				if out.Removed == 0 && n == 0 {
					out.FirstSeq, out.Oldest = seq, e.Time
				}
				out.LastSeq, out.Newest = seq, e.Time
				n++
			}
			return nil
		})
		if err != nil {
			return out, wrapStoreErr(err)
		}
		out.Removed += n
		if n < 10000 {
			return out, nil
		}
	}
}
