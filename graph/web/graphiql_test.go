package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestGraphiQLOffline loads the explorer with every other host blocked,
// runs the Eschwege query and sees the answer, and finds the schema in the
// docs and in the editor's autocompletion (both from introspection).
func TestGraphiQLOffline(t *testing.T) {
	s := start(t)
	tb := newTab(t, s)
	var loc string
	tb.run(
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(`.graphiql-container .graphiql-query-editor .CodeMirror`, chromedp.ByQuery),
		chromedp.Location(&loc),
	)
	if !strings.HasSuffix(loc, "/graphiql") {
		t.Errorf("/ led to %s, want /graphiql", loc)
	}
	query := `{ localService(leikaKey: "99050012104000", ars: "066360003003", lang: DE) { name responsibleOffices { name address { street city } } } }`
	tb.run(
		chromedp.Evaluate(`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(`+jsString(query)+`)`, nil),
		chromedp.Click(`.graphiql-execute-button`, chromedp.ByQuery),
	)
	tb.waitText(`.graphiql-response`, `Obermarkt 22`)
	if got := tb.text(`.graphiql-response`); !strings.Contains(got, `"name": "Gewerbe anmelden"`) {
		t.Errorf("response = %s, want the service Gewerbe anmelden", got)
	}

	// Docs: the schema from introspection.
	tb.run(chromedp.Click(`[aria-label="Show Documentation Explorer"]`, chromedp.ByQuery))
	tb.waitText(`.graphiql-doc-explorer`, `Query`)
	tb.run(chromedp.Click(`//div[contains(@class,"graphiql-doc-explorer")]//a[text()="Query"]`, chromedp.BySearch))
	tb.waitText(`.graphiql-doc-explorer`, `localService`)

	// Autocomplete: typing a field offers the schema's fields.
	tb.run(
		chromedp.Evaluate(`(() => { const cm = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror; cm.setValue('{\n  \n}'); cm.focus(); cm.setCursor({line: 1, ch: 2}); })()`, nil),
		chromedp.KeyEvent("localS"),
	)
	tb.waitText(`.CodeMirror-hints`, `localService`)
	tb.run(chromedp.KeyEvent(kb.Escape))
	tb.shots("graphiql")
}
