package graph

import (
	"context"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// services answers the services query with one page of the catalogue's
// ListServices (published services in German collation order of their
// names in the request's language); it counts to the end only when the
// query asks for totalCount.
func (r *Resolver) services(ctx context.Context, f *ServiceFilter, first *int, after *string) (*ServiceConnection, error) {
	from, n, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	cf := catalog.ServiceListFilter{Lang: langOf(ctx).Lang}
	if f != nil {
		cf.Addressee, cf.Category, cf.BundleID = deref(f.Addressee), deref(f.Category), deref(f.ImplementationBundle)
		cf.ARS, cf.HasOnline, cf.LifeSituationID = deref(f.Ars), f.HasOnlineService, deref(f.LifeSituation)
	}
	pg := catalog.Page{Offset: from, Limit: n, Count: selected(ctx, "totalCount")}
	page, err := read(ctx, r.Store, func(tx *catalog.Tx) (*catalog.ServicePage, error) { return tx.ListServices(cf, pg) })
	if err != nil {
		return nil, err
	}
	conn := &ServiceConnection{Nodes: nonNil(page.Services), TotalCount: page.Total,
		Edges:    edges(page.Services, from, func(c string, n *catalog.Service) *ServiceEdge { return &ServiceEdge{Cursor: c, Node: n} }),
		PageInfo: &PageInfo{HasNextPage: page.More, HasPreviousPage: from > 0}}
	if len(page.Services) > 0 {
		start, end := encodeCursor(from), encodeCursor(from+len(page.Services)-1)
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &start, &end
	}
	return conn, nil
}
