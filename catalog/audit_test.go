package catalog_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

func openWithClock(t *testing.T) (*catalog.Store, *catalogtest.Clock) {
	t.Helper()
	clock := catalogtest.NewClock(time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC))
	return catalogtest.Open(t, catalog.Options{Portal: "HE", Now: clock.Now}), clock
}

func auditAll(t *testing.T, st *catalog.Store) []catalog.AuditEntry {
	t.Helper()
	entries, err := st.Audit(ctx, 0, 1_000_000)
	require.NoError(t, err)
	return entries
}

// Refused createEditor and revokeEditor attempts and requests with unknown
// or revoked tokens are in the audit log; anonymous editor management is
// UNAUTHENTICATED, not FORBIDDEN.
func TestRefusalsAreAudited(t *testing.T) {
	st, _ := openWithClock(t)
	adminToken, admin, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Admin", Role: catalog.AccessAdmin})
	require.NoError(t, err)
	stateToken, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	state, err := st.Authenticate(ctx, stateToken, "10.0.0.2")
	require.NoError(t, err)
	before := len(auditAll(t, st))

	_, _, err = st.CreateEditor(ctx, catalog.Anonymous("10.0.0.9"), catalog.Editor{Name: "x", Role: catalog.AccessAdmin})
	assert.Equal(t, catalog.EUNAUTHENTICATED, catalog.ErrorCode(err))
	_, _, err = st.CreateEditor(ctx, state, catalog.Editor{Name: "x", Role: catalog.AccessAdmin})
	assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
	_, err = st.RevokeEditor(ctx, state, admin.ID)
	assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
	_, err = st.RevokeEditor(ctx, catalog.Anonymous("10.0.0.9"), admin.ID)
	assert.Equal(t, catalog.EUNAUTHENTICATED, catalog.ErrorCode(err))
	_, err = st.Authenticate(ctx, "lf_not-a-token", "10.0.0.7")
	assert.Equal(t, catalog.EUNAUTHENTICATED, catalog.ErrorCode(err))
	adminP, err := st.Authenticate(ctx, adminToken, "10.0.0.1")
	require.NoError(t, err)
	stateEd, err := st.Editors(ctx)
	require.NoError(t, err)
	_, err = st.RevokeEditor(ctx, adminP, stateEd[1].ID)
	require.NoError(t, err)
	_, err = st.Authenticate(ctx, stateToken, "10.0.0.2")
	assert.Equal(t, catalog.EUNAUTHENTICATED, catalog.ErrorCode(err))

	got := auditAll(t, st)[before:]
	type row struct{ Op, Actor, Outcome, Addr string }
	var rows []row
	for _, e := range got {
		rows = append(rows, row{e.Op, e.Actor, e.Outcome, e.Address})
	}
	assert.Equal(t, []row{
		{"createEditor", "anonymous", "UNAUTHENTICATED", "10.0.0.9"},
		{"createEditor", "ED.000002 (Landesredaktion)", "FORBIDDEN", "10.0.0.2"},
		{"revokeEditor", "ED.000002 (Landesredaktion)", "FORBIDDEN", "10.0.0.2"},
		{"revokeEditor", "anonymous", "UNAUTHENTICATED", "10.0.0.9"},
		{"authenticate", "anonymous", "UNAUTHENTICATED", "10.0.0.7"},
		{"revokeEditor", "ED.000001 (Admin)", "OK", "10.0.0.1"},
		{"authenticate", "ED.000002 (Landesredaktion)", "UNAUTHENTICATED", "10.0.0.2"},
	}, rows)
	assert.Contains(t, got[4].Message, "unknown token lf_not")
	assert.NotContains(t, got[4].Message, "lf_not-a-token", "the token itself is not written down")
	assert.Equal(t, "revoked token", got[6].Message)
}

// A flood of refused writes is recorded rate-limited: a bounded number of
// entries, and the next recorded one says how many were left out.
func TestRefusalFloodIsRateLimited(t *testing.T) {
	st, clock := openWithClock(t)
	seedRegions(t, st)
	anon := catalog.Anonymous("203.0.113.5")
	write := func() error {
		return st.Mutate(ctx, anon, catalog.Mutation{Op: "createOffice", Kind: catalog.KindOffice}, func(tx *catalog.Tx) error {
			return tx.Put(newOffice("Amt", "066360003003", "Markt 1"), catalog.Write{})
		})
	}
	for range 1000 {
		assert.Equal(t, catalog.EUNAUTHENTICATED, catalog.ErrorCode(write()))
	}
	entries := auditAll(t, st)
	assert.LessOrEqual(t, len(entries), 30, "a minute of flooding writes at most 30 entries")
	assert.NotEmpty(t, entries)

	clock.Add(time.Minute)
	require.Error(t, write())
	entries = auditAll(t, st)
	last := entries[len(entries)-1]
	assert.Equal(t, "createOffice", last.Op)
	assert.Equal(t, 1000-30, last.Suppressed, "the next entry counts what was left out")

	// Another caller is not drowned by the flood.
	other := catalog.Anonymous("198.51.100.1")
	require.Error(t, st.Mutate(ctx, other, catalog.Mutation{Op: "deleteOffice"}, func(tx *catalog.Tx) error {
		return tx.Delete(catalog.KindOffice, "HE.OE.0000000001", catalog.Write{})
	}))
	entries = auditAll(t, st)
	assert.Equal(t, "198.51.100.1", entries[len(entries)-1].Address)
}

// Retention trims by count and by age and says what it removed.
func TestTrimAudit(t *testing.T) {
	st, clock := openWithClock(t)
	for i := range 50 {
		_, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Redaktion", Role: catalog.AccessStateEditor})
		require.NoError(t, err)
		if i == 19 {
			clock.Add(48 * time.Hour)
		}
	}
	n, oldest, err := st.AuditSize()
	require.NoError(t, err)
	assert.Equal(t, 50, n)
	assert.Equal(t, time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC), oldest)

	trim, err := st.TrimAudit(ctx, catalog.AuditRetention{MaxAge: 24 * time.Hour})
	require.NoError(t, err)
	assert.Equal(t, catalog.AuditTrim{Removed: 20, FirstSeq: 1, LastSeq: 20,
		Oldest: time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC), Newest: time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)}, trim)

	trim, err = st.TrimAudit(ctx, catalog.AuditRetention{MaxEntries: 10})
	require.NoError(t, err)
	assert.Equal(t, 20, trim.Removed)
	assert.Equal(t, uint64(21), trim.FirstSeq)
	assert.Equal(t, uint64(40), trim.LastSeq)
	entries := auditAll(t, st)
	require.Len(t, entries, 10)
	assert.Equal(t, uint64(41), entries[0].Seq)
	n, _, err = st.AuditSize()
	require.NoError(t, err)
	assert.Equal(t, 10, n)

	trim, err = st.TrimAudit(ctx, catalog.AuditRetention{})
	require.NoError(t, err)
	assert.Zero(t, trim.Removed, "no retention set: nothing is removed")
}
