package catalog_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// TestAuthorizationMatrix tries every role on every kind of write, inside
// and outside the editor's scope, on own and mirrored records, and checks
// the outcome and that a refused write changed nothing.
func TestAuthorizationMatrix(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	svc := newService()
	put(t, st, svc, catalog.Write{})

	principal := func(role catalog.AccessRole) *catalog.Principal {
		if role == catalog.AccessAnonymous {
			return catalog.Anonymous("192.0.2.1")
		}
		return &catalog.Principal{Role: role, Address: "192.0.2.1",
			Editor: &catalog.Editor{ID: "ED.1", Name: string(role), Role: role, Scopes: []string{"066360003003"}}}
	}
	// Records to write, in Eschwege (inside the municipal scope) or Kassel (outside).
	makeRecord := func(kind catalog.Kind, ars string) catalog.Record {
		switch kind {
		case catalog.KindService:
			s := newService()
			s.LeikaKeys = []string{"99050012071000"}
			return s
		case catalog.KindOffice:
			return newOffice("Amt", ars, "Markt 1")
		case catalog.KindOnlineService:
			return &catalog.OnlineService{Title: i18n.German("Online"), RegionKey: ars, Links: []catalog.Link{{URL: "https://example.org/x"}}}
		case catalog.KindSpecialisation:
			return &catalog.Specialisation{LeikaKey: gewerbe, RegionKey: ars, Module: catalog.ModuleNotes, Mode: catalog.ModeAppend,
				Text: i18n.German("Hinweis"), Status: catalog.StatusDraft}
		case catalog.KindRegion:
			return &catalog.Region{Meta: catalog.Meta{ID: "066360099099"}, Name: "Neu", Level: catalog.LevelGemeinde, ParentKey: "066360000000"}
		}
		panic(kind)
	}
	const (
		inside  = "066360003003"
		outside = "066110000000"
	)
	type want = string // "" allowed, else the error code
	cases := []struct {
		role                     catalog.AccessRole
		kind                     catalog.Kind
		insideScope, outsideCase want
	}{
		{catalog.AccessStateEditor, catalog.KindService, "", ""},
		{catalog.AccessStateEditor, catalog.KindOffice, "", ""},
		{catalog.AccessStateEditor, catalog.KindOnlineService, "", ""},
		{catalog.AccessStateEditor, catalog.KindSpecialisation, "", ""},
		{catalog.AccessStateEditor, catalog.KindRegion, catalog.EFORBIDDEN, catalog.EFORBIDDEN},
		{catalog.AccessMunicipalEditor, catalog.KindService, catalog.EFORBIDDEN, catalog.EFORBIDDEN},
		{catalog.AccessMunicipalEditor, catalog.KindOffice, "", catalog.EFORBIDDEN},
		{catalog.AccessMunicipalEditor, catalog.KindOnlineService, "", catalog.EFORBIDDEN},
		{catalog.AccessMunicipalEditor, catalog.KindSpecialisation, "", catalog.EFORBIDDEN},
		{catalog.AccessMunicipalEditor, catalog.KindRegion, catalog.EFORBIDDEN, catalog.EFORBIDDEN},
		{catalog.AccessAdmin, catalog.KindOffice, catalog.EFORBIDDEN, catalog.EFORBIDDEN},
		{catalog.AccessAdmin, catalog.KindService, catalog.EFORBIDDEN, catalog.EFORBIDDEN},
		{catalog.AccessPeer, catalog.KindOffice, catalog.EFORBIDDEN, catalog.EFORBIDDEN},
		{catalog.AccessPeer, catalog.KindSpecialisation, catalog.EFORBIDDEN, catalog.EFORBIDDEN},
		{catalog.AccessAnonymous, catalog.KindOffice, catalog.EUNAUTHENTICATED, catalog.EUNAUTHENTICATED},
		{catalog.AccessAnonymous, catalog.KindService, catalog.EUNAUTHENTICATED, catalog.EUNAUTHENTICATED},
	}
	for _, c := range cases {
		for _, place := range []struct {
			name, ars string
			want      want
		}{{"inside", inside, c.insideScope}, {"outside", outside, c.outsideCase}} {
			ops := []string{"create", "update", "delete"}
			if c.kind == catalog.KindRegion {
				ops = ops[:1] // one new region key; its writes all take the same path
			}
			for _, op := range ops {
				name := fmt.Sprintf("%s/%s/%s/%s", c.role, c.kind, place.name, op)
				t.Run(name, func(t *testing.T) {
					p := principal(c.role)
					var target catalog.Record
					if op != "create" {
						// An existing local record written by the system.
						target = makeRecord(c.kind, place.ars)
						put(t, st, target, catalog.Write{})
					}
					before := st.Revision()
					err := st.Mutate(ctx, p, catalog.Mutation{Op: op}, func(tx *catalog.Tx) error {
						switch op {
						case "create":
							return tx.Put(makeRecord(c.kind, place.ars), catalog.Write{})
						case "update":
							return tx.Put(target, catalog.Write{Expected: catalog.Expect(catalog.MetaOf(target).Revision)})
						default:
							return tx.Delete(c.kind, catalog.MetaOf(target).ID, catalog.Write{})
						}
					})
					if place.want == "" {
						require.NoError(t, err)
						return
					}
					assert.Equal(t, place.want, catalog.ErrorCode(err), "err: %v", err)
					assert.Equal(t, before, st.Revision(), "a refused write must change nothing")
				})
			}
		}
	}

	t.Run("MirroredRecordsAreForbiddenToEveryone", func(t *testing.T) {
		o := newOffice("Bayerisches Amt", inside, "Markt 2")
		o.Origin = "BY"
		put(t, st, o, catalog.Write{Mirror: true})
		for _, role := range []catalog.AccessRole{catalog.AccessStateEditor, catalog.AccessMunicipalEditor} {
			err := st.Mutate(ctx, principal(role), catalog.Mutation{Op: "updateOffice"}, func(tx *catalog.Tx) error {
				return tx.Put(o, catalog.Write{})
			})
			assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err), "%s", role)
			err = st.Mutate(ctx, principal(role), catalog.Mutation{Op: "deleteOffice"}, func(tx *catalog.Tx) error {
				return tx.Delete(catalog.KindOffice, o.ID, catalog.Write{})
			})
			assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err), "%s", role)
		}
	})
	t.Run("MunicipalEditorMayNotMoveARecordOutOfScope", func(t *testing.T) {
		o := newOffice("Amt", inside, "Markt 3")
		put(t, st, o, catalog.Write{})
		o.RegionKey = outside
		err := st.Mutate(ctx, principal(catalog.AccessMunicipalEditor), catalog.Mutation{Op: "updateOffice"}, func(tx *catalog.Tx) error {
			return tx.Put(o, catalog.Write{})
		})
		assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
	})
	t.Run("MunicipalEditorMayNotPublish", func(t *testing.T) {
		s := &catalog.Specialisation{LeikaKey: gewerbe, RegionKey: inside, Module: catalog.ModuleNotes, Mode: catalog.ModeAppend,
			Text: i18n.German("Hinweis"), Status: catalog.StatusPublished}
		err := st.Mutate(ctx, principal(catalog.AccessMunicipalEditor), catalog.Mutation{Op: "put"}, func(tx *catalog.Tx) error {
			return tx.Put(s, catalog.Write{})
		})
		assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
	})
	t.Run("RefusedWritesAreAudited", func(t *testing.T) {
		entries, err := st.Audit(ctx, 0, 100000)
		require.NoError(t, err)
		var forbidden, ok int
		for _, e := range entries {
			switch e.Outcome {
			case catalog.EFORBIDDEN:
				forbidden++
			case "OK":
				ok++
			}
		}
		assert.Greater(t, forbidden, 20)
		assert.Greater(t, ok, 10)
	})
}

