package graph_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
	"github.com/leistungsfinder/leistungsfinder/graph"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// TestXZuFiMirrorFoundBySearch mirrors the demo catalogue of Hessen into
// another state's portal the way the real network does it: Hessen publishes
// XZuFi at /xzufi/, the other portal pulls it as a peer of kind xzufi. The
// mirrored services are found by that portal's search and answer
// localService for Hessian places, with the Hessian office.
func TestXZuFiMirrorFoundBySearch(t *testing.T) {
	t.Parallel() // a store of its own, and only reads the shared one
	ctx := context.Background()
	heStore, _ := sharedDemo(t)
	pub := xzufi.NewPublisher(heStore, filepath.Join(t.TempDir(), "xzufi"), xzufi.ExportOptions{}, nil)
	_, err := pub.Publish(ctx)
	require.NoError(t, err)
	he := httptest.NewServer(pub.Handler())
	defer he.Close()

	sn := catalogtest.Open(t, catalog.Options{Portal: "SN", Home: "140000000000"})
	var regions []catalog.Record
	require.NoError(t, heStore.View(ctx, func(tx *catalog.Tx) error {
		// The official region list, loaded by SN itself.
		return tx.Each(catalog.KindRegion, func(r catalog.Record) (bool, error) {
			c := *r.(*catalog.Region)
			c.Meta = catalog.Meta{ID: c.ID}
			regions = append(regions, &c)
			return true, nil
		})
	}))
	catalogtest.Put(t, sn, regions...)
	_, err = federation.AddPeer(ctx, sn, federation.Peer{ID: "HE", URL: he.URL + "/xzufi/", Kind: federation.KindXZuFi, RegionKey: "060000000000"})
	require.NoError(t, err)
	p, err := federation.NewPuller(sn, "HE", federation.PullerOptions{})
	require.NoError(t, err)
	require.NoError(t, p.Sync(ctx))
	st := p.Status()
	assert.Zero(t, st.Quarantined, "quarantined: %+v", st)
	assert.Empty(t, st.Degraded)

	ix, err := search.Open("", sn, nil)
	require.NoError(t, err)
	defer ix.Close()
	srv := serve(t, graph.Options{Store: sn, Search: ix})

	var r struct {
		Search struct {
			Hits []struct {
				Origin  string
				Service struct{ LeikaKeys []string }
			}
		}
		LocalService struct {
			Name               string
			ResponsibleOffices []struct {
				Name    string
				Address struct{ Street string }
			}
		}
	}
	require.Empty(t, call(t, srv, "", `{ search(query: "Gewerbe anmelden", ars: "066360003003") { hits { origin service { leikaKeys } } }
		localService(leikaKey: "99050012104000", ars: "066360003003") { name responsibleOffices { name address { street } } } }`, nil, &r))
	found := false
	for _, h := range r.Search.Hits {
		if h.Service.LeikaKeys[0] == "99050012104000" {
			found = true
			assert.Equal(t, "HE", h.Origin)
		}
	}
	assert.True(t, found, "Gewerbe anmelden among the hits: %+v", r.Search.Hits)
	require.NotEmpty(t, r.LocalService.ResponsibleOffices)
	assert.Equal(t, "Obermarkt 22", r.LocalService.ResponsibleOffices[0].Address.Street)
}
