package catalog

import "bytes"

// EachOfOrigin calls fn with the kind and ID of every current record that
// came from origin, kind by kind (only of kind k when k is not ""), in ID
// order, starting after the ID after (with k set; "" starts at the first),
// until fn returns false. Unlike RecordIDsOfOrigin it holds no list, so a
// mirror of millions of records can walk them in constant memory. fn must
// not write in tx; to delete, remember the IDs, stop, delete and call again
// with the last ID seen as after.
func (tx *Tx) EachOfOrigin(origin string, k Kind, after string, fn func(k Kind, id string) bool) {
	base := join(origin, "")
	prefix := base
	if k != "" {
		prefix = join(origin, string(k), "")
	}
	start := prefix
	if k != "" && after != "" {
		start = append(bytes.Clone(prefix), after...)
	}
	c := tx.bt.Bucket(idxOrigin).Cursor()
	for key, _ := c.Seek(start); key != nil && bytes.HasPrefix(key, prefix); key, _ = c.Next() {
		if len(start) > len(prefix) && bytes.Equal(key, start) {
			continue
		}
		rest := key[len(base):]
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			continue
		}
		if !fn(Kind(rest[:i]), string(rest[i+1:])) {
			return
		}
	}
}
