package catalog

import (
	"sort"
	"strings"
)

// Local additions go through review (seed: only the state editorial office
// publishes texts):
//
//	DRAFT --submit--> SUBMITTED --approve--> PUBLISHED
//	  ^                   |
//	  +------ edit ---- REJECTED (with the reviewer's comment)
//
// A municipal editor proposes and submits inside its scope; a state editor
// approves or rejects. Approving an addition that replaces a published one
// deletes the replaced one in the same transaction.

// propose creates a draft addition (ProposeSpecialisation). The
// principal's name is recorded.
func (tx *Tx) propose(s *Specialisation, w Write) error {
	s.ID = ""
	s.Status = StatusDraft
	s.ProposedBy = tx.principalOf(w).Name()
	s.SubmittedAt, s.ReviewedAt, s.ReviewedBy, s.ReviewComment = nil, nil, "", ""
	if s.Replaces != "" {
		old, err := tx.Specialisation(s.Replaces)
		if err != nil {
			return &Error{Code: EINVALID, Field: "replaces", Rule: "exists", Message: "the addition to replace does not exist"}
		}
		if old.LeikaKey != s.LeikaKey || old.RegionKey != s.RegionKey || old.Module != s.Module {
			return Invalid("replaces", "match", "the replaced addition is for another service, region or module")
		}
	}
	if err := tx.checkServiceExists(s.LeikaKey); err != nil {
		return err
	}
	_, err := tx.put(s, w)
	return err
}

func (tx *Tx) checkServiceExists(leika string) error {
	if !ValidLeika(leika) {
		return Invalid("leikaKey", "format", "%q is not a 14-digit LeiKa key", leika)
	}
	if len(tx.scanIDs(idxServiceLeika, []byte(leika))) == 0 {
		return Invalid("leikaKey", "exists", "no service has the LeiKa key %s", leika)
	}
	return nil
}

// submit sends a draft (or a rejected addition) to review
// (SubmitChangeRequest).
func (tx *Tx) submit(id string, w Write) (*Specialisation, Record, error) {
	s, err := tx.Specialisation(id)
	if err != nil {
		return nil, nil, err
	}
	if s.Status != StatusDraft && s.Status != StatusRejected {
		return nil, nil, Invalid("id", "state", "only a draft or a rejected addition can be submitted, this one is %s", s.Status)
	}
	s.Status = StatusSubmitted
	now := tx.now
	s.SubmittedAt = &now
	old, err := tx.put(s, w)
	return s, old, err
}

// review approves (publishes) or rejects a submitted addition
// (ReviewChangeRequest). Only state editors may; a rejection needs a
// comment.
func (tx *Tx) review(id string, approve bool, comment string, w Write) (*Specialisation, Record, error) {
	p := tx.principalOf(w)
	if p != nil && p.Role != AccessStateEditor {
		if p.Role == AccessAnonymous {
			return nil, nil, Errorf(EUNAUTHENTICATED, "reviewing needs an editor token")
		}
		return nil, nil, Errorf(EFORBIDDEN, "only the state editorial office reviews local additions")
	}
	s, err := tx.Specialisation(id)
	if err != nil {
		return nil, nil, err
	}
	if s.Status != StatusSubmitted {
		return nil, nil, Invalid("id", "state", "only a submitted addition can be reviewed, this one is %s", s.Status)
	}
	if !approve && strings.TrimSpace(comment) == "" {
		return nil, nil, Invalid("comment", "required", "a rejection needs a comment for the municipality")
	}
	now := tx.now
	s.ReviewedAt, s.ReviewedBy, s.ReviewComment = &now, p.Name(), comment
	if approve {
		s.Status = StatusPublished
		if s.Replaces != "" {
			if _, err := tx.Specialisation(s.Replaces); err == nil {
				if err := tx.Delete(KindSpecialisation, s.Replaces, Write{Actor: w.Actor, Reason: "replaced by " + s.ID, Principal: w.Principal}); err != nil {
					return nil, nil, err
				}
			}
		}
	} else {
		s.Status = StatusRejected
	}
	old, err := tx.put(s, w)
	return s, old, err
}

// ChangeRequests returns the additions in a state (all when empty) whose
// region lies in or under ars (all when empty), oldest first.
func (tx *Tx) ChangeRequests(state Status, ars string) ([]*Specialisation, error) {
	var out []*Specialisation
	prefix := ""
	if ars != "" {
		if !ValidARS(ars) {
			return nil, Invalid("ars", "format", "%q is not a 12-digit region key (ARS)", ars)
		}
		prefix = TrimARS(ars)
	}
	err := tx.Each(KindSpecialisation, func(r Record) (bool, error) {
		s := r.(*Specialisation)
		if (state == "" || s.Status == state) && strings.HasPrefix(s.RegionKey, prefix) {
			out = append(out, s)
		}
		return true, nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}
