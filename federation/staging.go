package federation

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// stagedSummary is what the verification of a staged snapshot needs: how
// many records were staged, the digest of their canonical lines, and the
// kinds in the order the swap applies them (known kinds in dependency
// order, then unknown ones, which are quarantined).
type stagedSummary struct {
	count  int
	digest string
	kinds  []catalog.Kind
}

// summariseStaging walks the peer's staged items once. The staging keys
// ("kind TAB id") sort like the canonical lines ("kind TAB id TAB
// revision LF"): kinds and IDs hold no control characters (checkItem
// refused every page item with one before it was staged), so TAB sorts
// before any byte of them. The digest is therefore hashed while walking,
// without holding the lines (5 million at L) or sorting them. Only the
// item's head is read for its revision, not its record.
func summariseStaging(tx *catalog.Tx, peer string) (stagedSummary, error) {
	prefix := keyStaging + peer + "/"
	sum := stagedSummary{kinds: slices.Clone(snapshotKinds)}
	h := sha256.New()
	var line []byte
	err := tx.EachPeerData(prefix, func(k string, v []byte) error {
		kind, id, _ := strings.Cut(k[len(prefix):], "\t")
		rev, err := itemRevision(v)
		if err != nil {
			return catalog.Internal(err)
		}
		line = append(append(append(append(line[:0], kind...), '\t'), id...), '\t')
		line = append(strconv.AppendUint(line, rev, 10), '\n')
		h.Write(line)
		sum.count++
		if kindIndex(catalog.Kind(kind)) < 0 && !slices.Contains(sum.kinds, catalog.Kind(kind)) {
			sum.kinds = append(sum.kinds, catalog.Kind(kind)) // quarantined as unknown
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	sum.digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return sum, nil
}

// Staged items are stored in a compact form instead of the item's JSON:
// the page was decoded and checked when it arrived, and at L the swap
// spent a good part of its time decoding 5 million items' JSON again
// (and staging encoding them), when all it needs is the fields and the
// record's bytes as they came. Kind and ID are in the key. The form:
//
//	stagedMagic, uvarint revision, uvarint version, then op, origin and
//	time (RFC 3339) each as uvarint length and bytes, then the record's
//	JSON to the end.
//
// Items staged by an earlier version as JSON (starting with '{') are
// still read, so that a staging in progress resumes across an upgrade.
const stagedMagic = 0x01

// encodeStaged appends the staged form of it to buf.
func encodeStaged(buf []byte, it *Item) []byte {
	buf = append(buf, stagedMagic)
	buf = binary.AppendUvarint(buf, it.Revision)
	buf = binary.AppendUvarint(buf, uint64(max(it.Version, 0)))
	for _, f := range []string{it.Op, it.Origin} {
		buf = binary.AppendUvarint(buf, uint64(len(f)))
		buf = append(buf, f...)
	}
	var t []byte
	if !it.Time.IsZero() {
		t = it.Time.AppendFormat(nil, time.RFC3339Nano)
	}
	buf = binary.AppendUvarint(buf, uint64(len(t)))
	buf = append(buf, t...)
	return append(buf, it.Record...)
}

// decodeStaged decodes a staged item stored under key (kind TAB id after
// the prefix). The record's bytes are copied: v belongs to the store's
// transaction.
func decodeStaged(kind, id string, v []byte) (Item, error) {
	if len(v) > 0 && v[0] == '{' {
		var it Item
		if err := json.Unmarshal(v, &it); err != nil {
			return it, catalog.Internal(err)
		}
		return it, nil
	}
	it := Item{Kind: catalog.Kind(kind), ID: id}
	r := stagedReader{b: v}
	if r.byte() != stagedMagic {
		return it, errBadStagedItem
	}
	it.Revision = r.uvarint()
	it.Version = int(r.uvarint())
	it.Op = string(r.field())
	it.Origin = string(r.field())
	if t := r.field(); len(t) > 0 && r.ok {
		var err error
		if it.Time, err = time.Parse(time.RFC3339Nano, string(t)); err != nil {
			return it, errBadStagedItem
		}
	}
	if !r.ok {
		return it, errBadStagedItem
	}
	if len(r.b) > 0 {
		it.Record = append(json.RawMessage(nil), r.b...)
	}
	return it, nil
}

// itemRevision returns the revision of a staged item without decoding
// the rest.
func itemRevision(v []byte) (uint64, error) {
	if len(v) > 0 && v[0] == '{' {
		var head struct {
			Revision *uint64 `json:"revision"`
		}
		if err := json.Unmarshal(v, &head); err != nil || head.Revision == nil {
			return 0, errBadStagedItem
		}
		return *head.Revision, nil
	}
	r := stagedReader{b: v}
	if r.byte() != stagedMagic {
		return 0, errBadStagedItem
	}
	rev := r.uvarint()
	if !r.ok {
		return 0, errBadStagedItem
	}
	return rev, nil
}

// stagedReader reads the parts of a staged item; ok turns false at the
// first part that is cut short.
type stagedReader struct {
	b  []byte
	ok bool
}

func (r *stagedReader) byte() byte {
	if len(r.b) == 0 {
		r.ok = false
		return 0
	}
	c := r.b[0]
	r.b, r.ok = r.b[1:], true
	return c
}

func (r *stagedReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.ok = false
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *stagedReader) field() []byte {
	n := r.uvarint()
	if !r.ok || n > uint64(len(r.b)) {
		r.ok = false
		return nil
	}
	f := r.b[:n]
	r.b = r.b[n:]
	return f
}

var errBadStagedItem = catalog.Errorf(catalog.EINTERNAL, "a staged snapshot item has no revision")

// stagedIn is keep for deleteOrigin and shrinkRefusal: whether the
// peer's staged snapshot holds the record. It looks the key up instead of
// holding a set of every staged key (5 million at L).
func stagedIn(tx *catalog.Tx, peer string) func(catalog.Kind, string) bool {
	return func(k catalog.Kind, id string) bool { return tx.HasPeerData(recordKey(keyStaging, peer, k, id)) }
}
