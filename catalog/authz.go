package catalog

import (
	"context"
	"errors"
)

// authorize decides whether p may write cur (nil for a delete) over old
// (nil for a create). It runs inside Tx.Put and Tx.Delete, so no caller can
// forget it:
//
//	role              may write
//	STATE_EDITOR      every local record but regions
//	MUNICIPAL_EDITOR  offices, online services, responsibilities and
//	                  specialisations whose region key (before and after) lies
//	                  in its scopes; specialisations only as DRAFT or SUBMITTED
//	                  and never one already published
//	ADMIN, PEER       nothing in the catalogue (admins manage editors)
//	anonymous         nothing: UNAUTHENTICATED
//
// Records mirrored from another portal are refused to everyone by Put and
// Delete themselves.
func authorize(p *Principal, cur, old Record) error {
	if p == nil {
		return nil
	}
	rec := cur
	if rec == nil {
		rec = old
	}
	kind := rec.RecordKind()
	switch p.Role {
	case AccessStateEditor:
		if kind == KindRegion {
			return Errorf(EFORBIDDEN, "regions are reference data and not edited here")
		}
		return nil
	case AccessMunicipalEditor:
		switch kind {
		case KindOffice, KindOnlineService, KindResponsibility, KindSpecialisation:
		default:
			return Errorf(EFORBIDDEN, "a municipal editor may not write %s records", kind)
		}
		for _, r := range []Record{cur, old} {
			if r == nil {
				continue
			}
			if ars := regionOf(r); !p.InScope(ars) {
				return &Error{Code: EFORBIDDEN, Field: "ars",
					Message: "region " + ars + " is outside the editor's scope"}
			}
		}
		if kind == KindSpecialisation {
			if s, ok := cur.(*Specialisation); ok && s.Status != StatusDraft && s.Status != StatusSubmitted {
				return Errorf(EFORBIDDEN, "only the state editorial office publishes or rejects local additions")
			}
			if s, ok := old.(*Specialisation); ok && s.Status == StatusPublished && cur != nil {
				return Errorf(EFORBIDDEN, "a published addition cannot be changed; propose a new one that replaces it")
			}
		}
		return nil
	case AccessAnonymous:
		return Errorf(EUNAUTHENTICATED, "writing needs an editor token")
	default:
		return Errorf(EFORBIDDEN, "the role %s may not write catalogue records", p.Role)
	}
}

// Mutation names a write for the audit log.
type Mutation struct {
	Op   string // the GraphQL mutation or command ("updateOffice")
	Kind Kind
	ID   string
}

// Mutate runs fn as one write transaction on behalf of p, authorizing every
// write in it against p, and appends the outcome to the audit log: in the
// same transaction when it commits, in a transaction of its own when it is
// refused (rate-limited: RecordRefusal), so that denied writes are on
// record too and nothing else changes. Concurrent calls may share one
// write transaction (commitGroup): fn may run more than once and must
// change nothing outside the transaction.
func (s *Store) Mutate(ctx context.Context, p *Principal, m Mutation, fn func(*Tx) error) error {
	if p == nil {
		p = Anonymous("")
	}
	err := s.updateGrouped(ctx, func(tx *Tx) error {
		tx.principal = p
		if err := fn(tx); err != nil {
			return err
		}
		e := AuditEntry{Op: m.Op, Kind: string(m.Kind), ID: m.ID, Outcome: "OK"}
		if tx.last != nil {
			e.Kind, e.ID, e.Revision = string(tx.last.Kind), tx.last.ID, tx.last.Revision
		}
		return appendAudit(tx.bt, tx.now, p, e)
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		s.RecordRefusal(p, refusal(m.Op, string(m.Kind), m.ID, err))
	}
	return err
}
