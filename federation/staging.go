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
// revision LF": IDs hold no control characters, so TAB sorts before any
// byte of an ID), so the digest is hashed while walking, without holding
// the lines (5 million at L) or sorting them. Should a key ever come out
// of that order, the lines are collected and sorted as CanonicalDigest
// does. Only the item's head is read for its revision, not its record.
func summariseStaging(tx *catalog.Tx, peer string) (stagedSummary, error) {
	prefix := keyStaging + peer + "/"
	sum := stagedSummary{kinds: slices.Clone(snapshotKinds)}
	h := sha256.New()
	var prev string
	var lines []string // only once the order broke
	var line []byte
	err := tx.EachPeerData(prefix, func(k string, v []byte) error {
		key := k[len(prefix):]
		kind, id, _ := strings.Cut(key, "\t")
		rev, err := itemRevision(v)
		if err != nil {
			return catalog.Internal(err)
		}
		line = append(append(append(append(line[:0], kind...), '\t'), id...), '\t')
		line = append(strconv.AppendUint(line, rev, 10), '\n')
		switch {
		case lines != nil:
			lines = append(lines, string(line))
		case string(line) < prev:
			// Out of canonical order: collect every line so far again.
			lines = []string{}
			if err := tx.EachPeerData(prefix, func(k2 string, v2 []byte) error {
				if k2 >= k {
					return errStopWalk
				}
				kind2, id2, _ := strings.Cut(k2[len(prefix):], "\t")
				rev2, err := itemRevision(v2)
				if err != nil {
					return catalog.Internal(err)
				}
				lines = append(lines, canonicalLine(catalog.Kind(kind2), id2, rev2))
				return nil
			}); err != nil && err != errStopWalk {
				return err
			}
			lines = append(lines, string(line))
		default:
			h.Write(line)
			prev = string(line)
		}
		sum.count++
		if kindIndex(catalog.Kind(kind)) < 0 && !slices.Contains(sum.kinds, catalog.Kind(kind)) {
			sum.kinds = append(sum.kinds, catalog.Kind(kind)) // quarantined as unknown
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	if lines != nil {
		sum.digest = CanonicalDigest(lines)
	} else {
		sum.digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	}
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
