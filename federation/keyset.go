package federation

import (
	"hash/maphash"
	"slices"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// KeySet is a set of record keys (kind, ID) kept as 64-bit hashes in a
// sorted slice: 8 bytes a record (16 while it is built) instead of the
// hundred or so a map of strings takes, so that a mirror of a peer with
// millions of records knows what the peer still has without holding its
// IDs. Two keys with one hash (for 5 million records a chance of about
// 1 in a million) make the set claim a record it lacks: a mirror then
// keeps a record the peer dropped; it never deletes one the peer has.
//
// Add every key, then Freeze; Has and Len are for a frozen set, and may
// then be called concurrently.
type KeySet struct {
	seed maphash.Seed
	h    []uint64
}

// NewKeySet returns an empty set.
func NewKeySet() *KeySet { return &KeySet{seed: maphash.MakeSeed()} }

func (s *KeySet) hash(k catalog.Kind, id string) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(string(k))
	h.WriteByte('\t')
	h.WriteString(id)
	return h.Sum64()
}

// Add adds a key.
func (s *KeySet) Add(k catalog.Kind, id string) { s.h = append(s.h, s.hash(k, id)) }

// Freeze sorts the set and drops duplicates and spare capacity.
func (s *KeySet) Freeze() {
	slices.Sort(s.h)
	s.h = slices.Compact(s.h)
	if cap(s.h) > len(s.h)+len(s.h)/8 {
		s.h = slices.Clone(s.h)
	}
}

// Has reports whether the key was added (see KeySet on collisions).
func (s *KeySet) Has(k catalog.Kind, id string) bool {
	_, ok := slices.BinarySearch(s.h, s.hash(k, id))
	return ok
}

// Len is the number of distinct keys.
func (s *KeySet) Len() int { return len(s.h) }
