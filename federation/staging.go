package federation

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

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

// itemRevision returns the revision of a staged item (the JSON of an
// Item), reading its top-level fields only up to "revision": the record
// that follows is not parsed (the staged items were checked when their
// page was decoded).
func itemRevision(v []byte) (uint64, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, errBadStagedItem
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return 0, err
		}
		if t == "revision" {
			var rev uint64
			if err := dec.Decode(&rev); err != nil {
				return 0, err
			}
			return rev, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return 0, err
		}
	}
	return 0, errBadStagedItem
}

var errBadStagedItem = catalog.Errorf(catalog.EINTERNAL, "a staged snapshot item has no revision")

// stagedIn is keep for deleteOrigin and shrinkRefusal: whether the
// peer's staged snapshot holds the record. It looks the key up instead of
// holding a set of every staged key (5 million at L).
func stagedIn(tx *catalog.Tx, peer string) func(catalog.Kind, string) bool {
	return func(k catalog.Kind, id string) bool { return tx.HasPeerData(recordKey(keyStaging, peer, k, id)) }
}
