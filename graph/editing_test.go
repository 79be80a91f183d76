package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// editableServer is a server over a fresh demo store of the test's own.
func editableServer(t *testing.T, limits graph.RateLimits) (*httptest.Server, *catalog.Store) {
	t.Helper()
	st := demoCopy(t)
	return serve(t, graph.Options{Store: st, RateLimits: limits}), st
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// call runs a query and decodes its data into out; it returns the errors.
func call(t *testing.T, srv *httptest.Server, token, query string, vars map[string]any, out any) []gqlError {
	t.Helper()
	h := http.Header{}
	if token != "" {
		h = bearer(token)
	}
	_, body := postQuery(t, srv, query, vars, h)
	r := decode(t, body)
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		require.NoError(t, json.Unmarshal(r.Data, out), "%s", body)
	}
	return r.Errors
}

const officeInput = `{name: {de: "Magistrat der Stadt Eschwege"}, kind: MUNICIPALITY, ars: "066360003003",
	addresses: [{kind: VISITOR, street: "Obermarkt 22", postalCode: "37269", city: "Eschwege", ars: "066360003003"}],
	openingHours: [%s]}`

// TestEditingAsANewUserWould is the acceptance walk: a municipal
// editor for Eschwege changes the opening hours of the Eschwege office,
// proposes an addition to "Gewerbe anmelden", a state editor approves it,
// Eschwege sees it and Kassel does not; a stale writer gets CONFLICT, the
// Eschwege editor gets FORBIDDEN on a Kassel office, and the history and
// audit log show it all.
func TestEditingAsANewUserWould(t *testing.T) {
	srv, st := editableServer(t, graph.RateLimits{})
	ctx := context.Background()
	eschwegeToken, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Stadt Eschwege", Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360003003"}})
	require.NoError(t, err)
	stateToken, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)

	var me struct{ Me struct{ Role string } }
	require.Empty(t, call(t, srv, eschwegeToken, `{ me { role } }`, nil, &me))
	assert.Equal(t, "MUNICIPAL_EDITOR", me.Me.Role)

	var offices struct {
		Offices struct {
			Nodes []struct {
				ID       string
				Revision int
			}
		}
	}
	require.Empty(t, call(t, srv, "", `{ offices(ars: "066360003003") { nodes { id revision } } }`, nil, &offices))
	require.Len(t, offices.Offices.Nodes, 1)
	office := offices.Offices.Nodes[0]

	since := time.Now().UTC().Format(time.RFC3339Nano)

	// 1. New opening hours.
	hours := `{day: MONDAY, open: "08:00", close: "12:00"}, {day: TUESDAY, open: "08:00", close: "12:00"}, {day: THURSDAY, open: "14:00", close: "18:00"}`
	var upd struct {
		UpdateOffice struct {
			Revision     int
			OpeningHours []string
		}
	}
	errs := call(t, srv, eschwegeToken, fmt.Sprintf(`mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev, reason: "Sommerzeiten", input: `+officeInput+`) { revision openingHours } }`, hours),
		map[string]any{"id": office.ID, "rev": office.Revision}, &upd)
	require.Empty(t, errs)
	assert.Equal(t, []string{"Mo, Di 08:00–12:00", "Do 14:00–18:00"}, upd.UpdateOffice.OpeningHours)

	// 2. A second editor who read the old revision gets CONFLICT, and nothing is overwritten.
	errs = call(t, srv, stateToken, fmt.Sprintf(`mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev, input: `+officeInput+`) { revision } }`, `{day: FRIDAY, open: "08:00", close: "09:00"}`),
		map[string]any{"id": office.ID, "rev": office.Revision}, nil)
	require.NotEmpty(t, errs)
	assert.Equal(t, "CONFLICT", errs[0].Extensions["code"])
	assert.EqualValues(t, upd.UpdateOffice.Revision, errs[0].Extensions["currentRevision"])

	// 3. The Eschwege editor may not touch a Kassel office.
	var kassel struct {
		Offices struct {
			Nodes []struct {
				ID       string
				Revision int
			}
		}
	}
	require.Empty(t, call(t, srv, "", `{ offices(ars: "066110000000") { nodes { id revision } } }`, nil, &kassel))
	errs = call(t, srv, eschwegeToken, `mutation($id: ID!, $rev: Int!) { deleteOffice(id: $id, expectedRevision: $rev) { id } }`,
		map[string]any{"id": kassel.Offices.Nodes[0].ID, "rev": kassel.Offices.Nodes[0].Revision}, nil)
	require.NotEmpty(t, errs)
	assert.Equal(t, "FORBIDDEN", errs[0].Extensions["code"])

	// 4. Propose an addition and send it to review.
	var prop struct {
		ProposeSpecialisation struct {
			ID       string
			State    string
			Revision int
		}
	}
	errs = call(t, srv, eschwegeToken, `mutation { proposeSpecialisation(input: {leikaKey: "99050012104000", ars: "066360003003", module: "06", mode: APPEND,
		text: {de: "<p>In Eschwege nehmen wir Gewerbeanzeigen auch donnerstags bis 18 Uhr entgegen.</p>", en: "<p>In Eschwege we also accept notifications on Thursdays until 6 pm.</p>"}}) { id state revision } }`, nil, &prop)
	require.Empty(t, errs)
	assert.Equal(t, "DRAFT", prop.ProposeSpecialisation.State)
	errs = call(t, srv, eschwegeToken, `mutation($id: ID!) { submitChangeRequest(id: $id) { state } }`, map[string]any{"id": prop.ProposeSpecialisation.ID}, nil)
	require.Empty(t, errs)

	// The state editor's queue has it; the municipality may not approve it itself.
	var queue struct {
		ChangeRequests struct {
			TotalCount int
			Nodes      []struct{ ID, State, ProposedBy string }
		}
	}
	require.Empty(t, call(t, srv, stateToken, `{ changeRequests(state: SUBMITTED) { totalCount nodes { id state proposedBy } } }`, nil, &queue))
	require.Equal(t, 1, queue.ChangeRequests.TotalCount)
	assert.Contains(t, queue.ChangeRequests.Nodes[0].ProposedBy, "Stadt Eschwege")
	errs = call(t, srv, eschwegeToken, `mutation($id: ID!) { reviewChangeRequest(id: $id, decision: APPROVE) { state } }`, map[string]any{"id": prop.ProposeSpecialisation.ID}, nil)
	require.NotEmpty(t, errs)
	assert.Equal(t, "FORBIDDEN", errs[0].Extensions["code"])

	// 5. The state editor approves.
	var rev struct{ ReviewChangeRequest struct{ State string } }
	require.Empty(t, call(t, srv, stateToken, `mutation($id: ID!) { reviewChangeRequest(id: $id, decision: APPROVE, comment: "passt") { state } }`,
		map[string]any{"id": prop.ProposeSpecialisation.ID}, &rev))
	assert.Equal(t, "PUBLISHED", rev.ReviewChangeRequest.State)

	// 6. Eschwege sees it, Kassel does not.
	const local = `query($ars: String!) { localService(leikaKey: "99050012104000", ars: $ars) {
		text(module: "06") { isSpecialised text { text } additions { from { ars } } } } }`
	var esch, kas struct {
		LocalService struct {
			Text struct {
				IsSpecialised bool
				Text          struct{ Text string }
				Additions     []struct{ From struct{ Ars string } }
			}
		}
	}
	require.Empty(t, call(t, srv, "", local, map[string]any{"ars": "066360003003"}, &esch))
	assert.True(t, esch.LocalService.Text.IsSpecialised)
	assert.Contains(t, esch.LocalService.Text.Text.Text, "donnerstags bis 18 Uhr")
	require.Len(t, esch.LocalService.Text.Additions, 1)
	assert.Equal(t, "066360003003", esch.LocalService.Text.Additions[0].From.Ars)
	require.Empty(t, call(t, srv, "", local, map[string]any{"ars": "066110000000"}, &kas))
	assert.False(t, kas.LocalService.Text.IsSpecialised)
	assert.NotContains(t, kas.LocalService.Text.Text.Text, "donnerstags bis 18 Uhr")

	// 7. History of the office: who, when, why and what changed.
	var hist struct {
		History []struct {
			Revision  int
			ChangedBy string
			Reason    *string
			Changes   []struct {
				Path          string
				Before, After *string
			}
		}
	}
	require.Empty(t, call(t, srv, eschwegeToken, `query($id: ID!) { history(kind: OFFICE, id: $id) { revision changedBy reason changes { path before after } } }`,
		map[string]any{"id": office.ID}, &hist))
	require.Len(t, hist.History, 2)
	last := hist.History[1]
	assert.Contains(t, last.ChangedBy, "Stadt Eschwege")
	require.NotNil(t, last.Reason)
	assert.Equal(t, "Sommerzeiten", *last.Reason)
	paths := map[string]bool{}
	for _, c := range last.Changes {
		paths[c.Path] = true
	}
	assert.True(t, paths["openingHours[1].day"] && paths["openingHours[2].open"], "the diff names the opening-hour fields as the API does: %v", paths)

	// 8. The audit log has the writes and the refused ones; municipal editors may not read it.
	var audit struct {
		AuditLog struct {
			Nodes []struct{ Operation, Outcome, Actor string }
		}
	}
	require.Empty(t, call(t, srv, stateToken, `{ auditLog(first: 100) { nodes { operation outcome actor } } }`, nil, &audit))
	outcomes := map[string]string{}
	for _, e := range audit.AuditLog.Nodes {
		outcomes[e.Operation+"/"+e.Outcome] = e.Actor
	}
	assert.Contains(t, outcomes, "updateOffice/OK")
	assert.Contains(t, outcomes, "updateOffice/CONFLICT")
	assert.Contains(t, outcomes, "deleteOffice/FORBIDDEN")
	assert.Contains(t, outcomes, "reviewChangeRequest/FORBIDDEN")
	assert.Contains(t, outcomes, "reviewChangeRequest/OK")
	errs = call(t, srv, eschwegeToken, `{ auditLog { nodes { seq } } }`, nil, nil)
	require.NotEmpty(t, errs)
	assert.Equal(t, "FORBIDDEN", errs[0].Extensions["code"])

	// 9. changedSince for the Eschwege editor lists the office and the addition.
	var changed struct {
		ChangedSince struct{ Nodes []struct{ Kind, ID string } }
	}
	require.Empty(t, call(t, srv, eschwegeToken, `query($since: DateTime!) { changedSince(since: $since, ars: "066360003003", first: 100) { nodes { kind id } } }`,
		map[string]any{"since": since}, &changed))
	kinds := map[string]bool{}
	for _, c := range changed.ChangedSince.Nodes {
		kinds[c.Kind] = true
	}
	assert.True(t, kinds["office"] && kinds["specialisation"], "got %v", kinds)
}

