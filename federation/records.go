package federation

import (
	"encoding/json"
	"fmt"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

func publish(r catalog.Record) (Item, error) {
	m := catalog.MetaOf(r)
	m.UpdatedBy, m.Reason = "", ""
	data, err := json.Marshal(r)
	if err != nil {
		return Item{}, catalog.Internal(err)
	}
	return Item{Op: OpPut, Kind: r.RecordKind(), ID: m.ID, Origin: m.Origin, Revision: m.Revision,
		Version: m.Version, Time: m.UpdatedAt.UTC(), Record: data}, nil
}

// decodeRecord decodes an item's record into the catalogue type of its
// kind and checks that it is the record the envelope names.
func decodeRecord(it *Item) (catalog.Record, error) {
	r, err := catalog.NewRecord(it.Kind)
	if err != nil {
		return nil, err
	}
	if len(it.Record) == 0 {
		return nil, fmt.Errorf("put without a record")
	}
	if err := decodeStrict(it.Record, r); err != nil {
		return nil, fmt.Errorf("record does not decode as %s: %v", it.Kind, err)
	}
	m := catalog.MetaOf(r)
	switch {
	case m.ID != it.ID:
		return nil, fmt.Errorf("record ID %q does not match the item's %q", m.ID, it.ID)
	case m.Origin != it.Origin:
		return nil, fmt.Errorf("record origin %q does not match the item's %q", m.Origin, it.Origin)
	case m.Revision != it.Revision:
		return nil, fmt.Errorf("record revision %d does not match the item's %d", m.Revision, it.Revision)
	}
	return r, nil
}