func TestReviewStateMachine(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	put(t, st, newService(), catalog.Write{})
	municipal := &catalog.Principal{Role: catalog.AccessMunicipalEditor,
		Editor: &catalog.Editor{ID: "ED.2", Name: "Eschwege", Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360003003"}}}
	state := &catalog.Principal{Role: catalog.AccessStateEditor, Editor: &catalog.Editor{ID: "ED.1", Name: "Land", Role: catalog.AccessStateEditor}}
	res, err := st.Apply(ctx, municipal, catalog.ProposeSpecialisation{LeikaKey: gewerbe, RegionKey: "066360003003",
		Module: catalog.ModuleFullText, Mode: catalog.ModeAppend, Text: i18n.German("<p>In Eschwege im Rathaus, Zimmer 3.</p>")}, "")
	require.NoError(t, err)
	sp := res.Record.(*catalog.Specialisation)
	assert.Equal(t, catalog.StatusDraft, sp.Status)

	review := func(p *catalog.Principal, approve bool, comment string) error {
		_, err := st.Apply(ctx, p, catalog.ReviewChangeRequest{ID: sp.ID, Approve: approve, Comment: comment}, "")
		return err
	}
	submit := func() error {
		_, err := st.Apply(ctx, municipal, catalog.SubmitChangeRequest{ID: sp.ID}, "")
		return err
	}
	assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(review(state, true, "")), "a draft cannot be reviewed")
	require.NoError(t, submit())
	assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(submit()), "submitted twice")
	assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(review(municipal, true, "")), "municipalities do not review")
	assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(review(state, false, "")), "a rejection needs a comment")
	require.NoError(t, review(state, false, "Bitte die Zimmernummer prüfen."))
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		got, err := tx.Specialisation(sp.ID)
		require.NoError(t, err)
		assert.Equal(t, catalog.StatusRejected, got.Status)
		assert.Equal(t, "Bitte die Zimmernummer prüfen.", got.ReviewComment)
		ls, err := tx.LocalService(gewerbe, "066360003003", st.Now())
		require.NoError(t, err)
		assert.NotContains(t, ls.Text(catalog.ModuleFullText)[i18n.DE].Value, "Zimmer 3", "rejected additions are not shown")
		return nil
	}))
	require.NoError(t, submit(), "a rejected addition can be reworked and submitted again")
	require.NoError(t, review(state, true, ""))
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		ls, err := tx.LocalService(gewerbe, "066360003003", st.Now())
		require.NoError(t, err)
		assert.Contains(t, ls.Text(catalog.ModuleFullText)[i18n.DE].Value, "Zimmer 3")
		return nil
	}))
	assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(review(state, true, "")), "a published addition is not reviewed again")

	// A replacement removes the replaced addition when it is approved.
	res, err = st.Apply(ctx, municipal, catalog.ProposeSpecialisation{LeikaKey: gewerbe, RegionKey: "066360003003",
		Module: catalog.ModuleFullText, Mode: catalog.ModeAppend, Text: i18n.German("<p>Jetzt Zimmer 5.</p>"), Replaces: sp.ID}, "")
	require.NoError(t, err)
	repl := res.Record.(*catalog.Specialisation)
	_, err = st.Apply(ctx, municipal, catalog.SubmitChangeRequest{ID: repl.ID}, "")
	require.NoError(t, err)
	_, err = st.Apply(ctx, state, catalog.ReviewChangeRequest{ID: repl.ID, Approve: true}, "")
	require.NoError(t, err)
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		_, err := tx.Specialisation(sp.ID)
		assert.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
		ls, err := tx.LocalService(gewerbe, "066360003003", st.Now())
		require.NoError(t, err)
		full := ls.Text(catalog.ModuleFullText)[i18n.DE].Value
		assert.Contains(t, full, "Zimmer 5")
		assert.NotContains(t, full, "Zimmer 3")
		return nil
	}))
}