func TestTokensAndInputErrors(t *testing.T) {
	srv, st := editableServer(t, graph.RateLimits{})
	ctx := context.Background()
	token, e, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Werra-Meißner", Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360000000"}})
	require.NoError(t, err)

	t.Run("NoTokenMutation", func(t *testing.T) {
		errs := call(t, srv, "", fmt.Sprintf(`mutation { createOffice(input: `+officeInput+`) { id } }`, ""), nil, nil)
		require.NotEmpty(t, errs)
		assert.Equal(t, "UNAUTHENTICATED", errs[0].Extensions["code"])
	})
	t.Run("UnknownToken", func(t *testing.T) {
		resp, body := postQuery(t, srv, `{ me { role } }`, nil, bearer("lf_nonsense"))
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Equal(t, "UNAUTHENTICATED", decode(t, body).Errors[0].Extensions["code"])
	})
	t.Run("InvalidFieldsAreNamed", func(t *testing.T) {
		errs := call(t, srv, token, `mutation { createOffice(input: {name: {de: "Amt", en: "<script>x</script>"}, kind: MUNICIPALITY, ars: "066360003003",
			addresses: [{kind: VISITOR, street: "Markt 1", postalCode: "3726", city: "Eschwege"}],
			channels: [{kind: EMAIL, value: "nope"}], openingHours: [{day: MONDAY, open: "12:00", close: "08:00"}]}) { id } }`, nil, nil)
		require.NotEmpty(t, errs)
		assert.Equal(t, "INVALID", errs[0].Extensions["code"])
		details, _ := errs[0].Extensions["errors"].([]any)
		fields := map[string]string{}
		for _, d := range details {
			m := d.(map[string]any)
			fields[m["field"].(string)] = m["rule"].(string)
		}
		assert.Equal(t, "whitelist", fields["name.en"])
		assert.Equal(t, "format", fields["addresses[0].postalCode"])
		assert.Equal(t, "email", fields["channels[0].value"])
		assert.Equal(t, "order", fields["openingHours[0].close"])
	})
	t.Run("RevokedToken", func(t *testing.T) {
		_, err := st.RevokeEditor(ctx, nil, e.ID)
		require.NoError(t, err)
		resp, _ := postQuery(t, srv, `{ me { role } }`, nil, bearer(token))
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})
}

