package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Life situations, terms in context and the search dictionary: catalogue
// data that says how people find services in their own words. They are
// records like any other (editable by the state editorial office, in the
// change log, the history and the federation feed); the search reads them.

const (
	KindLifeSituation Kind = "lifeSituation"
	KindConcept       Kind = "concept"
)

// LifeSituation is a node of the life-situation taxonomy (Lebenslage; for
// businesses Unternehmenslage): birth, moving, retirement, starting a
// business. Portals navigate by it, services are assigned to it
// (Service.LifeSituationIDs) and the search boosts a service when a query
// is understood as one of its situations.
type LifeSituation struct {
	Meta
	Name        i18n.Text `json:"name"`
	Description i18n.Text `json:"description,omitzero"`
	// ParentID is the broader situation ("Geburt" under "Familie"); empty
	// for a top-level one.
	ParentID string `json:"parent,omitempty"`
	// Addressee is CITIZEN for a Lebenslage, BUSINESS for an
	// Unternehmenslage.
	Addressee Addressee `json:"addressee"`
	// Order is the position among its siblings in a portal's navigation.
	Order int `json:"order,omitempty"`
}

// Concept is an entry of the search dictionary (Suchwörterbuch): everyday
// phrasings of one language that mean something the catalogue says in its
// own words ("job verloren" means Arbeitslosengeld and "arbeitslos
// melden"), and the life situations they stand for. The editorial office
// extends it as it learns from the queries people did not find anything
// for; the search reads it at every catch-up.
type Concept struct {
	Meta
	// Lang is the language of the phrasings: de or en.
	Lang string `json:"lang"`
	// Phrases are what people type; a query matches a phrase when it
	// contains its words (stemmed, in any order).
	Phrases []string `json:"phrases"`
	// Means are the catalogue's words the phrases stand for, by language
	// (de, en): the search looks for them beside the phrase's own words,
	// which are often incidental ("verloren", "gehen").
	Means map[string][]string `json:"means,omitempty"`
	// Generic marks phrases that say little on their own ("beantragen",
	// "verloren", "neu", "mein"): they count less when a query has a more
	// specific word.
	Generic bool `json:"generic,omitempty"`
	// LifeSituationIDs are the situations the phrases stand for; services
	// assigned to them are boosted.
	LifeSituationIDs []string `json:"lifeSituations,omitempty"`
}

// Term is a term in context (XZuFi begriffImKontext): a keyword or synonym
// the editorial office adds so that people find a service in their own
// words ("Knöllchen", "Perso"). The search indexes terms with a weight
// between the name and the body text.
type Term struct {
	Text string `json:"text"`
	// Lang is de or en.
	Lang string `json:"lang"`
	// Type is the code of the term's type (XZuFi code list of
	// begriffImKontext types; values seen in public data: 001, 002, 003,
	// 999).
	Type string `json:"type"`
}

// TermTypes are the type codes a term may carry.
var TermTypes = []string{"001", "002", "003", "999"}

// DefaultTermType is the type given to a term written without one.
const DefaultTermType = "001"

const (
	maxTerms      = 200 // per service or local addition
	maxTermLen    = 100
	maxPhrases    = 100 // per concept
	maxPhraseLen  = 100
	maxSituations = 20 // per service or concept
)

func (v *validator) terms(field string, ts []Term) {
	if len(ts) > maxTerms {
		v.add(field, "max", "at most %d terms", maxTerms)
	}
	seen := map[string]bool{}
	for i, t := range ts {
		p := fmt.Sprintf("%s[%d]", field, i)
		if strings.TrimSpace(t.Text) == "" {
			v.add(p+".text", "required", "a term needs a text")
		}
		v.maxLen(p+".text", t.Text, maxTermLen)
		if strings.ContainsAny(t.Text, "<>") {
			v.add(p+".text", "markup", "a term is plain text")
		}
		v.oneOf(p+".lang", t.Lang, i18n.DE, i18n.EN)
		v.oneOf(p+".type", t.Type, "001", "002", "003", "999")
		key := t.Lang + "\x00" + strings.ToLower(strings.TrimSpace(t.Text))
		if seen[key] {
			v.add(p+".text", "unique", "the term %q is listed twice", t.Text)
		}
		seen[key] = true
	}
}

func (v *validator) situationIDs(field string, ids []string) {
	if len(ids) > maxSituations {
		v.add(field, "max", "at most %d life situations", maxSituations)
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if strings.TrimSpace(id) == "" {
			v.add(fmt.Sprintf("%s[%d]", field, i), "required", "empty life situation ID")
		}
		if seen[id] {
			v.add(fmt.Sprintf("%s[%d]", field, i), "unique", "life situation %s is listed twice", id)
		}
		seen[id] = true
	}
}

func (l *LifeSituation) RecordKind() Kind { return KindLifeSituation }

