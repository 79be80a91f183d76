package federation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// This file holds the wire format of the feed: the JSON documents, their
// strict decoders and the canonical form of a snapshot's digest. doc.go
// specifies them for other implementations.

// Op values of an Item.
const (
	OpPut    = "put"
	OpDelete = "delete"
)

// Item is one entry of a page: the full record a revision wrote, or a
// tombstone for a deletion.
type Item struct {
	Op   string       `json:"op"`
	Kind catalog.Kind `json:"kind"`
	ID   string       `json:"id"`
	// Origin is the portal that owns the record; a feed only carries its
	// own records.
	Origin string `json:"origin"`
	// Revision is the origin's change-log revision that wrote this version
	// (put) or deleted the record (delete). Consumers apply idempotently by
	// (origin, id, revision).
	Revision uint64 `json:"revision"`
	// Version counts the record's versions at the origin; a tombstone
	// carries the version after the last one.
	Version int       `json:"version"`
	Time    time.Time `json:"time"`
	// Record is the full record as JSON (the catalogue type of Kind), for
	// put only.
	Record json.RawMessage `json:"record,omitempty"`
}

// Page is one answer of GET /federation/v1/changes.
type Page struct {
	Portal string `json:"portal"`
	// After echoes the cursor the consumer asked with ("" from the start).
	After string `json:"after"`
	// Next is the cursor to ask with next; it never stands before After.
	Next string `json:"next"`
	// Revision is the publisher's log revision Next stands at.
	Revision uint64 `json:"revision"`
	// More is true for a full page: the consumer asks again at once.
	More  bool   `json:"more"`
	Items []Item `json:"items"`
}

// Manifest is the answer of GET /federation/v1/snapshot without a page: what
// the snapshot at Revision contains and where its pages begin.
type Manifest struct {
	Portal   string `json:"portal"`
	Revision uint64 `json:"revision"`
	// Cursor is where the consumer continues the change feed after
	// applying the snapshot.
	Cursor string `json:"cursor"`
	Count  int    `json:"count"`
	// Digest is "sha256:" and the lower-case hex SHA-256 of the canonical
	// form (see CanonicalDigest).
	Digest string    `json:"digest"`
	First  string    `json:"first"`
	Time   time.Time `json:"time"`
}

// SnapshotPage is one answer of GET /federation/v1/snapshot?page=TOKEN.
type SnapshotPage struct {
	Portal   string `json:"portal"`
	Revision uint64 `json:"revision"`
	// Page echoes the token asked for.
	Page string `json:"page"`
	// Next is the token of the following page, "" after the last one.
	Next  string `json:"next"`
	Items []Item `json:"items"`
}

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
		Rule    string `json:"rule,omitempty"`
	} `json:"error"`
	// Snapshot is set on 410 Gone: where to resync from.
	Snapshot string `json:"snapshot,omitempty"`
}

// snapshotKinds is the order in which a snapshot serves the kinds: a record
// comes after the kinds it refers to. It is part of the protocol.
var snapshotKinds = []catalog.Kind{catalog.KindRegion, catalog.KindBundle, catalog.KindService,
	catalog.KindOffice, catalog.KindOnlineService, catalog.KindResponsibility, catalog.KindSpecialisation,
	catalog.KindLifeSituation, catalog.KindConcept}

func kindIndex(k catalog.Kind) int {
	for i, s := range snapshotKinds {
		if s == k {
			return i
		}
	}
	return -1
}

