package catalog_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

var stateEditor = &catalog.Principal{Role: catalog.AccessStateEditor,
	Editor: &catalog.Editor{ID: "ED.1", Name: "Land", Role: catalog.AccessStateEditor}}

func apply(t *testing.T, st *catalog.Store, c catalog.Command) *catalog.Result {
	t.Helper()
	res, err := st.Apply(ctx, stateEditor, c, "test")
	require.NoError(t, err)
	return res
}

func revOf(r catalog.Record) uint64 { return catalog.MetaOf(r).Revision }

func TestUpdateOfficeKeepsWhatThePatchLeavesOut(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	o := newOffice("Bürgerbüro", "066360003003", "Obermarkt 22")
	o.Name = i18n.Bilingual("Bürgerbüro", "Citizens' office")
	o.Contacts = []catalog.Contact{{Name: "Frau Müller"}}
	o.Accessibility = i18n.German("Rollstuhlgerecht")
	o = apply(t, st, catalog.CreateOffice{Office: *o}).Record.(*catalog.Office)

	// Only the German name: everything else stays, the English name too.
	res := apply(t, st, catalog.UpdateOffice{ID: o.ID, ExpectedRevision: revOf(o),
		Patch: catalog.OfficePatch{Name: catalog.Set(catalog.TextPatch{i18n.DE: {Value: "Bürgerservice"}})}})
	got := res.Record.(*catalog.Office)
	assert.Equal(t, "Bürgerservice", got.Name[i18n.DE].Value)
	assert.Equal(t, "Citizens' office", got.Name[i18n.EN].Value, "English left out stays")
	assert.Equal(t, o.Channels, got.Channels, "channels left out stay")
	assert.Equal(t, o.Contacts, got.Contacts)
	assert.Equal(t, o.Addresses, got.Addresses)
	assert.Equal(t, o.OpeningHours.Slots, got.OpeningHours.Slots)
	assert.Equal(t, "Rollstuhlgerecht", got.Accessibility[i18n.DE].Value)
	assert.Equal(t, o.Kind, got.Kind)
	assert.Equal(t, o.RegionKey, got.RegionKey)

	// An explicit null clears; a list that is given replaces the old one.
	res = apply(t, st, catalog.UpdateOffice{ID: o.ID, ExpectedRevision: revOf(got), Patch: catalog.OfficePatch{
		Channels:      catalog.Clear[[]catalog.Channel](),
		Accessibility: catalog.Clear[catalog.TextPatch](),
		Name:          catalog.Set(catalog.TextPatch{i18n.EN: nil}),
		OpeningHours:  catalog.Set([]catalog.Slot{{Day: catalog.Friday, Open: "09:00", Close: "12:00"}}),
	}})
	got = res.Record.(*catalog.Office)
	assert.Empty(t, got.Channels)
	assert.True(t, got.Accessibility.IsZero())
	assert.Equal(t, i18n.German("Bürgerservice")[i18n.DE].Value, got.Name[i18n.DE].Value)
	assert.NotContains(t, got.Name, i18n.EN, "a language mapped to null is removed")
	assert.Equal(t, []catalog.Slot{{Day: catalog.Friday, Open: "09:00", Close: "12:00"}}, got.OpeningHours.Slots)
	assert.Equal(t, o.Contacts, got.Contacts)

	// A stale revision changes nothing.
	_, err := st.Apply(ctx, stateEditor, catalog.UpdateOffice{ID: o.ID, ExpectedRevision: revOf(o),
		Patch: catalog.OfficePatch{Contacts: catalog.Clear[[]catalog.Contact]()}}, "")
	assert.Equal(t, catalog.ECONFLICT, catalog.ErrorCode(err))
}

