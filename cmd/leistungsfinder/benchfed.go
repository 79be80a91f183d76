package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// mirrorPortal is the portal ID of the mirroring instance the federation
// target starts: any ID other than the publisher's.
const mirrorPortal = "MIRROR"

// fedReport is what the federation target measured.
type fedReport struct {
	// Snapshot resync of an empty mirror.
	PublisherRecords int // records of the publisher's origin when the mirror started
	MirroredRecords  int // records of that origin in the mirror after the resync
	MissingRecords   int // publisher records the mirror lacks (kind and ID)
	Resync           time.Duration
	ResyncCPU        time.Duration
	PeakHeap         uint64 // bytes of Go heap objects (garbage not yet collected included), sampled
	PeakLiveHeap     uint64 // bytes of live heap after a collection, sampled
	PeakRSS          uint64 // bytes, the process's high-water mark (both instances)
	IndexCatchUp     time.Duration
	// Lag at the write rate right after the resync, while the mirror
	// still removes the staged items and its search index catches up.
	lagFigures
	// Settle is how long the mirror took after that phase until its
	// staged items were removed and its index had caught up; Steady is
	// the lag measured then (the steady state the target is about).
	Settle time.Duration
	Steady lagFigures
}

// lagFigures is what one lag phase measured.
type lagFigures struct {
	Writes, Arrived, WriteErrors int
	WriteRate                    float64 // achieved
	WriteP50, WriteP99           time.Duration
	LagP50, LagP99, LagMax       time.Duration
}

