package graph_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// TestUpdatesKeepWhatTheyAreNotGiven tries every update mutation as an
// editor would: an input that leaves a field out keeps it, an explicit null
// clears it, a list that is given replaces the old one.
func TestUpdatesKeepWhatTheyAreNotGiven(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	srv, st := editableServer(t, graph.RateLimits{})
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Land", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	// mutate runs a mutation whose one field answers with the record as
	// JSON in out; it fails the test on errors.
	mutate := func(t *testing.T, q string, vars map[string]any, out any) {
		t.Helper()
		var data map[string]json.RawMessage
		errs := call(t, srv, token, q, vars, &data)
		require.Empty(t, errs, "%s", q)
		for _, v := range data {
			require.NoError(t, json.Unmarshal(v, out))
		}
	}

	t.Run("updateOffice", func(t *testing.T) {
		type office struct {
			ID, Name          string
			Revision          int
			Channels          []struct{ Kind, Value string }
			Contacts          []struct{ Name string }
			Addresses         []struct{ Street, City string }
			OpeningHoursSlots []struct{ Day, Open, Close string }
			OpeningHoursNotes *struct{ Text string }
			Accessibility     *struct{ Text string }
		}
		const fields = `id name revision channels { kind value } contacts { name } addresses { street city }
			openingHoursSlots { day open close } openingHoursNotes { text } accessibility { text }`
		var before office
		mutate(t, `mutation { createOffice(input: {name: {de: "Bürgerbüro", en: "Citizens' office"}, kind: MUNICIPALITY, ars: "066360003003",
			addresses: [{kind: VISITOR, street: "Obermarkt 22", postalCode: "37269", city: "Eschwege"}],
			openingHours: [{day: MONDAY, open: "08:00", close: "12:00"}], channels: [{kind: PHONE, value: "+49 5651 3040"}],
			contacts: [{name: "Frau Müller"}], accessibility: {de: "Rollstuhlgerecht"}}) { `+fields+` } }`, nil, &before)

		var after office
		mutate(t, `mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev, input: {openingHoursNotes: {de: "Und nach Vereinbarung"}}) { `+fields+` } }`,
			map[string]any{"id": before.ID, "rev": before.Revision}, &after)
		require.NotNil(t, after.OpeningHoursNotes)
		assert.Equal(t, "Und nach Vereinbarung", after.OpeningHoursNotes.Text)
		assert.Equal(t, before.Name, after.Name)
		assert.Equal(t, before.Channels, after.Channels, "channels left out stay")
		assert.Equal(t, before.Contacts, after.Contacts)
		assert.Equal(t, before.Addresses, after.Addresses)
		assert.Equal(t, before.OpeningHoursSlots, after.OpeningHoursSlots)
		assert.Equal(t, before.Accessibility, after.Accessibility)

		mutate(t, `mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev, input: {name: {de: "Bürgerservice"}, channels: null, accessibility: null}) { `+fields+` } }`,
			map[string]any{"id": after.ID, "rev": after.Revision}, &after)
		assert.Equal(t, "Bürgerservice", after.Name)
		assert.Empty(t, after.Channels, "null clears")
		assert.Nil(t, after.Accessibility)
		assert.Equal(t, before.Contacts, after.Contacts)
		var got struct{ Office struct{ Name string } }
		require.Empty(t, call(t, srv, "", `query($id: ID!) { office(id: $id, lang: EN) { name } }`, map[string]any{"id": before.ID}, &got))
		assert.Equal(t, "Citizens' office", got.Office.Name, "the English name left out stays")
	})

	t.Run("updateOnlineService", func(t *testing.T) {
		type online struct {
			ID, Title      string
			Revision       int
			Description    *struct{ Text string }
			TrustLevel     *string
			Identification []string
			Links          []struct{ URL string }
		}
		const fields = `id title revision description { text } trustLevel identification links { url }`
		var before, after online
		mutate(t, `mutation { createOnlineService(input: {title: {de: "Gewerbe online"}, description: {de: "Anzeige im Netz"},
			links: [{url: "https://example.org/gewerbe"}], trustLevel: SUBSTANTIAL, identification: ["EID"], ars: "066360003003"}) { `+fields+` } }`, nil, &before)
		mutate(t, `mutation($id: ID!, $rev: Int!) { updateOnlineService(id: $id, expectedRevision: $rev, input: {links: [{url: "https://example.org/neu"}]}) { `+fields+` } }`,
			map[string]any{"id": before.ID, "rev": before.Revision}, &after)
		assert.Equal(t, "https://example.org/neu", after.Links[0].URL)
		assert.Equal(t, before.Title, after.Title)
		assert.Equal(t, before.Description, after.Description)
		assert.Equal(t, before.TrustLevel, after.TrustLevel)
		assert.Equal(t, before.Identification, after.Identification)
		mutate(t, `mutation($id: ID!, $rev: Int!) { updateOnlineService(id: $id, expectedRevision: $rev, input: {trustLevel: null, description: null}) { `+fields+` } }`,
			map[string]any{"id": after.ID, "rev": after.Revision}, &after)
		assert.Nil(t, after.TrustLevel)
		assert.Nil(t, after.Description)
		assert.Equal(t, before.Identification, after.Identification)
	})

	type service struct {
		ID, Status string
		Revision   int
		LeikaKeys  []string
		Modules    []struct {
			Code string
			Text struct {
				Text       string
				IsFallback bool
			}
		}
		Fees       []struct{ Formatted string }
		Categories []string
	}
	const serviceFields = `id status revision leikaKeys modules { code text { text isFallback } } fees { formatted } categories`
	module := func(s service, code string) (string, bool) {
		for _, m := range s.Modules {
			if m.Code == code {
				return m.Text.Text, true
			}
		}
		return "", false
	}
	readEN := func(t *testing.T, id string) service {
		var got struct{ Service service }
		require.Empty(t, call(t, srv, token, `query($id: ID!) { service(id: $id, lang: EN) { `+serviceFields+` } }`, map[string]any{"id": id}, &got))
		return got.Service
	}

	t.Run("updateService", func(t *testing.T) {
		var before, after service
		mutate(t, `mutation { createService(input: {leikaKeys: ["99123456000000"], categories: ["Test"],
			modules: [{code: "02", text: {de: "Testleistung", en: "Test service"}}, {code: "06", text: {de: "<p>Alt.</p>", en: "<p>Old.</p>"}}],
			fees: [{kind: FIXED, amountCents: 2500}]}) { `+serviceFields+` } }`, nil, &before)
		assert.Equal(t, "DRAFT", before.Status)
		mutate(t, `mutation($id: ID!, $rev: Int!) { updateService(id: $id, expectedRevision: $rev, input: {modules: [{code: "06", text: {de: "<p>Neu.</p>"}}]}) { `+serviceFields+` } }`,
			map[string]any{"id": before.ID, "rev": before.Revision}, &after)
		full, _ := module(after, "06")
		assert.Equal(t, "<p>Neu.</p>", full)
		assert.Equal(t, "DRAFT", after.Status)
		assert.Equal(t, before.Fees, after.Fees, "fees left out stay")
		assert.Equal(t, before.Categories, after.Categories)
		assert.Equal(t, before.LeikaKeys, after.LeikaKeys)
		en := readEN(t, before.ID)
		full, _ = module(en, "06")
		assert.Equal(t, "<p>Old.</p>", full, "a module's English left out stays")
		name, _ := module(en, "02")
		assert.Equal(t, "Test service", name, "modules left out stay")

		mutate(t, `mutation($id: ID!, $rev: Int!) { updateService(id: $id, expectedRevision: $rev, input: {fees: null, modules: [{code: "06", text: null}]}) { `+serviceFields+` } }`,
			map[string]any{"id": after.ID, "rev": after.Revision}, &after)
		assert.Empty(t, after.Fees, "null clears")
		_, has := module(after, "06")
		assert.False(t, has, "a module with a null text is removed")
		assert.Equal(t, before.Categories, after.Categories)
	})

	t.Run("putService", func(t *testing.T) {
		var before, after service
		mutate(t, `mutation { createService(input: {leikaKeys: ["99123456000011"], categories: ["Test"],
			modules: [{code: "02", text: {de: "Zweite", en: "Second"}}], fees: [{kind: FREE}]}) { `+serviceFields+` } }`, nil, &before)
		mutate(t, `mutation($id: ID!, $rev: Int) { putService(id: $id, expectedRevision: $rev, input: {leikaKeys: ["99123456000011"],
			modules: [{code: "02", text: {de: "Zweite Leistung"}}]}) { `+serviceFields+` } }`,
			map[string]any{"id": before.ID, "rev": before.Revision}, &after)
		assert.Equal(t, before.Fees, after.Fees)
		assert.Equal(t, before.Categories, after.Categories)
		name, _ := module(readEN(t, before.ID), "02")
		assert.Equal(t, "Second", name, "the English left out of putService stays")
	})

	t.Run("ErrorPathsUseTheAPIsNames", func(t *testing.T) {
		var o struct {
			ID       string
			Revision int
		}
		mutate(t, `mutation { createOffice(input: {name: {de: "Amt"}, kind: MUNICIPALITY, ars: "066360003003"}) { id revision } }`, nil, &o)
		errs := call(t, srv, token, `mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev,
			input: {ars: "0663", openingHours: [{day: MONDAY, open: "10:00", close: "09:00"}], name: {de: null}}) { id } }`,
			map[string]any{"id": o.ID, "rev": o.Revision}, nil)
		require.NotEmpty(t, errs)
		fields := map[string]string{}
		for _, d := range errs[0].Extensions["errors"].([]any) {
			m := d.(map[string]any)
			fields[m["field"].(string)] = m["rule"].(string)
		}
		assert.Equal(t, map[string]string{"ars": "format", "openingHours[0].close": "order", "name": "required"}, fields)
	})
}
