package graph

import (
	"context"
	"slices"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// services answers the services query: every published service that
// passes the filter, sorted by name in the request's language with German
// collation (Ä with A), paged.
func (r *Resolver) services(ctx context.Context, f *ServiceFilter, first *int, after *string) (*ServiceConnection, error) {
	var all []*catalog.Service
	err := r.Store.ViewShared(ctx, func(tx *catalog.Tx) error {
		var at, online map[string]bool
		var inBundle []string
		if f != nil && f.Ars != nil {
			if _, err := tx.Region(*f.Ars); err != nil {
				return err
			}
			at = tx.LeikaKeysAt(*f.Ars)
		}
		if f != nil && f.HasOnlineService != nil {
			var err error
			if online, err = tx.LeikaKeysWithOnline(); err != nil {
				return err
			}
		}
		if f != nil && f.ImplementationBundle != nil {
			inBundle = tx.ServiceIDsInBundle(*f.ImplementationBundle)
		}
		if f != nil && f.LifeSituation != nil {
			inBundle = append(inBundle[:0:0], tx.ServicesInSituation(*f.LifeSituation)...)
			if f.ImplementationBundle != nil {
				inBundle = intersect(inBundle, tx.ServiceIDsInBundle(*f.ImplementationBundle))
			}
		}
		svcs, err := tx.AllServices()
		if err != nil {
			return err
		}
		for _, s := range published(svcs) {
			if f == nil || matches(s, f, at, online, inBundle) {
				all = append(all, s)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	lang := langOf(ctx).Lang
	i18n.SortBy(all, func(s *catalog.Service) string {
		v, _, _ := s.Name().Pick(lang)
		return v.Value
	})
	from, to, err := window(len(all), first, after)
	if err != nil {
		return nil, err
	}
	conn := &ServiceConnection{Nodes: all[from:to], PageInfo: pageInfo(from, to, len(all)), TotalCount: len(all), Edges: []*ServiceEdge{}}
	for i, n := range conn.Nodes {
		conn.Edges = append(conn.Edges, &ServiceEdge{Cursor: encodeCursor(from + i), Node: n})
	}
	return conn, nil
}

func matches(s *catalog.Service, f *ServiceFilter, at, online map[string]bool, inBundle []string) bool {
	if f.Addressee != nil && !slices.Contains(s.Addressees, *f.Addressee) {
		return false
	}
	if f.Category != nil && !slices.Contains(s.Categories, *f.Category) {
		return false
	}
	if (f.ImplementationBundle != nil || f.LifeSituation != nil) && !slices.Contains(inBundle, s.ID) {
		return false
	}
	anyKey := func(set map[string]bool) bool {
		for _, k := range s.LeikaKeys {
			if set[k] {
				return true
			}
		}
		return false
	}
	if at != nil && !anyKey(at) {
		return false
	}
	if f.HasOnlineService != nil && anyKey(online) != *f.HasOnlineService {
		return false
	}
	return true
}

// intersect returns the elements of a that are in b too.
func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
