package federation

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
)

// xzufiProgress is how far the apply of one XZuFi snapshot of a peer got
// (key xzufi/<peer>). Every batch saves it in its own transaction, so that
// the next pull, after a restart or a failure, resumes there if it finds
// the same files (Digest); a different snapshot starts over.
type xzufiProgress struct {
	Digest  string    `json:"digest"`
	Started time.Time `json:"started"`
	// Next is the first item not applied yet; while a responsibility
	// waits for a service later in the files, the first such one (items
	// applied twice come out unchanged).
	Next itemPos `json:"next"`
	// Applied is set once every item has been applied; then the peer's
	// records the snapshot lacks are deleted, walking from Deleting on.
	Applied  bool      `json:"applied,omitempty"`
	Deleting deletePos `json:"deleting"`
	// Batches counts the transactions this snapshot took so far.
	Batches int           `json:"batches"`
	Summary ImportSummary `json:"summary"`
}

// xzufiDeleteReason is the history's reason for deleting a peer's record
// its XZuFi index no longer lists.
const xzufiDeleteReason = "federation (xzufi): not in the peer's index"

// errXZuFiMoved is another pull of the same peer (a second process)
// applying a snapshot meanwhile.
var errXZuFiMoved = catalog.Errorf(catalog.ECONFLICT, "another pull of this peer applied a batch meanwhile; pulling again")

// pullXZuFi mirrors a peer that publishes XZuFi 2.2 files with an
// index.txt (Peer.Kind KindXZuFi), from the stored state s.
//
//  1. The index is asked for conditionally (its ETag is the peer's
//     cursor); every listed file is fetched to a temporary directory and
//     read completely (OpenXZuFi), keeping only the records' keys (8 bytes
//     a record). Refused, with nothing applied and nothing deleted: an
//     empty index, a missing, truncated or unreadable file, a file with an
//     element XZuFi 2.2 does not have, and a snapshot that would delete
//     more than MaxShrink of the peer's records.
//  2. The files are read again and applied (Import's rules; an invalid
//     object is quarantined with its reason, its last good version
//     stays). A snapshot of at most AtomicItems items is applied in one
//     transaction with the deletions and the new cursor
//     (pullXZuFiAtomic): readers see the old catalogue or the new one.
//  3. A larger one is applied in transactions of SwapBatch items, each
//     saving how far it got (xzufiProgress), so that memory is bounded by
//     a batch and a restart resumes there; only then are the peer's
//     records the snapshot lacks deleted, in batches as well, and a last
//     transaction moves the cursor to the index's ETag
//     (pullXZuFiBatched). While it runs, readers see some of the peer's
//     records at the new version and others at the old one, as while a
//     feed's snapshot is swapped in.
//
// Why batches: bbolt keeps every page a transaction writes until it
// commits and splits nodes only then. A first pull of 73,886 records in
// one transaction took 5.6 KB of heap a record (BenchmarkXZuFiMirror):
// about 28 GB for a national catalogue of 5 million.
func (p *Puller) pullXZuFi(ctx context.Context, s peerState) error {
	id := p.peer.ID
	set, etag, err := OpenXZuFi(ctx, p.peer.URL, XZuFiOptions{Client: p.opt.Client, ETag: s.Cursor, Keys: true,
		Limits: xzufi.Limits{MaxBytes: p.opt.MaxBody}})
	switch {
	case errors.Is(err, ErrNotModified):
		p.succeeded(applyResult{cursor: s.Cursor, quarantined: p.Status().Quarantined}, 0, nil)
		return nil
	case err != nil:
		return refuse("%v; nothing was applied or deleted", err)
	}
	defer set.Close()
	var prog *xzufiProgress
	err = p.st.View(ctx, func(tx *catalog.Tx) error {
		var err error
		if prog, err = loadXZuFiProgress(tx, id); err != nil {
			return err
		}
		return p.shrinkRefusal(tx, set.Keys.Has, "index")
	})
	if err != nil {
		return err
	}
	if prog != nil && prog.Digest == set.Digest {
		p.log.Info("resuming the apply of an xzufi snapshot", "files", len(set.Files), "next_file", prog.Next.File,
			"next_item", prog.Next.Item, "batches", prog.Batches, "deleting", prog.Applied)
	} else {
		// A new snapshot (or none was under way): start over. Records an
		// earlier, unfinished snapshot applied are overwritten or, if this
		// one lacks them, deleted at the end.
		prog = &xzufiProgress{Digest: set.Digest, Started: p.opt.Now().UTC(), Batches: -1}
	}
	var res applyResult
	if prog.Batches < 0 && set.Objects+set.Responsibilities <= p.opt.AtomicItems {
		res, err = p.pullXZuFiAtomic(ctx, set, prog, etag)
	} else {
		res, err = p.pullXZuFiBatched(ctx, set, prog, etag)
	}
	if err != nil {
		return err
	}
	sum := prog.Summary
	p.log.Info("xzufi snapshot applied", "files", len(set.Files), "records", set.Objects+set.Responsibilities,
		"created", sum.Created, "updated", sum.Updated, "unchanged", sum.Unchanged, "deleted", sum.Deleted,
		"quarantined", sum.Rejected, "batches", prog.Batches, "took_ms", p.opt.Now().Sub(prog.Started).Milliseconds())
	p.succeeded(res, 0, nil)
	return nil
}