func TestUpdateOfficeAheadAppliesToTheVersionOfThatDay(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	st, err := catalog.Open(filepath.Join(t.TempDir(), "c.db"), catalog.Options{Now: func() time.Time { return now }})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Check()); st.Close() })
	seedRegions(t, st)
	o := apply(t, st, catalog.CreateOffice{Office: *newOffice("Amt", "066360003003", "Markt 1")}).Record.(*catalog.Office)
	may := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	o = apply(t, st, catalog.UpdateOffice{ID: o.ID, ExpectedRevision: revOf(o), ValidFrom: &may,
		Patch: catalog.OfficePatch{Name: catalog.Set(catalog.TextPatch{i18n.DE: {Value: "Neues Amt"}})}}).Record.(*catalog.Office)
	assert.Equal(t, "Amt", o.Name[i18n.DE].Value, "the change waits for its day")
	// A second change for the same day keeps the first one's name.
	o = apply(t, st, catalog.UpdateOffice{ID: o.ID, ExpectedRevision: revOf(o), ValidFrom: &may,
		Patch: catalog.OfficePatch{Channels: catalog.Clear[[]catalog.Channel]()}}).Record.(*catalog.Office)
	then := o.At(may)
	assert.Equal(t, "Neues Amt", then.Name[i18n.DE].Value)
	assert.Empty(t, then.Channels)
	assert.NotEmpty(t, o.At(now).Channels)
}

func TestUpdateServiceKeepsWhatThePatchLeavesOut(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	in := newService()
	in.Status = catalog.StatusPublished // CreateService ignores it
	in.Keywords = map[string][]string{i18n.DE: {"Gewerbeschein"}, i18n.EN: {"trade licence"}}
	created := apply(t, st, catalog.CreateService{Service: *in}).Record.(*catalog.Service)
	assert.Equal(t, catalog.StatusDraft, created.Status, "a new description starts as a draft")
	assert.Equal(t, "060000000000", created.RegionKey, "and belongs to the portal's state")
	pub := apply(t, st, catalog.PublishService{ID: created.ID, ExpectedRevision: revOf(created)}).Record.(*catalog.Service)

	res := apply(t, st, catalog.UpdateService{ID: created.ID, ExpectedRevision: revOf(pub), Patch: catalog.ServicePatch{
		Modules:    map[catalog.Module]catalog.TextPatch{catalog.ModuleFullText: {i18n.DE: {Value: "<p>Neu.</p>"}}},
		KeywordsDE: catalog.Set([]string{"Gewerbeanzeige"}),
	}})
	got := res.Record.(*catalog.Service)
	assert.Equal(t, catalog.StatusPublished, got.Status, "the status stays")
	assert.Equal(t, "<p>Neu.</p>", got.Texts[catalog.ModuleFullText][i18n.DE].Value)
	assert.Equal(t, "<p>Central.</p>", got.Texts[catalog.ModuleFullText][i18n.EN].Value, "a module's English left out stays")
	assert.True(t, got.Texts[catalog.ModuleFullText].Stale(i18n.EN), "and is stale now")
	assert.Equal(t, in.Texts[catalog.ModuleShortText][i18n.DE].Value, got.Texts[catalog.ModuleShortText][i18n.DE].Value, "other modules stay")
	assert.Equal(t, in.Fees, got.Fees)
	assert.Equal(t, in.LeikaKeys, got.LeikaKeys)
	assert.Equal(t, []string{"Gewerbeanzeige"}, got.Keywords[i18n.DE])
	assert.Equal(t, []string{"trade licence"}, got.Keywords[i18n.EN])
	assert.Equal(t, "060000000000", got.RegionKey)

	res = apply(t, st, catalog.UpdateService{ID: created.ID, ExpectedRevision: revOf(got), Patch: catalog.ServicePatch{
		Modules: map[catalog.Module]catalog.TextPatch{catalog.ModuleShortText: nil},
		Fees:    catalog.Clear[[]catalog.Fee](),
	}})
	got = res.Record.(*catalog.Service)
	assert.NotContains(t, got.Texts, catalog.ModuleShortText, "a module mapped to null is removed")
	assert.Empty(t, got.Fees)
	assert.Contains(t, got.Texts, catalog.ModuleFullText)
}

