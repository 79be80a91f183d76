package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// FieldChange is one field that differs between two versions of a record,
// by its JSON path ("addresses[0].street", "texts.06.en.v").
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
	if a != nil {
		flatten(a, before)
	}
	if b != nil {
		flatten(b, after)
	}
	var out []FieldChange
	for p, v := range after {
		if before[p] != v {
			out = append(out, FieldChange{Path: p, Before: before[p], After: v})
		}
	}
	for p, v := range before {
		if _, ok := after[p]; !ok {
			out = append(out, FieldChange{Path: p, Before: v})
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