// pullXZuFiAtomic applies a snapshot of at most AtomicItems items in one
// transaction: its items, the deletion of the peer's records it lacks and
// the new cursor. Readers see the peer's old catalogue or its new one.
func (p *Puller) pullXZuFiAtomic(ctx context.Context, set *XZuFiSet, prog *xzufiProgress, etag string) (applyResult, error) {
	id := p.peer.ID
	im, err := p.xzufiImporter(ctx, set)
	if err != nil {
		return applyResult{}, err
	}
	next, stop := set.itemsFrom(ctx, itemPos{})
	defer stop()
	var res applyResult
	err = p.st.Update(ctx, func(tx *catalog.Tx) error {
		if err := p.sameXZuFiProgress(tx, prog); err != nil {
			return err
		}
		if err := deletePrefix(tx, keyQuarantine+id+"/"); err != nil {
			return err
		}
		if _, err := im.batch(tx, next, -1); err != nil {
			return err
		}
		if err := im.retry(tx); err != nil {
			return err
		}
		n, err := deleteOrigin(tx, id, set.Keys.Has, "peer:"+id, xzufiDeleteReason)
		if err != nil {
			return err
		}
		im.sum.Deleted += n
		prog.Summary, prog.Batches = im.sum, 1
		res, err = p.finishXZuFi(tx, prog, etag)
		return err
	})
	return res, err
}

// pullXZuFiBatched applies a snapshot in transactions of SwapBatch items,
// resuming where prog says, then deletes what it lacks, in batches as
// well, and moves the cursor in a last transaction.
func (p *Puller) pullXZuFiBatched(ctx context.Context, set *XZuFiSet, prog *xzufiProgress, etag string) (applyResult, error) {
	if err := p.applyXZuFi(ctx, set, prog); err != nil {
		return applyResult{}, err
	}
	if err := p.deleteXZuFi(ctx, set, prog); err != nil {
		return applyResult{}, err
	}
	var res applyResult
	err := p.st.Update(ctx, func(tx *catalog.Tx) error {
		if err := p.sameXZuFiProgress(tx, prog); err != nil {
			return err
		}
		var err error
		res, err = p.finishXZuFi(tx, prog, etag)
		return err
	})
	return res, err
}

// finishXZuFi ends the apply of a snapshot in tx: it drops the progress
// and moves the peer's cursor to the index's ETag.
func (p *Puller) finishXZuFi(tx *catalog.Tx, prog *xzufiProgress, etag string) (applyResult, error) {
	id := p.peer.ID
	if err := tx.DeletePeerData(keyXZuFi + id); err != nil {
		return applyResult{}, err
	}
	s, err := loadState(tx, id)
	if err != nil {
		return applyResult{}, err
	}
	s.Cursor, s.Updated = etag, p.opt.Now().UTC()
	if err := saveState(tx, id, s); err != nil {
		return applyResult{}, err
	}
	sum := prog.Summary
	return applyResult{cursor: etag, applied: sum.Created + sum.Updated + sum.Deleted, skipped: sum.Unchanged + sum.Skipped,
		quarantined: countPrefix(tx, keyQuarantine+id+"/")}, nil
}

func loadXZuFiProgress(tx *catalog.Tx, peer string) (*xzufiProgress, error) {
	v := tx.PeerData(keyXZuFi + peer)
	if v == nil {
		return nil, nil
	}
	var prog xzufiProgress
	if err := json.Unmarshal(v, &prog); err != nil {
		return nil, catalog.Internal(err)
	}
	return &prog, nil
}

// sameXZuFiProgress fails unless the peer is still configured and the
// stored progress is prog as this pull last saved it (nothing stored for
// a snapshot not begun), so that two pulls of one peer never interleave
// their batches.
func (p *Puller) sameXZuFiProgress(tx *catalog.Tx, prog *xzufiProgress) error {
	if err := p.configured(tx); err != nil {
		return err
	}
	cur, err := loadXZuFiProgress(tx, p.peer.ID)
	if err != nil {
		return err
	}
	if prog.Batches < 0 {
		if cur != nil && cur.Digest == prog.Digest {
			return errXZuFiMoved
		}
		return nil
	}
	if cur == nil || cur.Digest != prog.Digest || cur.Batches != prog.Batches {
		return errXZuFiMoved
	}
	return nil
}