func TestRateLimit(t *testing.T) {
	srv, st := editableServer(t, graph.RateLimits{PerToken: 1, PerAddress: 100, Burst: 3})
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Eilig", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	limited := 0
	for i := 0; i < 10; i++ {
		errs := call(t, srv, token, `mutation { removeResponsibility(id: "HE.ZS.9999999999", expectedRevision: 1) { id } }`, nil, nil)
		require.NotEmpty(t, errs)
		if errs[0].Extensions["code"] == "RATE_LIMITED" {
			limited++
		}
	}
	assert.GreaterOrEqual(t, limited, 6, "after the burst, mutations are refused with RATE_LIMITED")
}

// TestConcurrentEditorsLoseNoUpdate: many clients update the same office
// through HTTP, each re-reading and retrying on CONFLICT; every update lands.
func TestConcurrentEditorsLoseNoUpdate(t *testing.T) {
	srv, st := editableServer(t, graph.RateLimits{PerToken: 10000, PerAddress: 10000, Burst: 10000})
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Land", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	var offices struct {
		Offices struct{ Nodes []struct{ ID string } }
	}
	require.Empty(t, call(t, srv, "", `{ offices(ars: "066360003003") { nodes { id } } }`, nil, &offices))
	id := offices.Offices.Nodes[0].ID
	const writers, each = 6, 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; {
				var cur struct {
					Office struct {
						Revision int
						Contacts []struct{ Name string }
					}
				}
				if errs := call(t, srv, "", `query($id: ID!) { office(id: $id) { revision contacts { name } } }`, map[string]any{"id": id}, &cur); len(errs) > 0 {
					t.Errorf("read: %v", errs)
					return
				}
				contacts := ""
				for _, c := range cur.Office.Contacts {
					contacts += fmt.Sprintf(`{name: %q},`, c.Name)
				}
				contacts += fmt.Sprintf(`{name: "writer %d update %d"}`, w, i)
				q := `mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev, input: {name: {de: "Magistrat der Stadt Eschwege"},
					kind: MUNICIPALITY, ars: "066360003003", addresses: [{kind: VISITOR, street: "Obermarkt 22", postalCode: "37269", city: "Eschwege"}],
					contacts: [` + contacts + `]}) { revision } }`
				errs := call(t, srv, token, q, map[string]any{"id": id, "rev": cur.Office.Revision}, nil)
				if len(errs) > 0 && errs[0].Extensions["code"] == "CONFLICT" {
					mu.Lock()
					conflicts++
					mu.Unlock()
					continue
				}
				if len(errs) > 0 {
					t.Errorf("update: %v", errs)
					return
				}
				i++
			}
		}(w)
	}
	wg.Wait()
	var got struct {
		Office struct{ Contacts []struct{ Name string } }
	}
	require.Empty(t, call(t, srv, "", `query($id: ID!) { office(id: $id) { contacts { name } } }`, map[string]any{"id": id}, &got))
	assert.Len(t, got.Office.Contacts, writers*each, "no update may be lost (%d conflicts were retried)", conflicts)
}