// benchFederation measures federation between the in-process server (the
// publisher) and a second instance started here on a fresh data directory
// (the mirror), on loopback, as two portals federate: the mirror is
// configured with `peer add`'s data (the publisher's URL, a PEER token of
// the publisher and its public key) and mirrors it with the server's own
// puller and its default options.
//
// (a) Snapshot resync: the publisher's change log is compacted to its last
// revision first (what its retention does to an old log), so that the
// empty mirror's first request is answered 410 Gone and it resyncs from
// the snapshot. Measured from the mirror's start until the snapshot is
// swapped in; afterwards every record of the publisher's origin is looked
// up in the mirror.
//
// (b) Lag: writes at f.writeRate per second for f.fedDur, each an
// updateOffice command through the catalogue's write path on an existing
// office, as a state editor. A write's lag runs from its commit (the
// command returned) until the mirror's store holds that version. The
// mirror long-polls the feed (PullerOptions' default wait), so a commit is
// sent at once, not at the next poll.
//
// (c) Lag in the steady state: (b) runs right after the resync, while the
// mirror still removes the snapshot's staged items and its search index
// catches up, on the same cores and disk. Then the bench waits until
// both are done (reporting how long that took) and measures (b) again.
func benchFederation(ctx context.Context, f benchFlags, srv *Server, stdout io.Writer) (*fedReport, error) {
	log := newLogger(stdout, "info").With("target", "federation")
	if srv == nil {
		return nil, errors.New("federation: needs the in-process server as publisher (no -url)")
	}
	if f.data != "" && !f.allowWrites {
		return nil, fmt.Errorf("federation: the target writes to the publisher's data directory %s (compacts its change log, updates offices, adds editors): run it on a copy and add -allow-writes", f.data)
	}
	if f.writeRate < 1 || f.fedDur <= 0 {
		return nil, errors.New("federation: -write-rate and -fed-d must be positive")
	}
	fmt.Fprintf(stdout, "\n== federation: snapshot resync of an empty mirror, then lag at %d writes/s for %s\n", f.writeRate, f.fedDur)
	rep := &fedReport{}
	pub := srv.Store
	portal := pub.Portal()

	// An old log is compacted by the publisher's retention; do it now so
	// that a new mirror cannot replay the log and must take the snapshot.
	if head := pub.Revision(); head > 1 {
		start := time.Now()
		n, err := pub.Compact(ctx, head-1)
		if err != nil {
			return nil, fmt.Errorf("federation: compacting the publisher's log: %w", err)
		}
		log.Info("federation: publisher's change log compacted, so that an empty mirror resyncs from the snapshot", "removed", n, "took", time.Since(start))
	}
	peerToken, _, err := pub.CreateEditor(ctx, nil, catalog.Editor{Name: "bench mirror", Role: catalog.AccessPeer})
	if err != nil {
		return nil, err
	}
	editorToken, _, err := pub.CreateEditor(ctx, nil, catalog.Editor{Name: "bench writer", Role: catalog.AccessStateEditor})
	if err != nil {
		return nil, err
	}
	editor, err := pub.Authenticate(ctx, editorToken, "127.0.0.1")
	if err != nil {
		return nil, err
	}
	key, err := federation.LoadOrCreateKey(filepath.Join(srv.DataDir, "federation.key"))
	if err != nil {
		return nil, err
	}
	pubKey := key.Public().(ed25519.PublicKey)

	mdir, err := os.MkdirTemp("", "leistungsfinder-bench-mirror-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(mdir)
	err = withStoreOptions(mdir, catalog.Options{Portal: mirrorPortal}, func(st *catalog.Store) error {
		_, err := federation.AddPeer(ctx, st, federation.Peer{ID: portal, URL: srv.URL(), Token: peerToken,
			PublicKey: federation.JWK(pubKey, federation.KeyID(pubKey)), RegionKey: f.fedARS})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("federation: peer add on the mirror: %w", err)
	}
	var want map[catalog.Kind][]string
	if err := pub.View(ctx, func(tx *catalog.Tx) error { want = tx.RecordIDsOfOrigin(portal); return nil }); err != nil {
		return nil, err
	}
	for _, ids := range want {
		rep.PublisherRecords += len(ids)
	}

	// (a) Snapshot resync.
	resetPeakRSS()
	cpu0, start := processCPU(), time.Now()
	// A snapshot is swapped in by one transaction, which holds what it
	// writes in memory until it commits: on a shared machine, stop before
	// that takes the machine's memory.
	peak := sampleHeap(uint64(f.fedMaxHeapMB)<<20, func(heap uint64) {
		log.Error("federation: aborting, the Go heap passed -fed-max-heap during the resync", "heap_mb", heap>>20,
			"limit_mb", f.fedMaxHeapMB, "elapsed", time.Since(start), "cpu", processCPU()-cpu0)
		writeHeapProfile(f.memProfile, log)
		pprof.StopCPUProfile() // flush what -cpuprofile has so far
		os.RemoveAll(mdir)
		os.Exit(3)
	})
	// The mirror's file grows to about the publisher's: on a shared disk,
	// stop before it fills up.
	diskDone := make(chan struct{})
	defer close(diskDone)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-diskDone:
				return
			case <-t.C:
			}
			var fs syscall.Statfs_t
			if syscall.Statfs(mdir, &fs) == nil && f.fedMinFreeMB > 0 && fs.Bavail*uint64(fs.Bsize) < uint64(f.fedMinFreeMB)<<20 {
				log.Error("federation: aborting, less than -fed-min-free left on the mirror's disk", "free_mb", fs.Bavail*uint64(fs.Bsize)>>20,
					"limit_mb", f.fedMinFreeMB, "elapsed", time.Since(start), "cpu", processCPU()-cpu0)
				os.RemoveAll(mdir)
				os.Exit(3)
			}
		}
	}()
	mirror := &Server{Addr: "127.0.0.1:0", DataDir: mdir, Portal: mirrorPortal, NoDemo: true, GCPercent: srv.GCPercent, GCMinHeapMB: srv.GCMinHeapMB,
		Log: log.With("instance", "mirror")}
	if err := mirror.Open(ctx); err != nil {
		mirror.Close()
		peak.stop()
		return nil, fmt.Errorf("federation: starting the mirror: %w", err)
	}
	defer mirror.Close()
	status := func() federation.Status {
		for _, s := range mirror.Mirror.Status() {
			if s.Peer == portal {
				return s
			}
		}
		return federation.Status{}
	}
	progress := time.NewTicker(3 * time.Second)
	defer progress.Stop()
	deadline := time.NewTimer(f.fedTimeout)
	defer deadline.Stop()
	for {
		changed := mirror.Store.Changed()
		s := status()
		if s.Resyncs > 0 {
			break
		}
		if s.Refused > 0 {
			peak.stop()
			return nil, fmt.Errorf("federation: the mirror refused the snapshot: %s", s.LastError)
		}
		select {
		case <-changed:
		case <-progress.C:
			log.Info("federation: resync progress", "elapsed", time.Since(start).Round(time.Second), "state", s.State,
				"cpu", (processCPU() - cpu0).Round(time.Second), "heap_mb", peak.current()>>20, "rss_mb", rss("VmRSS")>>20, "last_error", s.LastError)
		case <-deadline.C:
			peak.stop()
			return nil, fmt.Errorf("federation: the resync did not finish within %s (-fed-timeout); state %s, last error %q", f.fedTimeout, s.State, s.LastError)
		case <-ctx.Done():
			peak.stop()
			return nil, ctx.Err()
		}
	}
	rep.Resync, rep.ResyncCPU = time.Since(start), processCPU()-cpu0
	writeHeapProfile(f.memProfile, log)
	rep.PeakHeap, rep.PeakLiveHeap = peak.stop()
	rep.PeakRSS = rss("VmHWM")
	err = mirror.Store.View(ctx, func(tx *catalog.Tx) error {
		got := tx.RecordIDsOfOrigin(portal)
		for kind, ids := range want {
			have := got[kind]
			rep.MirroredRecords += len(have)
			for _, id := range ids {
				if _, found := slices.BinarySearch(have, id); !found {
					rep.MissingRecords++
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	log.Info("federation: snapshot resync done", "records", rep.PublisherRecords, "mirrored", rep.MirroredRecords, "missing", rep.MissingRecords,
		"took", rep.Resync, "cpu", rep.ResyncCPU, "records_per_s", int(float64(rep.MirroredRecords)/rep.Resync.Seconds()),
		"peak_heap_mb", rep.PeakHeap>>20, "peak_live_heap_mb", rep.PeakLiveHeap>>20, "peak_rss_mb", rep.PeakRSS>>20)

	// The mirror's search index follows its change log: let it catch up
	// with the swap before measuring lag, and say how long that took.
	start = time.Now()
	for mirror.Index.Revision() < mirror.Store.Revision() {
		select {
		case <-progress.C:
			log.Info("federation: mirror's search index catching up", "index_revision", mirror.Index.Revision(), "store_revision", mirror.Store.Revision())
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	rep.IndexCatchUp = time.Since(start)
	log.Info("federation: mirror's search index caught up", "took", rep.IndexCatchUp)

	// (b) Lag, right after the resync.
	if err := benchLag(ctx, f, pub, mirror.Store, editor, portal, &rep.lagFigures, log.With("phase", "after resync")); err != nil {
		return nil, err
	}
	// (c) Lag in the steady state: once the mirror has removed the staged
	// items of the snapshot (in the background, beside the feed) and its
	// search index has caught up with its store, both of which share the
	// cores and the disk with the writes right after a resync.
	start = time.Now()
	settle := time.NewTicker(200 * time.Millisecond)
	defer settle.Stop()
	for {
		left, err := federation.LeftoverStaging(ctx, mirror.Store, portal)
		if err != nil {
			return nil, err
		}
		behind := mirror.Store.Revision() - min(mirror.Index.Revision(), mirror.Store.Revision())
		if !left && behind == 0 {
			break
		}
		select {
		case <-settle.C:
		case <-progress.C:
			log.Info("federation: waiting for the mirror to settle", "elapsed", time.Since(start).Round(time.Second),
				"staged_items_left", left, "index_behind_revisions", behind)
		case <-deadline.C:
			return nil, fmt.Errorf("federation: the mirror did not settle within -fed-timeout (staged items left %v, index %d revisions behind)", left, behind)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	rep.Settle = time.Since(start)
	log.Info("federation: mirror settled (staged items removed, search index caught up)", "took", rep.Settle)
	if err := benchLag(ctx, f, pub, mirror.Store, editor, portal, &rep.Steady, log.With("phase", "steady")); err != nil {
		return nil, err
	}
	log.Info("federation: summary", "records", rep.PublisherRecords, "mirrored", rep.MirroredRecords, "missing", rep.MissingRecords,
		"resync", rep.Resync, "resync_cpu", rep.ResyncCPU, "peak_heap_mb", rep.PeakHeap>>20, "peak_live_heap_mb", rep.PeakLiveHeap>>20, "peak_rss_mb", rep.PeakRSS>>20,
		"index_catch_up", rep.IndexCatchUp, "write_rate", rep.WriteRate, "writes", rep.Writes, "arrived", rep.Arrived, "write_errors", rep.WriteErrors,
		"write_p50", rep.WriteP50, "write_p99", rep.WriteP99, "lag_p50", rep.LagP50, "lag_p99", rep.LagP99, "lag_max", rep.LagMax,
		"settle", rep.Settle, "steady_write_rate", rep.Steady.WriteRate, "steady_writes", rep.Steady.Writes, "steady_arrived", rep.Steady.Arrived,
		"steady_write_errors", rep.Steady.WriteErrors, "steady_write_p50", rep.Steady.WriteP50, "steady_write_p99", rep.Steady.WriteP99,
		"steady_lag_p50", rep.Steady.LagP50, "steady_lag_p99", rep.Steady.LagP99, "steady_lag_max", rep.Steady.LagMax,
		"puller_wait", "default (long poll)")
	for _, l := range []lagFigures{rep.lagFigures, rep.Steady} {
		if rep.MissingRecords > 0 || l.Arrived < l.Writes || l.WriteErrors > 0 {
			return rep, fmt.Errorf("federation: %d records missing after the resync, %d of %d writes arrived, %d writes failed",
				rep.MissingRecords, l.Arrived, l.Writes, l.WriteErrors)
		}
	}
	return rep, nil
}

// lagWrite is one write of the lag phase: the office's revision before it,
// when the command returned, and when the mirror first held it.
type lagWrite struct {
	office         string
	before         uint64
	commit, seenAt time.Time
}

// benchLag drives updateOffice commands at f.writeRate for f.fedDur and
// measures each one's arrival in the mirror, watching the mirror's commits.
func benchLag(ctx context.Context, f benchFlags, pub, mst *catalog.Store, editor *catalog.Principal, portal string, rep *lagFigures, log *slog.Logger) error {
	// Offices of the publisher, each written by one writer only, so that
	// the expected revisions never conflict.
	type office struct {
		id  string
		rev uint64
	}
	var offices []office
	err := pub.View(ctx, func(tx *catalog.Tx) error {
		return tx.Each(catalog.KindOffice, func(r catalog.Record) (bool, error) {
			if m := catalog.MetaOf(r); m.Origin == portal {
				offices = append(offices, office{m.ID, m.Revision})
			}
			return len(offices) < 4000, nil
		})
	})
	if err != nil {
		return err
	}
	if len(offices) == 0 {
		return errors.New("federation: the publisher has no offices to update")
	}
	const writers = 8

	var mu sync.Mutex
	var writes []*lagWrite
	var unseen []*lagWrite
	check := func() {
		mu.Lock()
		todo := slices.Clone(unseen)
		mu.Unlock()
		if len(todo) == 0 {
			return
		}
		seen := map[*lagWrite]bool{}
		mst.View(ctx, func(tx *catalog.Tx) error {
			for _, w := range todo {
				if r, err := tx.Get(catalog.KindOffice, w.office); err == nil && catalog.MetaOf(r).OriginRevision > w.before {
					seen[w] = true
				}
			}
			return nil
		})
		now := time.Now()
		mu.Lock()
		unseen = slices.DeleteFunc(unseen, func(w *lagWrite) bool {
			if seen[w] {
				w.seenAt = now
			}
			return seen[w]
		})
		mu.Unlock()
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			changed := mst.Changed()
			check()
			select {
			case <-changed:
			case <-watchCtx.Done():
				return
			}
		}
	}()
	defer func() { stopWatch(); <-watched }()

	var failed atomic.Int64
	var firstErr atomic.Value
	slots := make(chan time.Time, f.writeRate)
	runCtx, stop := context.WithTimeout(ctx, f.fedDur)
	defer stop()
	go func() {
		defer close(slots)
		interval := time.Second / time.Duration(f.writeRate)
		next := time.Now()
		for runCtx.Err() == nil {
			for !time.Now().Before(next) && runCtx.Err() == nil {
				select {
				case slots <- next: // late, not lost, when the writers are behind
				case <-runCtx.Done():
				}
				next = next.Add(interval)
			}
			time.Sleep(time.Until(next))
		}
	}()
	var writeLat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for wr := 0; wr < writers; wr++ {
		wg.Go(func() {
			var mine []*office
			for i := wr; i < len(offices); i += writers {
				mine = append(mine, &offices[i])
			}
			n := 0
			var lat []time.Duration
			for slot := range slots {
				if len(mine) == 0 {
					continue
				}
				o := mine[n%len(mine)]
				n++
				w := &lagWrite{office: o.id, before: o.rev}
				mu.Lock()
				writes = append(writes, w)
				unseen = append(unseen, w)
				mu.Unlock()
				note := i18n.Version{Value: "Stufenloser Zugang über den Hof, Stand " + strconv.Itoa(n) + "/" + strconv.Itoa(wr)}
				res, err := pub.Apply(ctx, editor, catalog.UpdateOffice{ID: o.id, ExpectedRevision: o.rev,
					Patch: catalog.OfficePatch{Accessibility: catalog.Set(catalog.TextPatch{string(i18n.DE): &note})}}, "bench: federation lag")
				now := time.Now()
				mu.Lock()
				w.commit = now
				if err != nil {
					writes = slices.DeleteFunc(writes, func(x *lagWrite) bool { return x == w })
					unseen = slices.DeleteFunc(unseen, func(x *lagWrite) bool { return x == w })
				}
				mu.Unlock()
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				o.rev = catalog.MetaOf(res.Record).Revision
				lat = append(lat, now.Sub(slot))
			}
			mu.Lock()
			writeLat = append(writeLat, lat...)
			mu.Unlock()
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	progress := time.NewTicker(3 * time.Second)
	defer progress.Stop()
	report := func(msg string) {
		mu.Lock()
		n, pending := len(writes), len(unseen)
		mu.Unlock()
		log.Info(msg, "elapsed", time.Since(start).Round(time.Second), "writes", n, "arrived", n-pending, "pending", pending, "write_errors", failed.Load())
	}
writing:
	for {
		select {
		case <-done:
			break writing
		case <-progress.C:
			report("federation: lag progress")
		}
	}
	elapsed := time.Since(start)
	// Wait for the rest to arrive, up to a bound.
	drain := time.NewTimer(time.Minute)
	defer drain.Stop()
waiting:
	for {
		changed := mst.Changed()
		check()
		mu.Lock()
		pending := len(unseen)
		mu.Unlock()
		if pending == 0 {
			break
		}
		select {
		case <-changed:
		case <-progress.C:
			report("federation: waiting for the last writes")
		case <-drain.C:
			log.Warn("federation: writes still missing in the mirror after a minute", "missing", pending)
			break waiting
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var lags []time.Duration
	for _, w := range writes {
		if !w.seenAt.IsZero() {
			lags = append(lags, max(0, w.seenAt.Sub(w.commit)))
		}
	}
	rep.Writes, rep.Arrived, rep.WriteErrors = len(writes), len(lags), int(failed.Load())
	rep.WriteRate = float64(len(writes)) / elapsed.Seconds()
	rep.WriteP50, rep.WriteP99, _ = percentiles(writeLat)
	rep.LagP50, rep.LagP99, rep.LagMax = percentiles(lags)
	if e, _ := firstErr.Load().(error); e != nil {
		log.Warn("federation: writes failed", "count", failed.Load(), "first", e.Error())
	}
	log.Info("federation: lag", "writes", rep.Writes, "arrived", rep.Arrived, "write_rate", rep.WriteRate,
		"write_p50", rep.WriteP50, "write_p99", rep.WriteP99, "lag_p50", rep.LagP50, "lag_p99", rep.LagP99, "lag_max", rep.LagMax)
	return nil
}

// heapSampler samples the Go heap until stop: the heap objects (what the
// heap occupies, garbage not yet collected included; with the server's
// GC target of 400 % up to five times the live heap) and the live heap
// as of the last collection.
type heapSampler struct {
	peak, cur, peakLive atomic.Uint64
	done                chan struct{}
	stopped             chan struct{}
}

// sampleHeap samples the Go heap every 50 ms until stop; when the heap
// objects pass limit (0: none) it calls over once.
func sampleHeap(limit uint64, over func(heap uint64)) *heapSampler {
	h := &heapSampler{done: make(chan struct{}), stopped: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	called := false
	read := func() {
		metrics.Read(sample)
		v := sample[0].Value.Uint64()
		h.cur.Store(v)
		if v > h.peak.Load() {
			h.peak.Store(v)
		}
		if l := sample[1].Value.Uint64(); l > h.peakLive.Load() {
			h.peakLive.Store(l)
		}
		if limit > 0 && v > limit && !called {
			called = true
			over(v)
		}
	}
	go func() {
		defer close(h.stopped)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-t.C:
			case <-h.done:
				return
			}
		}
	}()
	return h
}

func (h *heapSampler) current() uint64 { return h.cur.Load() }

// stop ends the sampling and returns the peaks of the heap objects and
// of the live heap.
func (h *heapSampler) stop() (objects, live uint64) {
	select {
	case <-h.done:
	default:
		close(h.done)
	}
	<-h.stopped
	return h.peak.Load(), h.peakLive.Load()
}

// resetPeakRSS resets the process's RSS high-water mark (VmHWM), where
// Linux allows it.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// rss returns a field of /proc/self/status in bytes (VmRSS, VmHWM), or 0.
func rss(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok || string(name) != field {
			continue
		}
		fields := bytes.Fields(rest)
		if len(fields) > 0 {
			kb, _ := strconv.ParseUint(string(fields[0]), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// writeHeapProfile writes the live heap to path (-memprofile), if given.
func writeHeapProfile(path string, log *slog.Logger) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = errors.Join(pprof.Lookup("heap").WriteTo(f, 0), f.Close())
	}
	if err != nil {
		log.Warn("federation: writing the heap profile", "err", err)
	}
}
