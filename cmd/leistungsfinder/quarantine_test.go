package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// A peer whose records cannot be applied here (BY holds a record under
// HE's ID, as a store loaded with another portal's demo does) shows as
// degraded in federationStatus with the reason and the IDs, and the
// operator lists and releases the quarantine with the CLI.
func TestPeerQuarantineCommandAndDegradedStatus(t *testing.T) {
	ctx := context.Background()
	// HE publishes an office.
	he := catalogtest.Open(t, catalog.Options{Portal: "HE"})
	catalogtest.PutRegions(t, he)
	office := &catalog.Office{Name: i18n.German("Magistrat"), Kind: catalog.OfficeMunicipality, RegionKey: catalogtest.Eschwege}
	catalogtest.Put(t, he, office)
	peerToken, _, err := he.CreateEditor(ctx, nil, catalog.Editor{Name: "BY", Role: catalog.AccessPeer})
	require.NoError(t, err)
	key, err := federation.LoadOrCreateKey(filepath.Join(t.TempDir(), "he.key"))
	require.NoError(t, err)
	pub := key.Public().(ed25519.PublicKey)
	feed := federation.NewFeed(he, key, "", federation.FeedOptions{})
	srv := httptest.NewServer(feed.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(feed.Close)

	// BY holds a record of its own under HE's office ID.
	dir := t.TempDir()
	by, err := catalog.Open(storePath(dir), catalog.Options{Portal: "BY"})
	require.NoError(t, err)
	catalogtest.PutRegions(t, by)
	catalogtest.Put(t, by, &catalog.Office{Meta: catalog.Meta{ID: office.ID}, Name: i18n.German("Kopie"), Kind: catalog.OfficeMunicipality, RegionKey: catalogtest.Eschwege})
	_, err = federation.AddPeer(ctx, by, federation.Peer{ID: "HE", URL: srv.URL, Token: peerToken,
		PublicKey: federation.JWK(pub, federation.KeyID(pub)), RegionKey: "060000000000"})
	require.NoError(t, err)
	adminToken, _, err := by.CreateEditor(ctx, nil, catalog.Editor{Name: "Admin", Role: catalog.AccessAdmin})
	require.NoError(t, err)
	p, err := federation.NewPuller(by, "HE", federation.PullerOptions{})
	require.NoError(t, err)
	require.NoError(t, p.Sync(ctx))
	require.NoError(t, by.Close())

	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "BY", NoDemo: true, Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(ctx))
	q, _ := json.Marshal(map[string]string{"query": `{ federationStatus { peer state quarantined degraded quarantinedIds } }`})
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/graphql", bytes.NewReader(q))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var got struct {
		Data struct {
			FederationStatus []struct {
				Peer, State, Degraded string
				Quarantined           int
				QuarantinedIds        []string
			}
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	resp.Body.Close()
	require.NoError(t, s.Close())
	require.Len(t, got.Data.FederationStatus, 1)
	ps := got.Data.FederationStatus[0]
	assert.Equal(t, "degraded", ps.State)
	assert.GreaterOrEqual(t, ps.Quarantined, 1)
	assert.Contains(t, ps.Degraded, "belongs to BY here")
	assert.Contains(t, ps.QuarantinedIds, "office "+office.ID)

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"peer", "quarantine", "list", "-data", dir, "-id", "HE"}, &out, io.Discard))
	assert.Contains(t, out.String(), office.ID)
	assert.Contains(t, out.String(), "belongs to BY here")
	out.Reset()
	require.NoError(t, run(ctx, []string{"peer", "quarantine", "release", "-data", dir, "-id", "HE", "-record", office.ID}, &out, io.Discard))
	assert.Contains(t, out.String(), "0 applied, 0 discarded, 1 still quarantined")
	out.Reset()
	require.NoError(t, run(ctx, []string{"peer", "quarantine", "release", "-data", dir, "-id", "HE", "-all", "-discard"}, &out, io.Discard))
	assert.Regexp(t, `0 applied, [1-9]\d* discarded, 0 still quarantined`, out.String())
	out.Reset()
	require.NoError(t, run(ctx, []string{"peer", "quarantine", "list", "-data", dir, "-id", "HE"}, &out, io.Discard))
	assert.Contains(t, out.String(), "0 records of peer HE in quarantine")
	err = run(ctx, []string{"peer", "quarantine", "release", "-data", dir, "-id", "HE"}, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "-record")
}
