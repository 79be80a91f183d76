package demo

import (
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// This file reads the content that says how people find services: the
// life-situation taxonomy with its assignments (content/life-situations.json),
// the search dictionary (content/search-dictionary.json) and the terms in
// context and English names (content/terms.json).

const (
	situationsContent = "content/life-situations.json"
	dictionaryContent = "content/search-dictionary.json"
	termsContent      = "content/terms.json"
)

// AssignmentsFile is the report of how every service got its life
// situations, written by the generator (go run ./catalog/demo/gen
// -situations) and kept in sync by a test.
const AssignmentsFile = "data/life-situation-assignments.tsv"

type situationsFile struct {
	Situations []situationRec `json:"situations"`
}

// situationRec is one life situation: the taxonomy node, the services
// assigned to it by hand (LeiKa keys of the core services) and the rules
// that assign the federal services, which carry only their names: a
// service whose formal or citizen name contains a rule's text (ignoring
// case) belongs to the situation.
type situationRec struct {
	Key         string            `json:"key"`
	Name        bilingual         `json:"name"`
	Description *bilingual        `json:"description"`
	Parent      string            `json:"parent"`
	Addressee   catalog.Addressee `json:"addressee"`
	Order       int               `json:"order"`
	Services    []string          `json:"services"`
	NameRules   []string          `json:"nameRules"`
}

type dictionaryFile struct {
	Concepts []conceptRec `json:"concepts"`
}

// conceptRec is an entry of the search dictionary: phrases of one language,
// what they mean in the catalogue's words, and the life situations (by
// key) they stand for.
type conceptRec struct {
	Lang       string              `json:"lang"`
	Phrases    []string            `json:"phrases"`
	Means      map[string][]string `json:"means"`
	Situations []string            `json:"situations"`
	Generic    bool                `json:"generic"`
}

type termsFile struct {
	Services []termsRec `json:"services"`
}

// termsRec are the terms in context of one service and, for a federal
// service that carries only a German name, its English names.
type termsRec struct {
	LeikaKey    string              `json:"leikaKey"`
	Name        string              `json:"nameEn"`
	CitizenName string              `json:"citizenNameEn"`
	Terms       map[string][]string `json:"terms"`
}

// situationID is the fixed ID of the n-th life situation (from 1).
func situationID(n int) string { return fmt.Sprintf("HE.LL.%010d", n) }

// conceptID is the fixed ID of the n-th dictionary entry (from 1).
func conceptID(n int) string { return fmt.Sprintf("HE.SW.%010d", n) }

// Assignment says why a service belongs to a life situation.
type Assignment struct {
	LeikaKey  string
	Situation string // key in life-situations.json
	How       string
}

// readSituations reads the taxonomy and returns its records and the IDs by key.
func readSituations() ([]situationRec, []*catalog.LifeSituation, map[string]string, error) {
	var sf situationsFile
	if err := readContent(situationsContent, &sf); err != nil {
		return nil, nil, nil, err
	}
	ids := map[string]string{}
	for i, s := range sf.Situations {
		if s.Key == "" {
			return nil, nil, nil, fmt.Errorf("%s: situation %d has no key", situationsContent, i+1)
		}
		if _, dup := ids[s.Key]; dup {
			return nil, nil, nil, fmt.Errorf("%s: key %q twice", situationsContent, s.Key)
		}
		ids[s.Key] = situationID(i + 1)
	}
	var out []*catalog.LifeSituation
	for _, s := range sf.Situations {
		l := &catalog.LifeSituation{Meta: catalog.Meta{ID: ids[s.Key]}, Name: s.Name.text(), Description: s.Description.text(),
			Addressee: s.Addressee, Order: s.Order}
		if s.Parent != "" {
			p, ok := ids[s.Parent]
			if !ok || s.Parent == s.Key {
				return nil, nil, nil, fmt.Errorf("%s: %s: unknown parent %q", situationsContent, s.Key, s.Parent)
			}
			l.ParentID = p
		}
		out = append(out, l)
	}
	return sf.Situations, out, ids, nil
}

// assignSituations decides the life situations of every service: the core
// services by the hand-written lists, every other service by the name
// rules. byKey has the services by their first LeiKa key. It returns the
// assignments in LeiKa key order, then situation order.
func assignSituations(recs []situationRec, services []*catalog.Service, byKey map[string]*catalog.Service) ([]Assignment, error) {
	order := map[string]int{}
	hand := map[string]bool{} // LeiKa keys with a hand-written assignment
	var out []Assignment
	for i, r := range recs {
		order[r.Key] = i
		for _, k := range r.Services {
			if byKey[k] == nil {
				return nil, fmt.Errorf("%s: %s: no service with LeiKa key %s", situationsContent, r.Key, k)
			}
			hand[k] = true
			out = append(out, Assignment{LeikaKey: k, Situation: r.Key, How: "by hand (" + situationsContent + ")"})
		}
	}
	for _, s := range services {
		k := s.LeikaKeys[0]
		if hand[k] {
			continue
		}
		names := strings.ToLower(s.Texts[catalog.ModuleName][i18n.DE].Value + " | " + s.Texts[catalog.ModuleCitizenName][i18n.DE].Value)
		for _, r := range recs {
			for _, rule := range r.NameRules {
				if strings.Contains(names, strings.ToLower(rule)) {
					out = append(out, Assignment{LeikaKey: k, Situation: r.Key, How: fmt.Sprintf("name contains %q", rule)})
					break
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].LeikaKey != out[j].LeikaKey {
			return out[i].LeikaKey < out[j].LeikaKey
		}
		return order[out[i].Situation] < order[out[j].Situation]
	})
	return out, nil
}

// writeAssignments writes the assignment report: one line per assignment,
// then the services without any.
func writeAssignments(w io.Writer, as []Assignment, services []*catalog.Service) error {
	fmt.Fprintln(w, "# How the demo catalogue's services got their life situations (generated by go run ./catalog/demo/gen -situations;")
	fmt.Fprintln(w, "# source: "+situationsContent+" and the federal services' names in data/"+servicesFileName+").")
	fmt.Fprintln(w, "# leika\tsituation\thow")
	assigned := map[string]bool{}
	for _, a := range as {
		assigned[a.LeikaKey] = true
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\n", a.LeikaKey, a.Situation, a.How); err != nil {
			return err
		}
	}
	var none []string
	for _, s := range services {
		if !assigned[s.LeikaKeys[0]] {
			none = append(none, s.LeikaKeys[0])
		}
	}
	sort.Strings(none)
	fmt.Fprintf(w, "# %d services assigned, %d without a life situation (no rule matches their names):\n", len(assigned), len(none))
	for _, k := range none {
		if _, err := fmt.Fprintf(w, "%s\t-\tno rule matches\n", k); err != nil {
			return err
		}
	}
	return nil
}

// applySituations sets the services' life situations from the assignments;
// byKey has the services by their first LeiKa key.
func applySituations(as []Assignment, ids map[string]string, byKey map[string]*catalog.Service) {
	for _, a := range as {
		s := byKey[a.LeikaKey]
		s.LifeSituationIDs = append(s.LifeSituationIDs, ids[a.Situation])
	}
}

// readDictionary reads the search dictionary.
func readDictionary(situations map[string]string) ([]*catalog.Concept, error) {
	var df dictionaryFile
	if err := readContent(dictionaryContent, &df); err != nil {
		return nil, err
	}
	var out []*catalog.Concept
	for i, c := range df.Concepts {
		rec := &catalog.Concept{Meta: catalog.Meta{ID: conceptID(i + 1)}, Lang: c.Lang, Phrases: c.Phrases, Means: c.Means, Generic: c.Generic}
		for _, key := range c.Situations {
			id, ok := situations[key]
			if !ok {
				return nil, fmt.Errorf("%s: entry %d (%v): unknown life situation %q", dictionaryContent, i+1, c.Phrases, key)
			}
			rec.LifeSituationIDs = append(rec.LifeSituationIDs, id)
		}
		out = append(out, rec)
	}
	return out, nil
}

// applyTerms sets the terms in context and the English names of federal
// services; byKey has the services by their first LeiKa key.
func applyTerms(byKey map[string]*catalog.Service) error {
	var tf termsFile
	if err := readContent(termsContent, &tf); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range tf.Services {
		s := byKey[r.LeikaKey]
		if s == nil {
			return fmt.Errorf("%s: no service with LeiKa key %s", termsContent, r.LeikaKey)
		}
		if seen[r.LeikaKey] {
			return fmt.Errorf("%s: %s twice", termsContent, r.LeikaKey)
		}
		seen[r.LeikaKey] = true
		for _, m := range []struct {
			module catalog.Module
			en     string
		}{{catalog.ModuleName, r.Name}, {catalog.ModuleCitizenName, r.CitizenName}} {
			if m.en == "" {
				continue
			}
			de := s.Texts[m.module][i18n.DE].Value
			if de == "" {
				return fmt.Errorf("%s: %s: an English name for a module without German text", termsContent, r.LeikaKey)
			}
			if s.Texts[m.module][i18n.EN].Value != "" {
				return fmt.Errorf("%s: %s: the service has an English name already", termsContent, r.LeikaKey)
			}
			s.Texts[m.module] = i18n.Bilingual(de, m.en)
		}
		for _, lang := range []string{i18n.DE, i18n.EN} {
			for _, t := range r.Terms[lang] {
				s.Terms = append(s.Terms, catalog.Term{Text: t, Lang: lang, Type: catalog.DefaultTermType})
			}
		}
		for lang := range r.Terms {
			if lang != i18n.DE && lang != i18n.EN {
				return fmt.Errorf("%s: %s: terms in %q; only de and en", termsContent, r.LeikaKey, lang)
			}
		}
	}
	return nil
}

// WriteAssignments writes the report of how every service of the demo got
// its life situations (AssignmentsFile) to w.
func WriteAssignments(w io.Writer) error {
	c, err := build(slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	return writeAssignments(w, c.assignments, c.services)
}