// validID reports whether s may be a record ID on the wire: 1 to 200 bytes
// of UTF-8 without control characters (tabs and newlines separate the
// canonical form; 0 bytes separate store keys).
func validID(s string) bool {
	if s == "" || len(s) > maxIDLen || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func validPortal(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// decodeStrict decodes exactly one JSON value from data into v: trailing
// data, a truncated document or a value of the wrong shape is an error.
// json.Unmarshal is all of that (it refuses anything after the value but
// white space) without a Decoder's copy of the data.
func decodeStrict(data []byte, v any) error {
	return json.Unmarshal(data, v)
}

// checkItem checks an item's envelope: what a consumer needs to key it.
// Everything else about an item (its op, kind, record) is checked when it
// is applied and, if wrong, quarantined.
func checkItem(i int, it *Item) error {
	switch {
	case !validID(string(it.Kind)):
		return fmt.Errorf("items[%d]: kind missing or malformed", i)
	case !validID(it.ID):
		return fmt.Errorf("items[%d]: id missing or malformed", i)
	case it.Revision == 0:
		return fmt.Errorf("items[%d]: revision missing", i)
	}
	return nil
}

// DecodePage reads a changes page strictly: one JSON object with a portal,
// a parseable next cursor and items that each carry kind, id and revision.
func DecodePage(data []byte) (*Page, error) {
	var p Page
	if err := decodeStrict(data, &p); err != nil {
		return nil, fmt.Errorf("malformed page: %w", err)
	}
	if !validPortal(p.Portal) {
		return nil, errors.New("malformed page: portal missing or malformed")
	}
	if _, err := ParseCursor(p.After); err != nil {
		return nil, fmt.Errorf("malformed page: after: %w", err)
	}
	next, err := ParseCursor(p.Next)
	if err != nil {
		return nil, fmt.Errorf("malformed page: next: %w", err)
	}
	if next.Revision != p.Revision {
		return nil, errors.New("malformed page: revision does not match the next cursor")
	}
	if p.Items == nil {
		return nil, errors.New("malformed page: items missing")
	}
	for i := range p.Items {
		if err := checkItem(i, &p.Items[i]); err != nil {
			return nil, fmt.Errorf("malformed page: %w", err)
		}
	}
	return &p, nil
}

// DecodeManifest reads a snapshot manifest strictly.
func DecodeManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := decodeStrict(data, &m); err != nil {
		return nil, fmt.Errorf("malformed manifest: %w", err)
	}
	c, err := ParseCursor(m.Cursor)
	switch {
	case !validPortal(m.Portal):
		return nil, errors.New("malformed manifest: portal missing or malformed")
	case err != nil:
		return nil, fmt.Errorf("malformed manifest: cursor: %w", err)
	case c.Revision != m.Revision:
		return nil, errors.New("malformed manifest: revision does not match the cursor")
	case m.Count < 0:
		return nil, errors.New("malformed manifest: negative count")
	case len(m.Digest) != len("sha256:")+64 || m.Digest[:7] != "sha256:":
		return nil, errors.New("malformed manifest: digest is not sha256:<hex>")
	case m.First == "":
		return nil, errors.New("malformed manifest: first page token missing")
	}
	return &m, nil
}

// DecodeSnapshotPage reads a snapshot page strictly; its items must all be
// puts.
func DecodeSnapshotPage(data []byte) (*SnapshotPage, error) {
	var p SnapshotPage
	if err := decodeStrict(data, &p); err != nil {
		return nil, fmt.Errorf("malformed snapshot page: %w", err)
	}
	if !validPortal(p.Portal) {
		return nil, errors.New("malformed snapshot page: portal missing or malformed")
	}
	if p.Items == nil {
		return nil, errors.New("malformed snapshot page: items missing")
	}
	for i := range p.Items {
		if err := checkItem(i, &p.Items[i]); err != nil {
			return nil, fmt.Errorf("malformed snapshot page: %w", err)
		}
		if p.Items[i].Op != OpPut {
			return nil, fmt.Errorf("malformed snapshot page: items[%d]: op %q in a snapshot", i, p.Items[i].Op)
		}
	}
	return &p, nil
}

// canonicalLine is one line of a snapshot's canonical form.
func canonicalLine(k catalog.Kind, id string, rev uint64) string {
	return string(k) + "\t" + id + "\t" + strconv.FormatUint(rev, 10) + "\n"
}

// CanonicalDigest returns the digest of a snapshot given its canonical
// lines (kind TAB id TAB revision LF, one per record): "sha256:" and the
// hex SHA-256 of the lines sorted bytewise and concatenated. It sorts lines
// in place.
func CanonicalDigest(lines []string) string {
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		io.WriteString(h, l)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
