package catalog

import (
	"strings"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Translations: every text has a German version (the source) and may have
// an English one that records whether it was machine-made, by whom, and
// from which German revision (i18n.Version). A German change leaves the
// English version stale until an editor replaces or confirms it.

// setTranslation writes the version of one text of a record in a language
// other than German. path names the text as in validation errors:
// "texts.06" for a service module, "name", "accessibility",
// "openingHoursNotes", "title", "description", "text" (the names of
// validation errors, which are the API's). With confirm and an
// empty value, the existing translation is confirmed as current for the
// German text as it is now.
//
// Errors: INVALID (language, path, HTML, no German source), NOT_FOUND,
// CONFLICT, FORBIDDEN, UNAUTHENTICATED.
func (tx *Tx) setTranslation(k Kind, id, path, lang string, v i18n.Version, confirm bool, w Write) (*Result, error) {
	lang = strings.ToLower(strings.TrimSpace(lang))
	path = textPath(path)
	if lang == i18n.DE {
		return nil, Invalid("lang", "language", "German is the source text; change it with the record's own mutation")
	}
	if lang != i18n.EN {
		return nil, Invalid("lang", "language", "only de and en are stored, not %q", lang)
	}
	r, err := tx.Get(k, id)
	if err != nil {
		return nil, err
	}
	found := false
	var serr error
	r.walkTexts(func(p string, t i18n.Text) i18n.Text {
		if p != path {
			return t
		}
		found = true
		de, ok := t[i18n.DE]
		if !ok || de.Value == "" {
			serr = Invalid("path", "source", "%s has no German text to translate", path)
			return t
		}
		out := make(i18n.Text, len(t)+1)
		for l, x := range t {
			out[l] = x
		}
		cur := out[lang]
		switch {
		case confirm && v.Value == "":
			if cur.Value == "" {
				serr = Invalid("text", "required", "there is no %s translation to confirm", lang)
				return t
			}
			cur.SourceRevision = de.ChangedAt
		default:
			if strings.TrimSpace(v.Value) == "" {
				serr = Invalid("text", "required", "the translation is empty")
				return t
			}
			cur = i18n.Version{Value: v.Value, MachineTranslated: v.MachineTranslated, Translator: v.Translator}
			if confirm {
				cur.SourceRevision = de.ChangedAt
			}
		}
		out[lang] = cur
		return out
	})
	if serr != nil {
		return nil, serr
	}
	if !found {
		return nil, Invalid("path", "exists", "%s %s has no text %q", k, id, path)
	}
	old, err := tx.put(r, w)
	if err != nil {
		return nil, err
	}
	return &Result{Record: r, Previous: old}, nil
}

// ModuleCoverage counts, for one module, how many services have it in
// German, how many of those in English, and how many English ones are stale.
type ModuleCoverage struct {
	Module     Module
	German     int
	Translated int
	Missing    int
	Stale      int
	Machine    int
}

// ServiceCoverage lists a service's required modules without English or
// with a stale English text.
type ServiceCoverage struct {
	Service *Service
	Missing []Module
	Stale   []Module
}

// TranslationCoverage reports English coverage of the modules in
// EnglishRequired, over the published
// services offered at ars (all when empty): totals per module, and the
// services with gaps in name order of their IDs.
func (tx *Tx) TranslationCoverage(ars string) ([]ModuleCoverage, []ServiceCoverage, int, error) {
	var at map[string]bool
	if ars != "" {
		if _, err := tx.Region(ars); err != nil {
			return nil, nil, 0, err
		}
		at = tx.LeikaKeysAt(ars)
	}
	totals := make([]ModuleCoverage, len(EnglishRequired))
	for i, m := range EnglishRequired {
		totals[i].Module = m
	}
	var gaps []ServiceCoverage
	considered := 0
	err := tx.Each(KindService, func(r Record) (bool, error) {
		s := r.(*Service)
		if s.Status != StatusPublished {
			return true, nil
		}
		if at != nil {
			offered := false
			for _, k := range s.LeikaKeys {
				offered = offered || at[k]
			}
			if !offered {
				return true, nil
			}
		}
		considered++
		sc := ServiceCoverage{Service: s}
		for i, m := range EnglishRequired {
			t := s.Texts[m]
			if t[i18n.DE].Value == "" {
				continue
			}
			totals[i].German++
			en, ok := t[i18n.EN]
			switch {
			case !ok || en.Value == "":
				totals[i].Missing++
				sc.Missing = append(sc.Missing, m)
			case t.Stale(i18n.EN):
				totals[i].Translated++
				totals[i].Stale++
				sc.Stale = append(sc.Stale, m)
			default:
				totals[i].Translated++
			}
			if ok && en.MachineTranslated {
				totals[i].Machine++
			}
		}
		if len(sc.Missing)+len(sc.Stale) > 0 {
			gaps = append(gaps, sc)
		}
		return true, nil
	})
	return totals, gaps, considered, err
}

// textPath returns the path of a text by its API name; the names the
// API used before it named texts like its inputs are still understood.
func textPath(p string) string {
	switch p {
	case "openingHours.notes":
		return "openingHoursNotes"
	case "processing.description":
		return "processingTime.description"
	}
	return p
}

// TextAt returns the text of a record at a path (see SetTranslation).
func TextAt(r Record, path string) (i18n.Text, bool) {
	path = textPath(path)
	var out i18n.Text
	found := false
	r.walkTexts(func(p string, t i18n.Text) i18n.Text {
		if p == path {
			out, found = t, true
		}
		return t
	})
	return out, found
}

// EachText calls fn for every localized text of a record with its path.
func EachText(r Record, fn func(path string, t i18n.Text)) {
	r.walkTexts(func(p string, t i18n.Text) i18n.Text { fn(p, t); return t })
}
