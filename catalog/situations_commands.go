package catalog

import "fmt"

// Commands for life situations, the search dictionary and a service's
// terms in context and life situations (see situations.go).

func init() {
	registerCommand[PutLifeSituation]()
	registerCommand[PutConcept]()
	registerCommand[SetServiceTerms]()
	registerCommand[SetServiceLifeSituations]()
}

// PutLifeSituation creates a life situation (no ID, ExpectedRevision nil)
// or replaces one at ExpectedRevision. Its parent must exist.
//
// Errors: INVALID, NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type PutLifeSituation struct {
	LifeSituation    LifeSituation `json:"lifeSituation"`
	ExpectedRevision *uint64       `json:"expectedRevision,omitempty"`
}

func (PutLifeSituation) CommandName() string { return "putLifeSituation" }

func (c PutLifeSituation) target() (Kind, string) { return KindLifeSituation, c.LifeSituation.ID }

func (c PutLifeSituation) apply(tx *Tx, w Write) (*Result, error) {
	l := c.LifeSituation
	return createOrReplace(tx, w, &l, c.ExpectedRevision, "a life situation")
}

// PutConcept creates an entry of the search dictionary (no ID) or replaces
// one at ExpectedRevision. The life situations it names must exist.
//
// Errors: INVALID, NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type PutConcept struct {
	Concept          Concept `json:"concept"`
	ExpectedRevision *uint64 `json:"expectedRevision,omitempty"`
}

func (PutConcept) CommandName() string { return "putConcept" }

func (c PutConcept) target() (Kind, string) { return KindConcept, c.Concept.ID }

func (c PutConcept) apply(tx *Tx, w Write) (*Result, error) {
	if err := tx.situationsExist("lifeSituationIds", c.Concept.LifeSituationIDs); err != nil {
		return nil, err
	}
	k := c.Concept
	return createOrReplace(tx, w, &k, c.ExpectedRevision, "a dictionary entry")
}

// createOrReplace writes a whole record that an editor sent: without ID
// a new one, else over the current version at expected, keeping its
// origin. What names the kind in the error for a missing revision.
func createOrReplace(tx *Tx, w Write, r Record, expected *uint64, what string) (*Result, error) {
	m := r.meta()
	*m = Meta{ID: m.ID}
	if m.ID == "" {
		return create(tx, w, r)
	}
	if expected == nil {
		return nil, Invalid("expectedRevision", "required", "changing %s needs the revision you read", what)
	}
	old, err := tx.Get(r.RecordKind(), m.ID)
	if err != nil {
		return nil, err
	}
	m.Origin = old.meta().Origin
	return save(tx, w, r, expected)
}

// SetServiceTerms replaces a service's terms in context (types default to
// DefaultTermType).
//
// Errors: INVALID, NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type SetServiceTerms struct {
	ID               string `json:"id"`
	Terms            []Term `json:"terms"`
	ExpectedRevision uint64 `json:"expectedRevision"`
}

func (SetServiceTerms) CommandName() string { return "setServiceTerms" }

func (c SetServiceTerms) target() (Kind, string) { return KindService, c.ID }

func (c SetServiceTerms) apply(tx *Tx, w Write) (*Result, error) {
	s, err := tx.Service(c.ID)
	if err != nil {
		return nil, err
	}
	s.Terms = make([]Term, len(c.Terms))
	for i, t := range c.Terms {
		if t.Type == "" {
			t.Type = DefaultTermType
		}
		s.Terms[i] = t
	}
	return save(tx, w, s, &c.ExpectedRevision)
}

// SetServiceLifeSituations replaces the life situations a service belongs
// to; every one must exist.
//
// Errors: INVALID, NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type SetServiceLifeSituations struct {
	ID               string   `json:"id"`
	LifeSituationIDs []string `json:"lifeSituationIds"`
	ExpectedRevision uint64   `json:"expectedRevision"`
}

func (SetServiceLifeSituations) CommandName() string { return "setServiceLifeSituations" }

func (c SetServiceLifeSituations) target() (Kind, string) { return KindService, c.ID }

func (c SetServiceLifeSituations) apply(tx *Tx, w Write) (*Result, error) {
	s, err := tx.Service(c.ID)
	if err != nil {
		return nil, err
	}
	if err := tx.situationsExist("lifeSituationIds", c.LifeSituationIDs); err != nil {
		return nil, err
	}
	s.LifeSituationIDs = c.LifeSituationIDs
	return save(tx, w, s, &c.ExpectedRevision)
}

func (tx *Tx) situationsExist(field string, ids []string) error {
	for i, id := range ids {
		if tx.raw(KindLifeSituation, id) == nil {
			return Invalid(fmt.Sprintf("%s[%d]", field, i), "exists", "no life situation %q", id)
		}
	}
	return nil
}