// TestRestoreVersion brings an office's first version back as a new write.
func TestRestoreVersion(t *testing.T) {
	srv, st := editableServer(t, graph.RateLimits{})
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Land", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	var offices struct {
		Offices struct {
			Nodes []struct {
				ID       string
				Revision int
				Name     string
			}
		}
	}
	require.Empty(t, call(t, srv, "", `{ offices(ars: "066360003003") { nodes { id revision name } } }`, nil, &offices))
	o := offices.Offices.Nodes[0]
	var upd struct{ UpdateOffice struct{ Revision int } }
	require.Empty(t, call(t, srv, token, `mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev, input: {name: {de: "Bürgerbüro Eschwege"},
		kind: MUNICIPALITY, ars: "066360003003", addresses: [{kind: VISITOR, street: "Obermarkt 22", postalCode: "37269", city: "Eschwege"}]}) { revision } }`,
		map[string]any{"id": o.ID, "rev": o.Revision}, &upd))
	var res struct {
		RestoreVersion struct {
			Version int
			Reason  string
			Changes []struct{ Path string }
		}
	}
	errs := call(t, srv, token, `mutation($id: ID!, $old: Int!, $rev: Int!) { restoreVersion(kind: OFFICE, id: $id, revision: $old, expectedRevision: $rev) { version reason changes { path } } }`,
		map[string]any{"id": o.ID, "old": o.Revision, "rev": o.Revision}, nil)
	require.NotEmpty(t, errs)
	assert.Equal(t, "CONFLICT", errs[0].Extensions["code"], "restoring needs the current revision too")
	require.Empty(t, call(t, srv, token, `mutation($id: ID!, $old: Int!, $rev: Int!) { restoreVersion(kind: OFFICE, id: $id, revision: $old, expectedRevision: $rev) { version reason changes { path } } }`,
		map[string]any{"id": o.ID, "old": o.Revision, "rev": upd.UpdateOffice.Revision}, &res))
	assert.Equal(t, 3, res.RestoreVersion.Version)
	assert.Contains(t, res.RestoreVersion.Reason, "restored")
	var got struct{ Office struct{ Name string } }
	require.Empty(t, call(t, srv, "", `query($id: ID!) { office(id: $id) { name } }`, map[string]any{"id": o.ID}, &got))
	assert.Equal(t, o.Name, got.Office.Name)
}