func TestUpdateOnlineServiceKeepsWhatThePatchLeavesOut(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	os := apply(t, st, catalog.CreateOnlineService{OnlineService: catalog.OnlineService{
		Title: i18n.Bilingual("Gewerbe online", "Business online"), Description: i18n.German("Beschreibung"),
		RegionKey: "066360003003", TrustLevel: catalog.TrustSubstantial, Identification: []string{"EID"},
		Links: []catalog.Link{{URL: "https://example.org/gewerbe"}}, Validity: catalog.Validity{From: &from},
	}}).Record.(*catalog.OnlineService)
	got := apply(t, st, catalog.UpdateOnlineService{ID: os.ID, ExpectedRevision: revOf(os), Patch: catalog.OnlineServicePatch{
		Links: catalog.Set([]catalog.Link{{URL: "https://example.org/neu"}}),
	}}).Record.(*catalog.OnlineService)
	assert.Equal(t, "https://example.org/neu", got.Links[0].URL)
	assert.Equal(t, os.Title[i18n.EN].Value, got.Title[i18n.EN].Value)
	assert.Equal(t, os.Description[i18n.DE].Value, got.Description[i18n.DE].Value)
	assert.Equal(t, catalog.TrustSubstantial, got.TrustLevel)
	assert.Equal(t, []string{"EID"}, got.Identification)
	require.NotNil(t, got.Validity.From)
	assert.True(t, from.Equal(*got.Validity.From))

	got = apply(t, st, catalog.UpdateOnlineService{ID: os.ID, ExpectedRevision: revOf(got), Patch: catalog.OnlineServicePatch{
		ValidFrom: catalog.Clear[*time.Time](), TrustLevel: catalog.Clear[catalog.TrustLevel](),
	}}).Record.(*catalog.OnlineService)
	assert.Nil(t, got.Validity.From)
	assert.Empty(t, got.TrustLevel)
}

func TestSetResponsibility(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	put(t, st, newService(), catalog.Write{})
	o := apply(t, st, catalog.CreateOffice{Office: *newOffice("Amt", "066360003003", "Markt 1")}).Record.(*catalog.Office)

	r := apply(t, st, catalog.SetResponsibility{LeikaKey: gewerbe, RegionKey: "066360003003", OfficeID: o.ID}).Record.(*catalog.Responsibility)
	assert.Equal(t, catalog.RoleResponsible, r.Role, "the role defaults to RESPONSIBLE")

	_, err := st.Apply(ctx, stateEditor, catalog.SetResponsibility{LeikaKey: "99999999999999", RegionKey: "066360003003", OfficeID: o.ID}, "")
	var ce *catalog.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "leikaKey", ce.Field)
	assert.Equal(t, "exists", ce.Rule, "a responsibility needs a service with the key")

	_, err = st.Apply(ctx, stateEditor, catalog.SetResponsibility{LeikaKey: "123", RegionKey: "0663", OfficeID: o.ID}, "")
	var all catalog.Errors
	require.ErrorAs(t, err, &all)
	fields := map[string]int{}
	for _, e := range all {
		fields[e.Field]++
	}
	assert.Equal(t, map[string]int{"leikaKey": 1, "ars": 1}, fields, "each broken field once, by its API name")
}

