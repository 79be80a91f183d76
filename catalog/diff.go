package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// FieldChange is one field that differs between two versions of a record,
// by its path in the API's names, the names of inputs and of validation
// errors ("addresses[0].street", "openingHours[1].close", "texts.06.en").
type FieldChange struct {
	Path   string
	Before string
	After  string
}

// bookkeeping paths are left out of diffs: they change on every write.
var bookkeeping = map[string]bool{"rev": true, "ver": true, "updated": true, "by": true, "reason": true, "created": true, "orev": true}

// Diff returns the fields that differ between two versions (a may be nil
// for the first version), sorted by path. Translation stamps (at, src) are
// left out; the text values themselves are compared.
func Diff(a, b Record) []FieldChange {
	before, after := map[string]string{}, map[string]string{}
	var k Kind
	if a != nil {
		k = a.RecordKind()
		flatten(a, before)
	}
	if b != nil {
		k = b.RecordKind()
		flatten(b, after)
	}
	var out []FieldChange
	for p, v := range after {
		if before[p] != v {
			out = append(out, FieldChange{Path: apiPath(k, p), Before: before[p], After: v})
		}
	}
	for p, v := range before {
		if _, ok := after[p]; !ok {
			out = append(out, FieldChange{Path: apiPath(k, p), Before: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func flatten(r Record, into map[string]string) {
	data, _ := json.Marshal(r)
	var v any
	_ = json.Unmarshal(data, &v)
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if prefix == "" && bookkeeping[k] {
					continue
				}
				if k == "at" || k == "src" {
					continue
				}
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", prefix, i), x)
			}
		case nil:
		default:
			into[prefix] = fmt.Sprint(v)
		}
	}
	walk("", v)
}

// The stored JSON names differ from the API's where storage is terse; these
// tables and rules translate a stored path into the API's.
var (
	apiNames = map[Kind]map[string]string{
		KindService: {"leika": "leikaKeys", "bundles": "implementationBundles", "processing": "processingTime",
			"external": "externalIds", "lifeSituations": "lifeSituationIds"},
		KindOffice:         {"parent": "parentId", "external": "externalIds"},
		KindOnlineService:  {"trust": "trustLevel", "ident": "identification", "external": "externalIds"},
		KindResponsibility: {"leika": "leikaKey", "office": "officeId", "online": "onlineServiceId"},
		KindSpecialisation: {"leika": "leikaKey"},
		KindBundle:         {"services": "serviceCount", "since": "availableSince", "sinceDate": "availableSinceDate"},
	}
	apiNestedNames = map[string]string{"pobox": "poBox", "amount": "amountCents", "min": "minCents", "max": "maxCents"}
	apiPathRules   = []struct {
		re   *regexp.Regexp
		repl string
	}{
		{regexp.MustCompile(`\.([a-z]{2})\.v$`), ".$1"},
		{regexp.MustCompile(`\.([a-z]{2})\.mt$`), ".${1}MachineTranslated"},
		{regexp.MustCompile(`\.([a-z]{2})\.by$`), ".${1}Translator"},
		{regexp.MustCompile(`(^|\.)hours\.slots\[`), "${1}openingHours["},
		{regexp.MustCompile(`(^|\.)hours\.notes\.`), "${1}openingHoursNotes."},
		{regexp.MustCompile(`(^|\.)validity\.from$`), "${1}validFrom"},
		{regexp.MustCompile(`(^|\.)validity\.to$`), "${1}validTo"},
		{regexp.MustCompile(`^keywords\.de\[`), "keywordsDe["},
		{regexp.MustCompile(`^keywords\.en\[`), "keywordsEn["},
	}
)

// apiPath returns the API's name for a stored JSON path of a record of kind k.
func apiPath(k Kind, p string) string {
	for _, r := range apiPathRules {
		p = r.re.ReplaceAllString(p, r.repl)
	}
	segs := strings.Split(p, ".")
	for i, s := range segs {
		name, idx, _ := strings.Cut(s, "[")
		if n, ok := apiNames[k][name]; ok {
			name = n
		} else if n, ok := apiNestedNames[name]; ok && i > 0 {
			name = n
		}
		if idx != "" {
			name += "[" + idx
		}
		segs[i] = name
	}
	return strings.Join(segs, ".")
}

// ChangedSince returns the change-log entries written at or after since,
// oldest first, that touch a region: entries of records without a region
// (central service descriptions, bundles) and entries whose region lies in
// ars or above it. With an empty ars every entry counts. At most limit
// entries are returned; more reports whether some were left out.
func (tx *Tx) ChangedSince(since time.Time, ars string, limit int) (out []Change, more bool, err error) {
	if ars != "" && !ValidARS(ars) {
		return nil, false, Invalid("ars", "format", "%q is not a 12-digit region key (ARS)", ars)
	}
	ancestors := map[string]bool{}
	for _, a := range Ancestors(ars) {
		ancestors[a] = true
	}
	prefix := TrimARS(ars)
	c := tx.bt.Bucket(bucketLog).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var ch Change
		if err := json.Unmarshal(v, &ch); err != nil {
			return nil, false, Internal(err)
		}
		if ch.Time.Before(since) {
			break
		}
		if ch.Op == OpIndexed {
			continue // no record changed
		}
		if ars != "" && ch.RegionKey != "" && !ancestors[ch.RegionKey] && !strings.HasPrefix(ch.RegionKey, prefix) {
			continue
		}
		if len(out) == limit {
			more = true
			break
		}
		out = append(out, ch)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, more, nil
}
