package federation

import (
	"encoding/json"
	"fmt"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// newRecord returns an empty record of a kind, for decoding an item.
// (catalog keeps its own constructor unexported.)
func newRecord(k catalog.Kind) (catalog.Record, error) {
	switch k {
	case catalog.KindService:
		return &catalog.Service{}, nil
	case catalog.KindOffice:
		return &catalog.Office{}, nil
	case catalog.KindOnlineService:
		return &catalog.OnlineService{}, nil
	case catalog.KindResponsibility:
		return &catalog.Responsibility{}, nil
	case catalog.KindSpecialisation:
		return &catalog.Specialisation{}, nil
	case catalog.KindRegion:
		return &catalog.Region{}, nil
	case catalog.KindBundle:
		return &catalog.Bundle{}, nil
	}
	return nil, fmt.Errorf("unknown record kind %q", k)
}

// metaOf returns the Meta of a record. (catalog's accessor is unexported.)
func metaOf(r catalog.Record) *catalog.Meta {
	switch r := r.(type) {
	case *catalog.Service:
		return &r.Meta
	case *catalog.Office:
		return &r.Meta
	case *catalog.OnlineService:
		return &r.Meta
	case *catalog.Responsibility:
		return &r.Meta
	case *catalog.Specialisation:
		return &r.Meta
	case *catalog.Region:
		return &r.Meta
	case *catalog.Bundle:
		return &r.Meta
	}
	panic(fmt.Sprintf("federation: unknown record type %T", r))
}

// publish turns a stored version into the item a feed serves. Who wrote it
// and why (Meta.UpdatedBy, Meta.Reason) stay here: they name editors.
func publish(r catalog.Record) (Item, error) {
	m := metaOf(r)
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
	r, err := newRecord(it.Kind)
	if err != nil {
		return nil, err
	}
	if len(it.Record) == 0 {
		return nil, fmt.Errorf("put without a record")
	}
	if err := decodeStrict(it.Record, r); err != nil {
		return nil, fmt.Errorf("record does not decode as %s: %v", it.Kind, err)
	}
	m := metaOf(r)
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
