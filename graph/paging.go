package graph

import (
	"context"
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

// edges returns the edges of a page whose first item is at offset from in
// its list, each with that item's cursor; edge builds one of the
// connection's edge type.
func edges[T, E any](page []*T, from int, edge func(cursor string, node *T) *E) []*E {
	out := make([]*E, len(page))
	for i, n := range page {
		out[i] = edge(encodeCursor(from+i), n)
	}
	return out
}

func pageInfo(from, to, total int) *PageInfo {
	pi := &PageInfo{HasNextPage: to < total, HasPreviousPage: from > 0}
	if to > from {
		s, e := encodeCursor(from), encodeCursor(to-1)
		pi.StartCursor, pi.EndCursor = &s, &e
	}
	return pi
}

// pageIn reads one page of the records of a region and below it: ids lists
// their IDs in index order, get reads them. The region must exist.
func pageIn[T any](ctx context.Context, st *catalog.Store, ars string, first *int, after *string,
	ids func(*catalog.Tx, string) ([]string, error), get func(*catalog.Tx, []string) ([]*T, error)) (page []*T, from, to, total int, err error) {
	err = st.ViewShared(ctx, func(tx *catalog.Tx) error {
		all, err := ids(tx, ars)
		if err != nil {
			return err
		}
		if _, err := tx.Region(ars); err != nil {
			return err
		}
		total = len(all)
		if from, to, err = window(total, first, after); err != nil {
			return err
		}
		page, err = get(tx, all[from:to])
		return err
	})
	return page, from, to, total, err
}
