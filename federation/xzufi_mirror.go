package federation

import (
	"context"
	"errors"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
)

// pullXZuFi mirrors a peer that publishes XZuFi 2.2 files with an
// index.txt (Peer.Kind KindXZuFi), from the stored state s. The index is asked for conditionally
// (its ETag is the peer's cursor); every listed file is fetched and read
// completely before anything is applied. Then one transaction applies
// the snapshot: every object (an invalid one is quarantined with its
// reason, its last good version stays), and deletes the peer's records
// the snapshot lacks. Refused, with nothing applied and nothing deleted:
// an empty index, a missing, truncated or unreadable file, a file with an
// element XZuFi 2.2 does not have, and a snapshot that would delete more
// than MaxShrink of the peer's records.
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
	if err := p.st.View(ctx, func(tx *catalog.Tx) error { return p.shrinkRefusal(tx, set.Keys.Has, "index") }); err != nil {
		return err
	}

	var res applyResult
	err = p.st.Update(ctx, func(tx *catalog.Tx) error {
		if err := p.configured(tx); err != nil {
			return err
		}
		// The quarantine is rebuilt from this snapshot.
		if err := deletePrefix(tx, keyQuarantine+id+"/"); err != nil {
			return err
		}
		next, stop := set.Items(ctx)
		defer stop()
		sum, err := importTx(tx, p.st, next, ImportOptions{Mirror: true, Origin: id, Deletes: true,
			Actor: "peer:" + id, Reason: "federation (xzufi)", DefaultRegion: p.peer.RegionKey,
			OnReject: func(tx *catalog.Tx, it *ImportItem, reason string) error {
				if it.Where != "" {
					reason = it.Where + ": " + reason
				}
				return p.quarantine(tx, QuarantineEntry{Peer: id, Kind: it.Kind, ID: it.ID, Reason: reason,
					Time: p.opt.Now().UTC(), Item: Item{Kind: it.Kind, ID: it.ID, Origin: id}})
			}})
		if err != nil {
			return err
		}
		n, err := deleteOrigin(tx, id, set.Keys.Has, "peer:"+id, "federation (xzufi): not in the peer's index")
		if err != nil {
			return err
		}
		s.Cursor, s.Updated = etag, p.opt.Now().UTC()
		if err := saveState(tx, id, s); err != nil {
			return err
		}
		res = applyResult{cursor: etag, applied: sum.Created + sum.Updated + sum.Deleted + n, skipped: sum.Unchanged + sum.Skipped,
			quarantined: countPrefix(tx, keyQuarantine+id+"/")}
		p.log.Info("xzufi snapshot applied", "files", len(set.Files), "created", sum.Created, "updated", sum.Updated,
			"unchanged", sum.Unchanged, "deleted", sum.Deleted+n, "quarantined", sum.Rejected)
		return nil
	})
	if err != nil {
		return err
	}
	p.succeeded(res, 0, nil)
	return nil
}