func (l *LifeSituation) indexKeys() []indexKey {
	return []indexKey{originKey(&l.Meta, KindLifeSituation)}
}

func (l *LifeSituation) walkTexts(fn func(string, i18n.Text) i18n.Text) {
	l.Name = fn("name", l.Name)
	l.Description = fn("description", l.Description)
}

func (l *LifeSituation) validate(v *validator) {
	if l.Name.IsZero() {
		v.add("name", "required", "the life situation needs a name")
	}
	v.oneOf("addressee", string(l.Addressee), AddresseeCitizen, AddresseeBusiness)
	if l.ParentID != "" && l.ParentID == l.ID {
		v.add("parentId", "cycle", "a life situation cannot be its own parent")
	}
}

// refs: the parent must exist. A service's or concept's situations are not
// references the store enforces: a snapshot from a peer portal may bring a
// service before the situations of its origin, and readers skip unknown
// IDs.
func (l *LifeSituation) refs() []ref {
	return []ref{{"parentId", KindLifeSituation, l.ParentID}}
}

func (c *Concept) RecordKind() Kind { return KindConcept }

func (c *Concept) indexKeys() []indexKey { return []indexKey{originKey(&c.Meta, KindConcept)} }

func (c *Concept) walkTexts(func(string, i18n.Text) i18n.Text) {}

func (c *Concept) validate(v *validator) {
	v.oneOf("lang", c.Lang, i18n.DE, i18n.EN)
	if len(c.Phrases) == 0 {
		v.add("phrases", "required", "a dictionary entry needs at least one phrase")
	}
	if len(c.Phrases) > maxPhrases {
		v.add("phrases", "max", "at most %d phrases", maxPhrases)
	}
	for i, p := range c.Phrases {
		if strings.TrimSpace(p) == "" {
			v.add(fmt.Sprintf("phrases[%d]", i), "required", "empty phrase")
		}
		v.maxLen(fmt.Sprintf("phrases[%d]", i), p, maxPhraseLen)
	}
	n := 0
	for lang, ws := range c.Means {
		if lang != i18n.DE && lang != i18n.EN {
			v.add("means."+lang, "language", "only de and en are searched")
		}
		n += len(ws)
		for i, p := range ws {
			if strings.TrimSpace(p) == "" {
				v.add(fmt.Sprintf("means.%s[%d]", lang, i), "required", "empty word")
			}
			v.maxLen(fmt.Sprintf("means.%s[%d]", lang, i), p, maxPhraseLen)
		}
	}
	if n == 0 && len(c.LifeSituationIDs) == 0 && !c.Generic {
		v.add("means", "required", "a dictionary entry says what its phrases mean (words, life situations) or that they are generic")
	}
	if n > maxPhrases {
		v.add("means", "max", "at most %d words", maxPhrases)
	}
	v.situationIDs("lifeSituationIds", c.LifeSituationIDs)
}

func (c *Concept) refs() []ref { return nil }

// LifeSituation returns a life situation by ID. NOT_FOUND if there is none.
func (tx *Tx) LifeSituation(id string) (*LifeSituation, error) {
	return getAs[LifeSituation](tx, KindLifeSituation, id)
}

// LifeSituations returns every life situation, parents before their
// children, siblings by Order then ID.
func (tx *Tx) LifeSituations() ([]*LifeSituation, error) {
	var all []*LifeSituation
	err := tx.Each(KindLifeSituation, func(r Record) (bool, error) {
		all = append(all, r.(*LifeSituation))
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return sortSituations(all), nil
}

// sortSituations orders a taxonomy depth-first: each situation followed by
// its children, siblings by Order then ID. Situations whose parent is
// unknown count as top level.
func sortSituations(all []*LifeSituation) []*LifeSituation {
	known := map[string]bool{}
	for _, l := range all {
		known[l.ID] = true
	}
	children := map[string][]*LifeSituation{}
	for _, l := range all {
		p := l.ParentID
		if !known[p] || p == l.ID {
			p = ""
		}
		children[p] = append(children[p], l)
	}
	out := make([]*LifeSituation, 0, len(all))
	seen := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		cs := children[p]
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].Order != cs[j].Order {
				return cs[i].Order < cs[j].Order
			}
			return cs[i].ID < cs[j].ID
		})
		for _, c := range cs {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			out = append(out, c)
			walk(c.ID)
		}
	}
	walk("")
	return out
}

// Concepts returns every entry of the search dictionary in ID order.
func (tx *Tx) Concepts() ([]*Concept, error) {
	var out []*Concept
	err := tx.Each(KindConcept, func(r Record) (bool, error) {
		out = append(out, r.(*Concept))
		return true, nil
	})
	return out, err
}

// ServicesInSituation returns the IDs of the services assigned to a life
// situation, in ID order.
func (tx *Tx) ServicesInSituation(id string) []string {
	return tx.scanIDs(idxServiceSituation, join(id, ""))
}