// saveXZuFiProgress counts a batch and stores prog.
func (p *Puller) saveXZuFiProgress(tx *catalog.Tx, prog *xzufiProgress) error {
	prog.Batches = max(prog.Batches, 0) + 1
	sum := prog.Summary
	sum.Rejections, sum.Skips = nil, nil // counted; the log and the quarantine name them
	saved := *prog
	saved.Summary = sum
	data, err := json.Marshal(saved)
	if err != nil {
		return catalog.Internal(err)
	}
	return tx.SetPeerData(keyXZuFi+p.peer.ID, data)
}

// xzufiImporter returns the importer that applies a peer's XZuFi items
// as mirrored records, quarantining invalid ones.
func (p *Puller) xzufiImporter(ctx context.Context, set *XZuFiSet) (*importer, error) {
	id := p.peer.ID
	im := newImporter(p.st, ImportOptions{Mirror: true, Origin: id, Deletes: true,
		Actor: "peer:" + id, Reason: "federation (xzufi)", DefaultRegion: p.peer.RegionKey, LeikaKeys: set.LeikaKeys,
		OnReject: func(tx *catalog.Tx, it *ImportItem, reason string) error {
			if it.Where != "" {
				reason = it.Where + ": " + reason
			}
			return p.quarantine(tx, QuarantineEntry{Peer: id, Kind: it.Kind, ID: it.ID, Reason: reason,
				Time: p.opt.Now().UTC(), Item: Item{Kind: it.Kind, ID: it.ID, Origin: id}})
		}})
	if err := p.st.View(ctx, im.loadExternal); err != nil {
		return nil, err
	}
	return im, nil
}

// applyXZuFi applies the set's items from prog.Next on, SwapBatch a
// transaction.
func (p *Puller) applyXZuFi(ctx context.Context, set *XZuFiSet, prog *xzufiProgress) error {
	if prog.Applied {
		return nil
	}
	id := p.peer.ID
	im, err := p.xzufiImporter(ctx, set)
	if err != nil {
		return err
	}
	im.sum = prog.Summary
	next, stop := set.itemsFrom(ctx, prog.Next)
	defer stop()
	// pos is the place after the last item taken from next.
	pos := prog.Next
	counted := func() (*ImportItem, error) {
		it, err := next()
		if it != nil {
			pos = itemPos{File: it.at.File, Item: it.at.Item + 1}
		}
		return it, err
	}
	total := set.Objects + set.Responsibilities
	lastLog := time.Now()
	for {
		var more bool
		err := p.st.Update(ctx, func(tx *catalog.Tx) error {
			if err := p.sameXZuFiProgress(tx, prog); err != nil {
				return err
			}
			if prog.Batches < 0 {
				// The quarantine is rebuilt from this snapshot.
				if err := deletePrefix(tx, keyQuarantine+id+"/"); err != nil {
					return err
				}
			}
			var err error
			if more, err = im.batch(tx, counted, p.opt.SwapBatch); err != nil {
				return err
			}
			if !more {
				if err := im.retry(tx); err != nil {
					return err
				}
			}
			prog.Next = pos
			if len(im.deferred) > 0 && im.deferred[0].at.less(pos) {
				// Responsibilities waiting for their service are held
				// in memory: a resume must read them again.
				prog.Next = im.deferred[0].at
			}
			prog.Applied = !more
			prog.Summary = im.sum
			return p.saveXZuFiProgress(tx, prog)
		})
		if err != nil {
			return err // the batches before are kept: the next pull resumes after them
		}
		if p.afterSwapBatch != nil {
			p.afterSwapBatch()
		}
		if !more {
			return nil
		}
		if time.Since(lastLog) >= 10*time.Second {
			lastLog = time.Now()
			p.log.Info("xzufi snapshot apply", "batches", prog.Batches, "file", prog.Next.File+1, "files", len(set.Files),
				"created", im.sum.Created, "updated", im.sum.Updated, "unchanged", im.sum.Unchanged, "records", total)
		}
	}
}

// deleteXZuFi deletes the peer's records the set lacks, SwapBatch a
// transaction. (The quarantine holds only records of the set: it was
// cleared when the set's apply began.)
func (p *Puller) deleteXZuFi(ctx context.Context, set *XZuFiSet, prog *xzufiProgress) error {
	id := p.peer.ID
	for done := false; !done; {
		err := p.st.Update(ctx, func(tx *catalog.Tx) error {
			if err := p.sameXZuFiProgress(tx, prog); err != nil {
				return err
			}
			pos := prog.Deleting
			n, fin, err := deleteOriginSome(tx, id, set.Keys.Has, "peer:"+id, xzufiDeleteReason, &pos, p.opt.SwapBatch)
			if err != nil {
				return err
			}
			prog.Deleting, done = pos, fin
			prog.Summary.Deleted += n
			return p.saveXZuFiProgress(tx, prog)
		})
		if err != nil {
			return err
		}
		if p.afterSwapBatch != nil {
			p.afterSwapBatch()
		}
	}
	return nil
}
