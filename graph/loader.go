package graph

import (
	"context"
	"sync"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Fields of list elements run concurrently in gqlgen. A batcher collects
// the keys they ask for during a short window and answers all of them from
// one store read, so that a list of twenty offices with their regions costs
// two reads, not twenty-one (no N+1). Results are cached for the request.

const batchWindow = 300 * time.Microsecond

type batcher[V any] struct {
	fetch func(ctx context.Context, keys []string) (map[string]V, error)

	mu      sync.Mutex
	cache   map[string]V
	pending *batch[V]
}

type batch[V any] struct {
	keys []string
	done chan struct{}
	res  map[string]V
	err  error
}

func (b *batcher[V]) load(ctx context.Context, key string) (V, bool, error) {
	b.mu.Lock()
	if v, ok := b.cache[key]; ok {
		b.mu.Unlock()
		return v, true, nil
	}
	p := b.pending
	if p == nil {
		p = &batch[V]{done: make(chan struct{})}
		b.pending = p
		time.AfterFunc(batchWindow, func() { b.run(ctx, p) })
	}
	p.keys = append(p.keys, key)
	b.mu.Unlock()
	<-p.done
	if p.err != nil {
		var zero V
		return zero, false, p.err
	}
	v, ok := p.res[key]
	return v, ok, nil
}

func (b *batcher[V]) run(ctx context.Context, p *batch[V]) {
	b.mu.Lock()
	b.pending = nil
	keys := p.keys
	b.mu.Unlock()
	p.res, p.err = b.fetch(context.WithoutCancel(ctx), keys)
	if p.err == nil {
		b.mu.Lock()
		if b.cache == nil {
			b.cache = map[string]V{}
		}
		for k, v := range p.res {
			b.cache[k] = v
		}
		b.mu.Unlock()
	}
	close(p.done)
}

// loaders are the batchers of one request.
type loaders struct {
	regions batcher[*catalog.Region]
	bundles batcher[[]*catalog.Bundle]
	// bundleServices and children answer list fields of list elements:
	// the services of each bundle, the sub-regions of each region.
	bundleServices batcher[[]*catalog.Service]
	children       batcher[[]*catalog.Region]
}

type loadersKey struct{}

func newLoaders(st *catalog.Store) *loaders {
	l := &loaders{}
	l.regions.fetch = func(ctx context.Context, keys []string) (map[string]*catalog.Region, error) {
		out := map[string]*catalog.Region{}
		err := st.ViewShared(ctx, func(tx *catalog.Tx) error {
			rs, err := tx.Regions(keys)
			for _, r := range rs {
				out[r.ID] = r
			}
			return err
		})
		return out, err
	}
	// All bundles at once: there are a few dozen, and a service list asks
	// for the bundles of every service.
	l.bundles.fetch = func(ctx context.Context, _ []string) (map[string][]*catalog.Bundle, error) {
		var all []*catalog.Bundle
		err := st.ViewShared(ctx, func(tx *catalog.Tx) (err error) { all, err = tx.AllBundles(); return err })
		return map[string][]*catalog.Bundle{"": all}, err
	}
	l.bundleServices.fetch = func(ctx context.Context, keys []string) (map[string][]*catalog.Service, error) {
		out := map[string][]*catalog.Service{}
		err := st.ViewShared(ctx, func(tx *catalog.Tx) error {
			for _, k := range keys {
				svcs, err := tx.BundleServices(k)
				if err != nil {
					return err
				}
				out[k] = svcs
			}
			return nil
		})
		return out, err
	}
	l.children.fetch = func(ctx context.Context, keys []string) (map[string][]*catalog.Region, error) {
		out := map[string][]*catalog.Region{}
		err := st.ViewShared(ctx, func(tx *catalog.Tx) error {
			for _, k := range keys {
				rs, err := tx.Regions(tx.Children(k))
				if err != nil {
					return err
				}
				i18n.SortBy(rs, func(r *catalog.Region) string { return r.Name })
				out[k] = rs
			}
			return nil
		})
		return out, err
	}
	return l
}

func loadersOf(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

// region and bundles read through the request's batchers, which the
// handler puts into every request's context.
func (r *Resolver) region(ctx context.Context, ars string) (*catalog.Region, error) {
	if ars == "" {
		return nil, nil
	}
	v, _, err := loadersOf(ctx).regions.load(ctx, ars)
	return v, err
}

func (r *Resolver) bundles(ctx context.Context) ([]*catalog.Bundle, error) {
	v, _, err := loadersOf(ctx).bundles.load(ctx, "")
	return v, err
}