// TestChangeEnteredAhead: new opening hours entered today for next year are
// what reads for next year see; today's readers still see today's.
func TestChangeEnteredAhead(t *testing.T) {
	srv, st := editableServer(t, graph.RateLimits{})
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Stadt Eschwege", Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360003003"}})
	require.NoError(t, err)
	var offices struct {
		Offices struct {
			Nodes []struct {
				ID       string
				Revision int
			}
		}
	}
	require.Empty(t, call(t, srv, "", `{ offices(ars: "066360003003") { nodes { id revision } } }`, nil, &offices))
	o := offices.Offices.Nodes[0]
	next := time.Now().AddDate(1, 0, 0).UTC().Truncate(24 * time.Hour)
	var upd struct {
		UpdateOffice struct {
			Revision int
			Upcoming []struct {
				ValidFrom    string
				OpeningHours []string
			}
		}
	}
	require.Empty(t, call(t, srv, token, fmt.Sprintf(`mutation($id: ID!, $rev: Int!, $from: DateTime!) { updateOffice(id: $id, expectedRevision: $rev, validFrom: $from, input: `+officeInput+`) {
		revision upcoming { validFrom openingHours } } }`, `{day: SATURDAY, open: "09:00", close: "12:00"}`),
		map[string]any{"id": o.ID, "rev": o.Revision, "from": next.Format(time.RFC3339)}, &upd))
	require.Len(t, upd.UpdateOffice.Upcoming, 1)
	assert.Equal(t, []string{"Sa 09:00–12:00"}, upd.UpdateOffice.Upcoming[0].OpeningHours)

	type hours struct {
		LocalService struct {
			ResponsibleOffices []struct{ OpeningHours []string }
		}
		Office struct{ OpeningHours []string }
	}
	const q = `query($id: ID!, $at: DateTime) { office(id: $id, at: $at) { openingHours }
		localService(leikaKey: "99050012104000", ars: "066360003003", at: $at) { responsibleOffices { openingHours } } }`
	var now, later hours
	require.Empty(t, call(t, srv, "", q, map[string]any{"id": o.ID}, &now))
	assert.NotContains(t, now.Office.OpeningHours, "Sa 09:00–12:00", "today's readers see today's hours")
	require.Empty(t, call(t, srv, "", q, map[string]any{"id": o.ID, "at": next.AddDate(0, 0, 1).Format(time.RFC3339)}, &later))
	assert.Equal(t, []string{"Sa 09:00–12:00"}, later.Office.OpeningHours)
	require.Len(t, later.LocalService.ResponsibleOffices, 1)
	assert.Equal(t, []string{"Sa 09:00–12:00"}, later.LocalService.ResponsibleOffices[0].OpeningHours)

	// A change for today keeps the one entered ahead.
	var upd2 struct {
		UpdateOffice struct{ Upcoming []struct{ ValidFrom string } }
	}
	require.Empty(t, call(t, srv, token, fmt.Sprintf(`mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev, input: `+officeInput+`) { upcoming { validFrom } } }`,
		`{day: MONDAY, open: "07:00", close: "12:00"}`), map[string]any{"id": o.ID, "rev": upd.UpdateOffice.Revision}, &upd2))
	assert.Len(t, upd2.UpdateOffice.Upcoming, 1)
}