func TestEditorTokens(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	token, e, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Stadt Eschwege", Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360003003"}})
	require.NoError(t, err)
	assert.Contains(t, token, catalog.TokenPrefix)
	p, err := st.Authenticate(ctx, token, "192.0.2.7")
	require.NoError(t, err)
	assert.Equal(t, e.ID, p.Editor.ID)
	assert.True(t, p.InScope("066360003003"))
	assert.False(t, p.InScope("066360001001"))

	_, err = st.Authenticate(ctx, token+"x", "")
	assert.Equal(t, catalog.EUNAUTHENTICATED, catalog.ErrorCode(err))
	_, _, err = st.CreateEditor(ctx, p, catalog.Editor{Name: "x", Role: catalog.AccessAdmin})
	assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err), "only admins create editors")
	_, _, err = st.CreateEditor(ctx, nil, catalog.Editor{Name: "x", Role: catalog.AccessMunicipalEditor, Scopes: []string{"069999999999"}})
	assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err), "scopes must be real regions")

	_, err = st.RevokeEditor(ctx, nil, e.ID)
	require.NoError(t, err)
	_, err = st.Authenticate(ctx, token, "")
	assert.Equal(t, catalog.EUNAUTHENTICATED, catalog.ErrorCode(err), "a revoked token is refused")

	// Only the hash is stored.
	eds, err := st.Editors(ctx)
	require.NoError(t, err)
	assert.NotContains(t, eds[0].TokenHash, token[len(catalog.TokenPrefix):])
}

