package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Fields of list elements that need another read are batch resolvers
// (`batch: true` in gqlgen.yml): gqlgen calls them once with all sibling
// parents of a list, and they read for all of them in one store
// transaction. A list of twenty offices with their regions costs two reads,
// not twenty-one (no N+1), and no field waits for a timer to collect the
// keys of its siblings: the batch is complete when gqlgen calls.

// regionsFor reads the region key(s) of every parent in one transaction and
// returns them in the parents' order; "" and unknown keys give nil.
func regionsFor[T any](r *Resolver, ctx context.Context, objs []T, key func(T) string) ([]*catalog.Region, error) {
	out := make([]*catalog.Region, len(objs))
	err := r.Store.ViewShared(ctx, func(tx *catalog.Tx) error {
		region := regionReader(tx)
		for i, o := range objs {
			reg, err := region(key(o))
			if err != nil {
				return err
			}
			out[i] = reg
		}
		return nil
	})
	return out, err
}

// regionReader reads regions in tx, each key once; "" and unknown keys
// give nil.
func regionReader(tx *catalog.Tx) func(key string) (*catalog.Region, error) {
	seen := map[string]*catalog.Region{}
	return func(k string) (*catalog.Region, error) {
		if k == "" {
			return nil, nil
		}
		reg, ok := seen[k]
		if !ok {
			var err error
			if reg, err = tx.Region(k); err != nil && catalog.ErrorCode(err) != catalog.ENOTFOUND {
				return nil, err
			}
			seen[k] = reg
		}
		return reg, nil
	}
}

// ancestorsOf returns for every region the regions from the Bund down to
// its parent, reading each region once.
func (r *Resolver) ancestorsOf(ctx context.Context, objs []*catalog.Region) ([][]*catalog.Region, error) {
	out := make([][]*catalog.Region, len(objs))
	err := r.Store.ViewShared(ctx, func(tx *catalog.Tx) error {
		region := regionReader(tx)
		for i, o := range objs {
			chain := []*catalog.Region{}
			for p := o.ParentKey; p != ""; {
				reg, err := region(p)
				if err != nil {
					return err
				}
				if reg == nil {
					break
				}
				chain = append(chain, reg)
				p = reg.ParentKey
			}
			slices.Reverse(chain)
			out[i] = chain
		}
		return nil
	})
	return out, err
}

// childrenOf returns every region's sub-regions, by name.
func (r *Resolver) childrenOf(ctx context.Context, objs []*catalog.Region) ([][]*catalog.Region, error) {
	out := make([][]*catalog.Region, len(objs))
	err := r.Store.ViewShared(ctx, func(tx *catalog.Tx) error {
		for i, o := range objs {
			rs, err := tx.Regions(tx.Children(o.ID))
			if err != nil {
				return err
			}
			i18n.SortBy(rs, func(r *catalog.Region) string { return r.Name })
			out[i] = nonNil(rs)
		}
		return nil
	})
	return out, err
}

// servicesOfBundles returns the published services of every bundle.
func (r *Resolver) servicesOfBundles(ctx context.Context, objs []*catalog.Bundle) ([][]*catalog.Service, error) {
	out := make([][]*catalog.Service, len(objs))
	err := r.Store.ViewShared(ctx, func(tx *catalog.Tx) error {
		for i, b := range objs {
			svcs, err := tx.BundleServices(b.ID)
			if err != nil {
				return err
			}
			out[i] = nonNil(svcs)
		}
		return nil
	})
	return out, err
}

// bundlesOfServices returns every service's implementation bundles from one
// read of all bundles (a few dozen).
func (r *Resolver) bundlesOfServices(ctx context.Context, objs []*catalog.Service) ([][]*catalog.Bundle, error) {
	all, err := r.bundles(ctx)
	if err != nil {
		return nil, err
	}
	out := make([][]*catalog.Bundle, len(objs))
	for i, s := range objs {
		out[i] = []*catalog.Bundle{}
		for _, b := range all {
			if slices.Contains(s.BundleIDs, b.ID) {
				out[i] = append(out[i], b)
			}
		}
	}
	return out, nil
}

// requestReads keeps what every batch of a request reads alike: a list of
// services asks for the bundles once per list, and the bundles of a page
// are the same for all of them. The handler puts one into every request's
// context.
type requestReads struct {
	bundlesOnce sync.Once
	bundles     []*catalog.Bundle
	bundlesErr  error
}

type requestReadsKey struct{}

func withRequestReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestReadsKey{}, &requestReads{})
}

// bundles reads all implementation bundles, once per request.
func (r *Resolver) bundles(ctx context.Context) ([]*catalog.Bundle, error) {
	rr, ok := ctx.Value(requestReadsKey{}).(*requestReads)
	if !ok {
		return read(ctx, r.Store, (*catalog.Tx).AllBundles)
	}
	rr.bundlesOnce.Do(func() { rr.bundles, rr.bundlesErr = read(ctx, r.Store, (*catalog.Tx).AllBundles) })
	return rr.bundles, rr.bundlesErr
}
