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
	id := l.ID
	l.Meta = Meta{ID: id}
	if id == "" {
		return create(tx, w, &l)
	}
	if c.ExpectedRevision == nil {
		return nil, Invalid("expectedRevision", "required", "changing a life situation needs the revision you read")
	}
	old, err := tx.LifeSituation(id)
	if err != nil {
		return nil, err
	}
	l.Origin = old.Origin
	w.Expected = c.ExpectedRevision
	prev, err := tx.put(&l, w)
	if err != nil {
		return nil, err
	}
	return &Result{Record: &l, Previous: prev}, nil
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
	k := c.Concept
	id := k.ID
	k.Meta = Meta{ID: id}
	if err := tx.situationsExist("lifeSituationIds", k.LifeSituationIDs); err != nil {
		return nil, err
	}
	if id == "" {
		return create(tx, w, &k)
	}
	if c.ExpectedRevision == nil {
		return nil, Invalid("expectedRevision", "required", "changing a dictionary entry needs the revision you read")
	}
	old, err := getAs[Concept](tx, KindConcept, id)
	if err != nil {
		return nil, err
	}
	k.Origin = old.Origin
	w.Expected = c.ExpectedRevision
	prev, err := tx.put(&k, w)
	if err != nil {
		return nil, err
	}
	return &Result{Record: &k, Previous: prev}, nil
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
	w.Expected = &c.ExpectedRevision
	prev, err := tx.put(s, w)
	if err != nil {
		return nil, err
	}
	return &Result{Record: s, Previous: prev}, nil
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
	w.Expected = &c.ExpectedRevision
	prev, err := tx.put(s, w)
	if err != nil {
		return nil, err
	}
	return &Result{Record: s, Previous: prev}, nil
}

func (tx *Tx) situationsExist(field string, ids []string) error {
	for i, id := range ids {
		if tx.raw(KindLifeSituation, id) == nil {
			return Invalid(fmt.Sprintf("%s[%d]", field, i), "exists", "no life situation %q", id)
		}
	}
	return nil
}
