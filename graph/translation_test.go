package graph_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// TestStaleTranslations: changing the German full text of a service marks
// its English text stale in translationCoverage until an editor confirms it.
func TestStaleTranslations(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	srv, st := editableServer(t, graph.RateLimits{})
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)

	type coverage struct {
		TranslationCoverage struct {
			ServicesConsidered int
			TotalCount         int
			Totals             []struct {
				Module                             string
				German, Translated, Missing, Stale int
			}
			Gaps []struct {
				Service        struct{ LeikaKeys []string }
				Missing, Stale []string
			}
		}
	}
	const covQuery = `{ translationCoverage(ars: "066360003003", first: 100) { servicesConsidered totalCount
		totals { module german translated missing stale } gaps { service { leikaKeys } missing stale } } }`
	var before coverage
	require.Empty(t, call(t, srv, token, covQuery, nil, &before))
	assert.Greater(t, before.TranslationCoverage.ServicesConsidered, 70)
	gapFor := func(c coverage, leika string) (missing, stale []string, found bool) {
		for _, g := range c.TranslationCoverage.Gaps {
			if g.Service.LeikaKeys[0] == leika {
				return g.Missing, g.Stale, true
			}
		}
		return nil, nil, false
	}
	_, _, found := gapFor(before, "99050012104000")
	assert.False(t, found, "Gewerbe anmelden is complete in English")
	missing, _, found := gapFor(before, "99038003017001")
	assert.True(t, found, "federal services imported from the portal network are German only")
	assert.Contains(t, missing, "02")

	// The state editor changes the German full text only.
	var svc struct {
		Service struct {
			ID       string
			Revision int
		}
	}
	require.Empty(t, call(t, srv, token, `{ service(leikaKey: "99050012104000") { id revision } }`, nil, &svc))
	// putService takes the whole description; read it as the editor's form would.
	var cur struct {
		Service struct {
			Modules []struct {
				Code string
				Text struct{ Text string }
			}
		}
	}
	require.Empty(t, call(t, srv, token, `{ service(leikaKey: "99050012104000", lang: DE) { modules { code text { text } } } }`, nil, &cur))
	var en struct {
		Service struct {
			Modules []struct {
				Code string
				Text struct{ Text string }
			}
		}
	}
	require.Empty(t, call(t, srv, token, `{ service(leikaKey: "99050012104000", lang: EN) { modules { code text { text } } } }`, nil, &en))
	modules := []map[string]any{}
	for i, m := range cur.Service.Modules {
		de := m.Text.Text
		if m.Code == "06" {
			de += "<p>Neu: Die Anzeige ist auch per E-Mail möglich.</p>"
		}
		modules = append(modules, map[string]any{"code": m.Code, "text": map[string]any{"de": de, "en": en.Service.Modules[i].Text.Text}})
	}
	errs := call(t, srv, token, `mutation($id: ID!, $rev: Int!, $modules: [TextModuleInput!]!) {
		putService(id: $id, expectedRevision: $rev, input: {leikaKeys: ["99050012104000"], modules: $modules,
			addressees: [CITIZEN, BUSINESS], categories: ["Gewerbe"]}) { revision module(code: "06") { text { stale } } } }`,
		map[string]any{"id": svc.Service.ID, "rev": svc.Service.Revision, "modules": modules}, nil)
	require.Empty(t, errs)

	var after coverage
	require.Empty(t, call(t, srv, token, covQuery, nil, &after))
	_, stale, found := gapFor(after, "99050012104000")
	require.True(t, found, "%+v", after.TranslationCoverage.Totals)
	assert.Equal(t, []string{"06"}, stale, "only the changed module is stale")

	var enNow struct {
		LocalService struct {
			Text struct{ Text struct{ Stale bool } }
		}
	}
	require.Empty(t, call(t, srv, "", `{ localService(leikaKey: "99050012104000", ars: "066360003003", lang: EN) { text(module: "06") { text { stale } } } }`, nil, &enNow))
	assert.True(t, enNow.LocalService.Text.Text.Stale, "readers see that the English text is older than the German one")

	// The editor confirms the English text: no longer stale.
	require.Empty(t, call(t, srv, token, `{ service(leikaKey: "99050012104000") { id revision } }`, nil, &svc))
	var conf struct {
		ConfirmTranslation struct{ Text struct{ Stale bool } }
	}
	require.Empty(t, call(t, srv, token, `mutation($id: ID!, $rev: Int!) { confirmTranslation(kind: SERVICE, id: $id, path: "texts.06", lang: "en", expectedRevision: $rev) { text { stale } } }`,
		map[string]any{"id": svc.Service.ID, "rev": svc.Service.Revision}, &conf))
	assert.False(t, conf.ConfirmTranslation.Text.Stale)
	var confirmed coverage
	require.Empty(t, call(t, srv, token, covQuery, nil, &confirmed))
	_, _, found = gapFor(confirmed, "99050012104000")
	assert.False(t, found)

	t.Run("OnlyGermanAndEnglish", func(t *testing.T) {
		require.Empty(t, call(t, srv, token, `{ service(leikaKey: "99050012104000") { id revision } }`, nil, &svc))
		errs := call(t, srv, token, `mutation($id: ID!, $rev: Int!) { setTranslation(kind: SERVICE, id: $id, path: "texts.06", lang: "fr", text: "Bonjour", expectedRevision: $rev) { revision } }`,
			map[string]any{"id": svc.Service.ID, "rev": svc.Service.Revision}, nil)
		require.NotEmpty(t, errs)
		assert.Equal(t, "INVALID", errs[0].Extensions["code"])
		assert.Equal(t, "lang", errs[0].Extensions["field"])
		errs = call(t, srv, token, `mutation($id: ID!, $rev: Int!) { setTranslation(kind: SERVICE, id: $id, path: "texts.06", lang: "en", text: "<p onclick=\"x\">Hi</p>", expectedRevision: $rev) { revision } }`,
			map[string]any{"id": svc.Service.ID, "rev": svc.Service.Revision}, nil)
		require.NotEmpty(t, errs)
		assert.Equal(t, "INVALID", errs[0].Extensions["code"])
		assert.Equal(t, "whitelist", errs[0].Extensions["rule"])
	})
	t.Run("MachineTranslationIsMarked", func(t *testing.T) {
		require.Empty(t, call(t, srv, token, `{ service(leikaKey: "99038003017001") { id revision } }`, nil, &svc))
		var res struct {
			SetTranslation struct {
				Text struct {
					Text, Language    string
					MachineTranslated bool
					Translator        string
				}
			}
		}
		require.Empty(t, call(t, srv, token, `mutation($id: ID!, $rev: Int!) { setTranslation(kind: SERVICE, id: $id, path: "texts.03", lang: "en", text: "Apply for seasonal short-time allowance",
			machineTranslated: true, translator: "DeepL", expectedRevision: $rev) { text { text language machineTranslated translator } } }`,
			map[string]any{"id": svc.Service.ID, "rev": svc.Service.Revision}, &res))
		assert.True(t, res.SetTranslation.Text.MachineTranslated)
		assert.Equal(t, "DeepL", res.SetTranslation.Text.Translator)
		assert.Equal(t, "EN", res.SetTranslation.Text.Language)
	})
}

// TestUnknownLanguageFallsBackWithReason: a reader asking for a language we
// do not have gets German, no error, and the reason in extensions.
func TestUnknownLanguageFallsBackWithReason(t *testing.T) {
	srv := demoServer(t)
	for _, header := range []string{"fr-FR", "xx__", "de;q=abc"} {
		t.Run(header, func(t *testing.T) {
			resp, body := postQuery(t, srv, `{ service(leikaKey: "99050012104000") { name localization { language isFallback } } }`, nil, http.Header{"Accept-Language": {header}})
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			r := decode(t, body)
			require.Empty(t, r.Errors)
			lang, _ := r.Extensions["language"].(map[string]any)
			require.NotNil(t, lang, "body: %s", body)
			assert.Equal(t, "de", lang["used"])
			assert.NotEmpty(t, lang["reasons"])
			assert.Contains(t, string(r.Data), "Gewerbe anmelden")
		})
	}
}