// TestCommandsAreLoggedAndReplay applies commands to one store, reads them
// back from the change log and applies them to a second store, which ends
// up with the same records: the log carries what a replica needs.
func TestCommandsAreLoggedAndReplay(t *testing.T) {
	a, b := mustOpen(t), mustOpen(t)
	for _, st := range []*catalog.Store{a, b} {
		seedRegions(t, st)
		put(t, st, newService(), catalog.Write{})
	}
	start := a.Revision()
	o := apply(t, a, catalog.CreateOffice{Office: *newOffice("Amt", "066360003003", "Markt 1")}).Record.(*catalog.Office)
	o = apply(t, a, catalog.UpdateOffice{ID: o.ID, ExpectedRevision: revOf(o), Patch: catalog.OfficePatch{
		Name: catalog.Set(catalog.TextPatch{i18n.EN: {Value: "Office"}}), Channels: catalog.Clear[[]catalog.Channel]()}}).Record.(*catalog.Office)
	apply(t, a, catalog.SetResponsibility{LeikaKey: gewerbe, RegionKey: "066360000000", OfficeID: o.ID})
	apply(t, a, catalog.DeleteOffice{ID: o.ID, ExpectedRevision: revOf(o)})
	imported := newOffice("Importiert", "066360001001", "Weg 2")
	imported.ID = "HE.OE.0000000777"
	apply(t, a, catalog.PutRecord{Record: imported})

	var changes []catalog.Change
	require.NoError(t, a.View(ctx, func(tx *catalog.Tx) (err error) { changes, err = tx.Changes(start, 100); return err }))
	var names []string
	for _, ch := range changes {
		require.NotNil(t, ch.Command, "change %d carries its command", ch.Revision)
		names = append(names, ch.Command.Name)
	}
	assert.Equal(t, []string{"createOffice", "updateOffice", "setResponsibility", "deleteOffice", "deleteOffice", "putRecord"}, names,
		"the cascaded delete of the responsibility carries the command that caused it")
	assert.JSONEq(t, `{"name":{"en":{"v":"Office"}},"channels":null}`, string(mustField(t, changes[1].Command.Args, "patch")),
		"a patch logs what it sets and what it clears, nothing else")

	for _, ch := range changes {
		if ch.Command.First != ch.Revision {
			continue // a later entry of the same command
		}
		var c catalog.Command
		require.NoError(t, a.View(ctx, func(tx *catalog.Tx) (err error) { c, err = tx.Command(ch); return err }))
		_, err := b.Apply(ctx, stateEditor, c, "replay")
		require.NoError(t, err, "replaying %s", ch.Command.Name)
	}
	for _, k := range []catalog.Kind{catalog.KindOffice, catalog.KindResponsibility} {
		assert.Equal(t, countOf(t, a, k), countOf(t, b, k), k)
	}
	assert.NotContains(t, string(changes[len(changes)-1].Command.Args), "Importiert",
		"a logged putRecord names its record in history instead of copying it")
	require.NoError(t, b.View(ctx, func(tx *catalog.Tx) error {
		got, err := tx.Office(imported.ID)
		require.NoError(t, err)
		assert.Equal(t, "Importiert", got.Name[i18n.DE].Value, "and replays from there")
		return nil
	}))
	// The replica saw the office's versions as they were written.
	var ha, hb []catalog.Version
	require.NoError(t, a.View(ctx, func(tx *catalog.Tx) (err error) { ha, err = tx.History(catalog.KindOffice, o.ID); return err }))
	require.NoError(t, b.View(ctx, func(tx *catalog.Tx) (err error) { hb, err = tx.History(catalog.KindOffice, o.ID); return err }))
	require.Len(t, hb, len(ha))
	assert.Empty(t, catalog.Diff(ha[1].Record, hb[1].Record))

	_, err := catalog.DecodeCommand(catalog.LoggedCommand{Name: "dropEverything", Args: []byte(`{}`)})
	assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
}

func mustField(t *testing.T, raw json.RawMessage, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	return m[key]
}

func countOf(t *testing.T, st *catalog.Store, k catalog.Kind) int {
	var n int
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error { n = tx.Count(k); return nil }))
	return n
}