// TestResponseCacheFollowsWrites: anonymous answers are served from the
// cache only while the store is unchanged; a write is visible at once.
func TestResponseCacheFollowsWrites(t *testing.T) {
	st := demoCopy(t)
	srv := serve(t, graph.Options{Store: st, ResponseCache: 100})
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Land", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	const q = `{ offices(ars: "066360003003") { nodes { id name revision } } }`
	var a, b struct {
		Offices struct {
			Nodes []struct {
				ID, Name string
				Revision int
			}
		}
	}
	require.Empty(t, call(t, srv, "", q, nil, &a))
	require.Empty(t, call(t, srv, "", q, nil, &b))
	assert.Equal(t, a, b)
	o := a.Offices.Nodes[0]
	require.Empty(t, call(t, srv, token, `mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev, input: {name: {de: "Rathaus Eschwege"},
		kind: MUNICIPALITY, ars: "066360003003", addresses: [{kind: VISITOR, street: "Obermarkt 22", postalCode: "37269", city: "Eschwege"}]}) { revision } }`,
		map[string]any{"id": o.ID, "rev": o.Revision}, nil))
	var c struct {
		Offices struct{ Nodes []struct{ Name string } }
	}
	require.Empty(t, call(t, srv, "", q, nil, &c))
	assert.Equal(t, "Rathaus Eschwege", c.Offices.Nodes[0].Name, "a cached answer must not outlive a write")
}
