package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Content returns a record's content in a canonical form (JSON) without
// the store's bookkeeping: the Meta fields other than ID and Origin, and
// the revision stamps of its texts (when a language version changed, from
// which German revision a translation was made). Two versions with the
// same Content say the same thing; imports use it to tell an unchanged
// record from an updated one, and tests to compare a catalogue with its
// round trip through an exchange format.
func Content(r Record) ([]byte, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return nil, Internal(err)
	}
	c, err := NewRecord(r.RecordKind())
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, Internal(fmt.Errorf("copy %s: %w", r.RecordKind(), err))
	}
	m := c.meta()
	*m = Meta{ID: m.ID, Origin: m.Origin}
	c.walkTexts(func(_ string, t i18n.Text) i18n.Text {
		if t == nil {
			return nil
		}
		out := make(i18n.Text, len(t))
		for lang, v := range t {
			v.ChangedAt, v.SourceRevision = 0, 0
			out[lang] = v
		}
		return out
	})
	return json.Marshal(c)
}

// SameContent reports whether two records have the same Content.
func SameContent(a, b Record) bool {
	ca, err1 := Content(a)
	cb, err2 := Content(b)
	return err1 == nil && err2 == nil && bytes.Equal(ca, cb)
}

// EachResponsibilityOf calls fn for every responsibility of an office (k =
// KindOffice) or an online service (KindOnlineService), in ID order, until
// fn returns an error. Exports nest responsibilities in their office this
// way without holding them all.
func (tx *Tx) EachResponsibilityOf(k Kind, id string, fn func(*Responsibility) error) error {
	bucket := respIndexOf(k)
	if bucket == nil {
		return Errorf(EINVALID, "responsibilities belong to offices and online services, not to %s", k)
	}
	prefix := join(id, "")
	var err error
	tx.scanKeys(bucket, prefix, func(key []byte) bool {
		var r *Responsibility
		if r, err = tx.Responsibility(string(key[len(prefix):])); err == nil {
			err = fn(r)
		}
		return err == nil
	})
	return err
}

// respIndexOf returns the index of the responsibilities of an office or
// an online service by its ID; nil for any other kind.
func respIndexOf(k Kind) []byte {
	switch k {
	case KindOffice:
		return idxRespOffice
	case KindOnlineService:
		return idxRespOnline
	}
	return nil
}

// ResponsibilitiesAt returns the responsibilities for a LeiKa key entered
// at exactly the region key ars (not inherited ones), in ID order. Imports
// use it to find the record an input without IDs means.
func (tx *Tx) ResponsibilitiesAt(leika, ars string) ([]*Responsibility, error) {
	var out []*Responsibility
	for _, id := range tx.scanIDs(idxRespPlace, []byte(leika+ars)) {
		r, err := tx.Responsibility(id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