func TestPatchJSONTellsLeftOutFromNull(t *testing.T) {
	var p catalog.OfficePatch
	require.NoError(t, json.Unmarshal([]byte(`{"channels":null,"name":{"de":{"v":"Amt"}}}`), &p))
	assert.True(t, p.Channels.IsSet())
	assert.Nil(t, p.Channels.Value())
	assert.True(t, p.Name.IsSet())
	assert.False(t, p.Contacts.IsSet(), "left out")
	out, err := json.Marshal(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"channels":null,"name":{"de":{"v":"Amt"}}}`, string(out))
}

// TestPathsUseTheAPIsNames checks that validation errors and history diffs
// name fields as the API does, not as the store keeps them.
func TestPathsUseTheAPIsNames(t *testing.T) {
	st := mustOpen(t)
	seedRegions(t, st)
	o := apply(t, st, catalog.CreateOffice{Office: *newOffice("Amt", "066360003003", "Markt 1")}).Record.(*catalog.Office)

	_, err := st.Apply(ctx, stateEditor, catalog.UpdateOffice{ID: o.ID, ExpectedRevision: revOf(o), Patch: catalog.OfficePatch{
		RegionKey:    catalog.Set("0663"),
		OpeningHours: catalog.Set([]catalog.Slot{{Day: catalog.Monday, Open: "10:00", Close: "09:00"}}),
		Addresses:    catalog.Set([]catalog.Address{{Kind: catalog.AddressPOBox, POBox: "12", PostalCode: "3726", City: "Eschwege"}}),
	}}, "")
	var all catalog.Errors
	require.ErrorAs(t, err, &all)
	var fields []string
	for _, e := range all {
		fields = append(fields, e.Field)
	}
	assert.ElementsMatch(t, []string{"ars", "openingHours[0].close", "addresses[0].postalCode"}, fields)

	up := apply(t, st, catalog.UpdateOffice{ID: o.ID, ExpectedRevision: revOf(o), Patch: catalog.OfficePatch{
		Name:              catalog.Set(catalog.TextPatch{i18n.EN: {Value: "Office", MachineTranslated: true}}),
		OpeningHours:      catalog.Set([]catalog.Slot{{Day: catalog.Monday, Open: "08:00", Close: "13:00"}}),
		OpeningHoursNotes: catalog.Set(catalog.TextPatch{i18n.DE: {Value: "Und nach Vereinbarung"}}),
		Addresses:         catalog.Set([]catalog.Address{{Kind: catalog.AddressPOBox, POBox: "12", PostalCode: "37269", City: "Eschwege"}}),
	}})
	paths := map[string]bool{}
	for _, c := range catalog.Diff(up.Previous, up.Record) {
		paths[c.Path] = true
	}
	for _, want := range []string{"name.en", "name.enMachineTranslated", "openingHours[0].close", "openingHoursNotes.de",
		"addresses[0].poBox", "addresses[0].street"} {
		assert.True(t, paths[want], "diff names %s: %v", want, paths)
	}
	for p := range paths {
		assert.NotContains(t, p, "hours.slots", "internal name in %s", p)
		assert.NotRegexp(t, `\.v$`, p)
	}

	svc := newService()
	svc.BundleIDs = nil
	s := apply(t, st, catalog.CreateService{Service: *svc}).Record.(*catalog.Service)
	s2 := apply(t, st, catalog.UpdateService{ID: s.ID, ExpectedRevision: revOf(s), Patch: catalog.ServicePatch{
		LeikaKeys:  catalog.Set([]string{gewerbe, "99050012071000"}),
		Fees:       catalog.Set([]catalog.Fee{{Kind: catalog.FeeFixed, Amount: 2500}}),
		KeywordsDE: catalog.Set([]string{"Gewerbeschein"}),
		Processing: catalog.Set(&catalog.ProcessingTime{Duration: &catalog.Duration{Value: 3, Unit: catalog.UnitDay}}),
	}})
	paths = map[string]bool{}
	for _, c := range catalog.Diff(s2.Previous, s2.Record) {
		paths[c.Path] = true
	}
	for _, want := range []string{"leikaKeys[1]", "fees[0].amountCents", "keywordsDe[0]", "processingTime.duration.value"} {
		assert.True(t, paths[want], "diff names %s: %v", want, paths)
	}
}

// FuzzDecodeCommand: a logged command from a damaged or hostile log never
// panics, and one that decodes encodes to arguments that decode the same.
func FuzzDecodeCommand(f *testing.F) {
	f.Add("updateOffice", []byte(`{"id":"HE.OE.0000000001","patch":{"channels":null,"name":{"en":{"v":"Office"}}},"expectedRevision":3}`))
	f.Add("updateService", []byte(`{"id":"x","patch":{"modules":{"06":{"de":{"v":"<p>a</p>"},"en":null}},"fees":null}}`))
	f.Add("putRecord", []byte(`{"kind":"office","record":{"id":"HE.OE.1","name":{"de":{"v":"Amt"}}}}`))
	f.Add("putRecord", []byte(`{"kind":"nonsense"}`))
	f.Fuzz(func(t *testing.T, name string, args []byte) {
		c, err := catalog.DecodeCommand(catalog.LoggedCommand{Name: name, Args: args})
		if err != nil {
			assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
			return
		}
		again, err := json.Marshal(c)
		require.NoError(t, err)
		c2, err := catalog.DecodeCommand(catalog.LoggedCommand{Name: name, Args: again})
		require.NoError(t, err)
		third, err := json.Marshal(c2)
		require.NoError(t, err)
		assert.JSONEq(t, string(again), string(third))
	})
}
