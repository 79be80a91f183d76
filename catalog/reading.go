package catalog

import "fmt"

// Reading names what a caller reads beyond published data. The rules are
// here, beside authorize's rules for writing, so that every front end (the
// GraphQL API, the console, the command line) applies the same ones.
type Reading string

const (
	// ReadEditorial is the editors' working data: history, recent changes,
	// local additions under review, translation coverage, search
	// explanations, the search dictionary and what people did not find
	// (search insights), the state of mirrored peers.
	ReadEditorial Reading = "editorial"
	// ReadAudit is the audit log.
	ReadAudit Reading = "audit"
	// ReadEditors is the list of editors and their tokens' state.
	ReadEditors Reading = "editors"
)

// MayRead returns nil when p may read r:
//
//	reading     who
//	editorial   state and municipal editors, admins
//	audit       state editors, admins
//	editors     admins
//
// Errors: UNAUTHENTICATED for an anonymous caller, FORBIDDEN otherwise.
func (p *Principal) MayRead(r Reading) error {
	role := AccessAnonymous
	if p != nil {
		role = p.Role
	}
	var ok bool
	var msg string
	switch r {
	case ReadEditorial:
		ok, msg = role == AccessStateEditor || role == AccessMunicipalEditor || role == AccessAdmin, "this is for editors"
	case ReadAudit:
		ok, msg = role == AccessStateEditor || role == AccessAdmin, "the audit log is for the state editorial office and admins"
	case ReadEditors:
		ok, msg = role == AccessAdmin, "only admins see the editors"
	default:
		return Internal(fmt.Errorf("unknown reading %q", r))
	}
	switch {
	case ok:
		return nil
	case role == AccessAnonymous:
		return Errorf(EUNAUTHENTICATED, "%s; send an editor token", msg)
	}
	return Errorf(EFORBIDDEN, "%s", msg)
}

// Permissions lists what p may do, in words a front end can show (the
// rules of authorize, MayRead and SeesDrafts).
func (p *Principal) Permissions() []string {
	if p == nil {
		return []string{"read published data"}
	}
	switch p.Role {
	case AccessStateEditor:
		return []string{"read published and draft services", "write and publish central service descriptions",
			"write offices, online services and responsibilities", "review local additions", "read the audit log"}
	case AccessMunicipalEditor:
		var scopes []string
		if p.Editor != nil {
			scopes = p.Editor.Scopes
		}
		s := fmt.Sprint(scopes)
		return []string{"write offices, online services and responsibilities in " + s,
			"propose local additions in " + s, "read the history of records"}
	case AccessAdmin:
		return []string{"manage editors and tokens", "read the audit log"}
	case AccessPeer:
		return []string{"read the federation feed"}
	}
	return []string{"read published data"}
}

// VisibleChangeRequests is ChangeRequests as p may see them: editors only,
// and a municipal editor sees the additions of its own regions only.
//
// Errors: as ChangeRequests, UNAUTHENTICATED, FORBIDDEN.
func (tx *Tx) VisibleChangeRequests(p *Principal, state Status, ars string) ([]*Specialisation, error) {
	if err := p.MayRead(ReadEditorial); err != nil {
		return nil, err
	}
	all, err := tx.ChangeRequests(state, ars)
	if err != nil || p.Role != AccessMunicipalEditor {
		return all, err
	}
	mine := all[:0]
	for _, s := range all {
		if p.InScope(s.RegionKey) {
			mine = append(mine, s)
		}
	}
	return mine, nil
}
