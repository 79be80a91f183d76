package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// A puller that follows its peer while some of the peer's records sit in
// quarantine is StateDegraded too: the mirror is incomplete, and Status
// says why (Degraded) and which records (QuarantinedIDs).

// quarantineSample is how many quarantined record IDs Status names.
const quarantineSample = 5

// degrade marks a following or idle status with quarantined records as
// degraded, with the first reason and the first few IDs, read from the
// store.
func (p *Puller) degrade(s *Status) {
	if s.Quarantined == 0 || (s.State != StateFollowing && s.State != StateIdle) {
		return
	}
	var ids []string
	var first QuarantineEntry
	err := p.st.View(context.Background(), func(tx *catalog.Tx) error {
		return tx.EachPeerData(keyQuarantine+p.peer.ID+"/", func(_ string, v []byte) error {
			var q QuarantineEntry
			if err := json.Unmarshal(v, &q); err != nil {
				return err
			}
			if len(ids) == 0 {
				first = q
			}
			ids = append(ids, string(q.Kind)+" "+q.ID)
			if len(ids) == quarantineSample {
				return errEnough
			}
			return nil
		})
	})
	if err != nil && err != errEnough {
		p.log.Error("reading the quarantine", "err", err)
	}
	s.State = StateDegraded
	s.QuarantinedIDs = ids
	s.Degraded = fmt.Sprintf("%d of the peer's records are quarantined and not mirrored (first: %s %s: %s); "+
		"see `leistungsfinder peer quarantine list -id %s`", s.Quarantined, first.Kind, first.ID, first.Reason, p.peer.ID)
}

var errEnough = fmt.Errorf("enough")

// Release is what ReleaseQuarantine did.
type Release struct {
	// Applied records left the quarantine into the mirror; Discarded ones
	// were dropped without applying; Kept ones failed again and stay,
	// with the new reason.
	Applied, Discarded, Kept int
}

// ReleaseQuarantine tries the quarantined records of a peer again, all of
// them or those with the given record IDs, in one transaction: what
// applies now (a record it lacked arrived, a rule was fixed) leaves the
// quarantine; what fails again stays with its new reason. With discard the
// entries are dropped without applying, for records the operator gives
// up on; the peer's next version of such a record is applied or
// quarantined again as usual.
//
// Errors: NOT_FOUND for a peer that is not configured or an ID that is
// not in its quarantine.
func ReleaseQuarantine(ctx context.Context, st *catalog.Store, peer string, ids []string, discard bool, opt PullerOptions) (Release, error) {
	p, err := NewPuller(st, peer, opt)
	if err != nil {
		return Release{}, err
	}
	var res Release
	err = st.Update(ctx, func(tx *catalog.Tx) error {
		res = Release{}
		var items []Item
		var keys []string
		found := map[string]bool{}
		err := tx.EachPeerData(keyQuarantine+peer+"/", func(k string, v []byte) error {
			var q QuarantineEntry
			if err := json.Unmarshal(v, &q); err != nil {
				return catalog.Internal(err)
			}
			if len(ids) > 0 && !slices.Contains(ids, q.ID) {
				return nil
			}
			found[q.ID] = true
			items = append(items, q.Item)
			keys = append(keys, k)
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if !found[id] {
				return catalog.Errorf(catalog.ENOTFOUND, "record %q is not in the quarantine of peer %s", id, peer)
			}
		}
		// Out of the quarantine first: what fails again goes back in with
		// its new reason; what is current already stays out.
		for _, k := range keys {
			if err := tx.DeletePeerData(k); err != nil {
				return err
			}
		}
		slices.SortStableFunc(items, func(x, y Item) int { return kindIndex(x.Kind) - kindIndex(y.Kind) })
		if discard {
			res.Discarded = len(keys)
			return nil
		}
		a := p.applier(tx, false)
		if err := a.apply(items); err != nil {
			return err
		}
		for _, k := range keys {
			if tx.PeerData(k) != nil {
				res.Kept++
			}
		}
		res.Applied = len(keys) - res.Kept
		return nil
	})
	return res, err
}
