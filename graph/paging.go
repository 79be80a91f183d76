package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// Cursors are opaque to clients: base64url of "o" and the offset of the
// item in the list's defined order. Lists here are small and sorted in
// memory, so an offset is exact for one revision of the store.

func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'o' {
		return 0, catalog.Invalid("after", "cursor", "not a cursor of this list")
	}
	n, err := strconv.Atoi(string(b[1:]))
	if err != nil || n < 0 || strings.HasPrefix(string(b[1:]), "+") {
		return 0, catalog.Invalid("after", "cursor", "not a cursor of this list")
	}
	return n, nil
}

// window returns the bounds of the page asked for by first/after.
func window(total int, first *int, after *string) (from, to int, err error) {
	from, n, err := pageArgs(first, after)
	if err != nil {
		return 0, 0, err
	}
	from = min(from, total)
	to = min(from+n, total)
	return from, to, nil
}

// pageArgs returns the offset and size of the page asked for by
// first/after, for lists that are paged where they are read.
func pageArgs(first *int, after *string) (offset, n int, err error) {
	n = defaultPageSize
	if first != nil {
		n = *first
	}
	if n < 0 || n > maxPageSize {
		return 0, 0, catalog.Invalid("first", "range", "must be between 0 and %d", maxPageSize)
	}
	if after != nil && *after != "" {
		off, err := decodeCursor(*after)
		if err != nil {
			return 0, 0, err
		}
		offset = off + 1
	}
	return offset, n, nil
}

func pageInfo(from, to, total int) *PageInfo {
	pi := &PageInfo{HasNextPage: to < total, HasPreviousPage: from > 0}
	if to > from {
		s, e := encodeCursor(from), encodeCursor(to-1)
		pi.StartCursor, pi.EndCursor = &s, &e
	}
	return pi
}