// TestAuthorizationBeforeRevisionCheck sends writes that fail twice, with
// a stale expected revision and by a writer who may not write the record:
// the refusal wins, so a municipal editor outside its region never gets
// CONFLICT and never learns the record's current revision. Inside its
// region the same stale revision is a CONFLICT naming the current one.
func TestAuthorizationBeforeRevisionCheck(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	const (
		inside  = "066360003003" // Eschwege, the editor's scope
		outside = "066110000000" // Kassel
	)
	editor := &catalog.Principal{Role: catalog.AccessMunicipalEditor, Address: "192.0.2.1",
		Editor: &catalog.Editor{ID: "ED.1", Name: "Stadt Eschwege", Role: catalog.AccessMunicipalEditor, Scopes: []string{inside}}}
	writes := map[string]func(o *catalog.Office, stale uint64) catalog.Command{
		"updateOffice": func(o *catalog.Office, stale uint64) catalog.Command {
			return catalog.UpdateOffice{ID: o.ID, ExpectedRevision: stale,
				Patch: catalog.OfficePatch{Name: catalog.Set(catalog.TextPatch{i18n.DE: {Value: "Neu"}})}}
		},
		"deleteOffice": func(o *catalog.Office, stale uint64) catalog.Command {
			return catalog.DeleteOffice{ID: o.ID, ExpectedRevision: stale}
		},
		"putRecord": func(o *catalog.Office, stale uint64) catalog.Command {
			return catalog.PutRecord{Record: o, Expected: catalog.Expect(stale)}
		},
		"deleteRecord": func(o *catalog.Office, stale uint64) catalog.Command {
			return catalog.DeleteRecord{Kind: catalog.KindOffice, ID: o.ID, Expected: catalog.Expect(stale)}
		},
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			for _, place := range []struct {
				ars, want string
			}{{outside, catalog.EFORBIDDEN}, {inside, catalog.ECONFLICT}} {
				o := newOffice("Amt "+name, place.ars, "Markt 1")
				put(t, st, o, catalog.Write{})
				stale := o.Revision
				put(t, st, o, catalog.Write{Reason: "someone else changed it"})
				current := o.Revision
				require.NotEqual(t, stale, current)

				before := st.Revision()
				_, err := st.Apply(ctx, editor, write(o, stale), "test")
				require.Error(t, err)
				assert.Equal(t, place.want, catalog.ErrorCode(err), "%s at %s: %v", name, place.ars, err)
				var ce *catalog.Error
				require.ErrorAs(t, err, &ce)
				if place.want == catalog.EFORBIDDEN {
					assert.Zero(t, ce.Current, "a refused writer learns no revision")
					assert.NotContains(t, err.Error(), "revision")
				} else {
					assert.Equal(t, current, ce.Current)
				}
				assert.Equal(t, before, st.Revision(), "a refused write changes nothing")
			}
		})
	}
	t.Run("MirroredRecord", func(t *testing.T) {
		o := newOffice("Bayerisches Amt", inside, "Markt 2")
		o.Origin = "BY"
		put(t, st, o, catalog.Write{Mirror: true})
		stale := o.Revision
		put(t, st, o, catalog.Write{Mirror: true})
		for _, p := range []*catalog.Principal{editor, stateEditor} {
			_, err := st.Apply(ctx, p, catalog.DeleteOffice{ID: o.ID, ExpectedRevision: stale}, "test")
			assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err), "%s: %v", p.Role, err)
			_, err = st.Apply(ctx, p, catalog.UpdateOffice{ID: o.ID, ExpectedRevision: stale}, "test")
			assert.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err), "%s: %v", p.Role, err)
		}
	})
}
