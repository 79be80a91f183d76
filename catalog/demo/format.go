package demo

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// This file defines the format of the generated files in data/: gzip-compressed
// JSON, one record per line, every file opening with the sources it was made
// from. Generate writes it and Load reads it, so the format is defined once.
// Field names follow the catalogue's JSON names where a field maps one to one.

// Names of the generated files.
const (
	regionsFileName  = "regions.json.gz"
	officesFileName  = "offices.json.gz"
	servicesFileName = "federal-services.json.gz"
)

// generatedFiles lists every file Generate writes, in the order it writes them.
var generatedFiles = []string{regionsFileName, officesFileName, servicesFileName}

// source names one input of a generated file: its path below the shared data
// directory and its "as of" as data/README.md states it.
type source struct {
	File string `json:"file"`
	AsOf string `json:"asOf"`
}

type regionsFile struct {
	Source  []source    `json:"source"`
	Regions []regionRec `json:"regions"`
}

// regionRec is a catalog.Region as stored in regions.json.gz.
type regionRec struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Level       catalog.Level `json:"level"`
	Parent      string        `json:"parent,omitempty"`
	Type        string        `json:"type,omitempty"`
	Seat        string        `json:"seat,omitempty"`
	PostalCodes []string      `json:"postalCodes,omitempty"`
	Population  int           `json:"population,omitempty"`
	Validity    *validityRec  `json:"validity,omitempty"`
	Successor   string        `json:"successor,omitempty"`
}

// validityRec is a catalog.Validity with dates as YYYY-MM-DD.
type validityRec struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

type officesFile struct {
	Source  []source    `json:"source"`
	Offices []officeRec `json:"offices"`
}

// officeRec is a catalog.Office as stored in offices.json.gz. Office names
// are proper names and stay German.
type officeRec struct {
	ID        string             `json:"id"`
	Name      string             `json:"name"`
	Kind      catalog.OfficeKind `json:"kind"`
	RegionKey string             `json:"ars"`
	Addresses []catalog.Address  `json:"addresses,omitempty"`
	// Serves lists, for a state or federal authority, the LeiKa keys of the
	// services it is responsible for at its RegionKey. Municipal and
	// district offices get theirs by the level of the service instead.
	Serves []string `json:"serves,omitempty"`
}

type servicesFile struct {
	Source         []source            `json:"source"`
	Services       []federalServiceRec `json:"services"`
	OnlineServices []onlineServiceRec  `json:"onlineServices"`
}

// federalServiceRec is a service of the federal catalogue. Its texts are
// German only, as in the source.
type federalServiceRec struct {
	ID          string   `json:"id"`
	LeikaKeys   []string `json:"leika"`
	Name        string   `json:"name"`                  // module 02
	CitizenName string   `json:"citizenName,omitempty"` // module 03
	ExternalIDs []string `json:"external"`
	// Online lists the IDs of its online services.
	Online []string `json:"online,omitempty"`
	// Core marks a LeiKa key that the hand-written core services describe
	// too: Load attaches the external ID and the online services to that
	// core service instead of writing this one.
	Core bool `json:"core,omitempty"`
}

// onlineServiceRec is a catalog.OnlineService as stored in
// federal-services.json.gz.
type onlineServiceRec struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Links       []string `json:"links"`
	RegionKey   string   `json:"ars"`
	ExternalIDs []string `json:"external"`
}

// encodeFile returns the gzip-compressed JSON of a generated file: an
// object with the field "source" first and then each list, one element per
// line. The gzip header has no name and no time, so equal input gives equal
// bytes.
func encodeFile(src []source, lists ...namedList) ([]byte, error) {
	var js bytes.Buffer
	b, err := json.Marshal(src)
	if err != nil {
		return nil, err
	}
	js.WriteString(`{"source":`)
	js.Write(b)
	for _, l := range lists {
		fmt.Fprintf(&js, ",\n%q:[", l.name)
		for i := 0; i < l.len; i++ {
			b, err := json.Marshal(l.item(i))
			if err != nil {
				return nil, err
			}
			if i > 0 {
				js.WriteByte(',')
			}
			js.WriteByte('\n')
			js.Write(b)
		}
		js.WriteString("\n]")
	}
	js.WriteString("}\n")

	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(js.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return gz.Bytes(), nil
}

// namedList is one list of a generated file.
type namedList struct {
	name string
	len  int
	item func(i int) any
}

func list[T any](name string, items []T) namedList {
	return namedList{name: name, len: len(items), item: func(i int) any { return items[i] }}
}

// decodeFile reads a generated file into v, strictly: an unknown field or
// trailing data is an error, so that the format cannot drift unnoticed.
func decodeFile(r io.Reader, v any) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	defer zr.Close()
	return decodeStrict(zr, v)
}

// decodeStrict decodes one JSON value, refusing unknown fields and anything
// after the value.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the JSON value")
	}
	return nil
}
