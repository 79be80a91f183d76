package catalog

import (
	"bytes"
	"errors"
)

// Mark returns a note that a loader or tool left in the store with
// SetMark, or nil. The demo loader marks its load complete this way, in
// the transaction that writes the catalogue, so a mark never exists
// without the data it describes.
func (tx *Tx) Mark(name string) []byte {
	v := tx.bt.Bucket(bucketMeta).Get([]byte(metaMark + name))
	return bytes.Clone(v)
}

// SetMark stores a note under name in this write transaction.
//
// Errors: INTERNAL.
func (tx *Tx) SetMark(name string, value []byte) error {
	if !tx.writable {
		return Internal(errors.New("set a mark in a read transaction"))
	}
	if err := tx.bt.Bucket(bucketMeta).Put([]byte(metaMark+name), value); err != nil {
		return Internal(err)
	}
	return nil
}
