package federation

import (
	"context"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// The staged items of a snapshot that was swapped in (5 million at L) are
// removed after the resync, in the background: deleting them took the
// puller 12 s at L, during which the feed was not followed and every
// write of the peer waited. The items left behind are recognisable
// without any marker: staged items of a peer for which no snapshot is
// being staged (no snapshot/<peer> key) belong to no staging, because a
// staging writes that key in the transaction that stages its first page
// and deletes it only in the one that completes the swap (or discards
// the staging with its items).
//
// Each cleanup transaction checks that condition itself and deletes at
// most Puller.cleanupBatch items, so that it holds the store's write lock
// briefly and a page of the feed is applied between two batches. A
// restart resumes by looking again (Run starts a cleanup); nothing else
// has to be remembered. The cleanup is complete when a transaction found
// fewer than a batch of items and deleted them: it commits with none
// left. It stops earlier only when a new staging began, whose first
// transaction has cleared what was left (saveStaging with fresh).

// defaultCleanupBatch is how many staged items one cleanup transaction
// deletes (Puller.cleanupBatch): about 10 ms of the write lock.
const defaultCleanupBatch = 5_000

// cleanStagingBatch deletes up to limit staged items left over from a
// completed or abandoned snapshot. done reports that none are left, or
// that a staging is in progress (its items are not left over).
func (p *Puller) cleanStagingBatch(ctx context.Context, limit int) (done bool, n int, err error) {
	id := p.peer.ID
	// A look first, so that a puller's start (which always cleans up)
	// writes nothing when nothing is left.
	err = p.st.View(ctx, func(tx *catalog.Tx) error {
		done = !hasLeftoverStaging(tx, id)
		return nil
	})
	if err != nil || done {
		return done, 0, err
	}
	err = p.st.Update(context.WithoutCancel(ctx), func(tx *catalog.Tx) error {
		done, n = false, 0
		if tx.HasPeerData(keySnapshot + id) {
			done = true
			return nil
		}
		var err error
		n, err = deletePrefixSome(tx, keyStaging+id+"/", limit)
		done = err == nil && n < limit
		return err
	})
	return done, n, err
}

// cleanStaging removes the left-over staged items in batches until none
// are left, a staging begins, or ctx ends (the next cleanup resumes). It
// returns how many it removed.
func (p *Puller) cleanStaging(ctx context.Context) (int, error) {
	total, start := 0, time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		done, n, err := p.cleanStagingBatch(ctx, p.cleanupBatch)
		total += n
		if err != nil {
			return total, err
		}
		if p.afterCleanupBatch != nil {
			p.afterCleanupBatch(n)
		}
		if done {
			if total > 0 {
				p.log.Info("staged items of the last snapshot removed", "count", total, "took", time.Since(start))
			}
			return total, nil
		}
	}
}

// runCleanup cleans up whenever wake is signalled (and once at the start,
// for what a stopped process left), until ctx ends. A failed cleanup is
// retried at the next signal or start; the items it leaves harm nothing
// but space.
func (p *Puller) runCleanup(ctx context.Context) {
	for {
		if _, err := p.cleanStaging(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("removing the staged items of the last snapshot", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-p.cleanupWake:
		}
	}
}

// wakeCleanup asks the background cleanup to run (again).
func (p *Puller) wakeCleanup() {
	select {
	case p.cleanupWake <- struct{}{}:
	default:
	}
}

// hasPrefix reports whether any key of the federation space has prefix.
func hasPrefix(tx *catalog.Tx, prefix string) bool {
	found := false
	tx.EachPeerData(prefix, func(string, []byte) error {
		found = true
		return errStopWalk
	})
	return found
}

// LeftoverStaging reports whether st still holds staged items of peer
// that belong to no staging: the items of a swapped-in snapshot the
// background cleanup has not removed yet. False once the cleanup is done
// (and while a new snapshot is being staged, whose items are not left
// over). The bench waits for it before it measures the steady state.
func LeftoverStaging(ctx context.Context, st *catalog.Store, peer string) (bool, error) {
	left := false
	err := st.View(ctx, func(tx *catalog.Tx) error {
		left = hasLeftoverStaging(tx, peer)
		return nil
	})
	return left, err
}

// hasLeftoverStaging reports whether tx holds staged items of peer while
// no snapshot of it is being staged: items that belong to no staging.
func hasLeftoverStaging(tx *catalog.Tx, peer string) bool {
	return !tx.HasPeerData(keySnapshot+peer) && hasPrefix(tx, keyStaging+peer+"/")
}
