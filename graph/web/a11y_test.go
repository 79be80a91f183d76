package web_test

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// violation is one failed axe-core rule.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axe runs axe-core (testdata/axe.min.js, vendored from npm by
// vendor.sh) on the page for WCAG 2.0 and 2.1 levels A and AA, and returns
// the serious and critical violations.
func (tb *tab) axe() []violation {
	tb.t.Helper()
	src, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		tb.t.Fatal(err)
	}
	var all []violation
	tb.run(chromedp.Evaluate(string(src), nil))
	tb.eval(`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))`, &all)
	var bad []violation
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, v)
		} else {
			tb.t.Logf("axe (%s, not failing): %s %s %v", v.Impact, v.ID, v.Help, v.Nodes)
		}
	}
	return bad
}

// Scenario 5: the accessibility check reports no serious or critical
// violations on each page and view, at phone and desktop width; each is
// also kept as a screenshot.
func TestAccessibility(t *testing.T) {
	s := start(t)
	check := func(tb *tab, name, waitSel, waitText string) {
		t.Helper()
		tb.waitText(waitSel, waitText)
		for _, w := range []int64{360, 1280} {
			tb.run(chromedp.EmulateViewport(w, 900))
			tb.settle()
			if v := tb.axe(); len(v) > 0 {
				t.Errorf("%s at %d px: %d serious or critical accessibility violations: %+v", name, w, len(v), v)
			}
		}
		tb.shots(name)
	}

	citizen := newTab(t, s)
	citizen.run(chromedp.Navigate(s.url + "/portal"))
	check(citizen, "portal", "#place", "")
	citizen.run(chromedp.Navigate(s.url + "/portal?ars=" + eschwege + "&q=hund"))
	check(citizen, "portal-search", "#results", "Hund")
	citizen.run(chromedp.Navigate(s.url + "/portal?ars=" + eschwege + "&service=" + perso + "&lang=en"))
	check(citizen, "portal-service", "#service", "identity card")

	muni := newTab(t, s)
	muni.run(chromedp.Navigate(s.url + "/console"))
	check(muni, "console-signin", "#signin", "Sign in")
	muni.signIn("municipal", "")
	for _, v := range []struct{ view, text string }{
		{"offices", "Magistrat der Stadt Eschwege"},
		{"office&id=" + eschwegeOffice, "Opening hours"},
		{"online", "New online service"},
		{"additions", "Propose a local addition"},
		{"explain", "What citizens type"},
		{"changes", "What changed this week"},
		{"history&kind=OFFICE&id=" + eschwegeOffice, "Version"},
	} {
		muni.run(chromedp.Navigate(s.url + "/console?view=" + v.view))
		check(muni, "console-municipal-"+strings.SplitN(v.view, "&", 2)[0], "#app", v.text)
	}

	state := newTab(t, s)
	state.signIn("state", "")
	for _, v := range []struct{ view, text string }{
		{"review", "Review queue"},
		{"translations", "Coverage per module"},
	} {
		state.run(chromedp.Navigate(s.url + "/console?view=" + v.view))
		check(state, "console-state-"+v.view, "#app", v.text)
	}

	admin := newTab(t, s)
	admin.signIn("admin", "/console?view=editors")
	check(admin, "console-admin-editors", "#app", "New editor")
}

// TestKeyboardSignIn signs in and reaches a view with the keyboard alone,
// and sees where the focus is.
func TestKeyboardSignIn(t *testing.T) {
	s := start(t)
	tb := newTab(t, s)
	tb.run(chromedp.Navigate(s.url + "/console"))
	tb.run(chromedp.WaitVisible(`#token`, chromedp.ByQuery))
	var focused string
	tb.eval(`document.activeElement.id`, &focused)
	if focused != "token" {
		t.Errorf("focus is on %q when the console opens, want the token field", focused)
	}
	tb.run(chromedp.KeyEvent(s.tokens["admin"]), chromedp.KeyEvent("\r"))
	tb.run(chromedp.WaitVisible(`#whoami`, chromedp.ByQuery))
	// The token is kept for this tab only: sessionStorage, no cookie, not in the URL.
	var where struct {
		Session bool   `json:"session"`
		Local   int    `json:"local"`
		Cookie  string `json:"cookie"`
		URL     string `json:"url"`
	}
	tb.eval(`({session: Object.values(sessionStorage).includes(`+jsString(s.tokens["admin"])+`), local: localStorage.length, cookie: document.cookie, url: location.href})`, &where)
	if !where.Session || where.Local != 0 || where.Cookie != "" || strings.Contains(where.URL, "lf_") {
		t.Errorf("token storage: %+v, want sessionStorage only", where)
	}
	// Tab moves through the page; the focused element has a visible outline.
	var outline string
	tb.run(chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"))
	tb.eval(`(() => { const e = document.activeElement; return e.tagName + ' ' + getComputedStyle(e).outlineStyle; })()`, &outline)
	if strings.HasSuffix(outline, "none") || strings.HasPrefix(outline, "BODY") {
		t.Errorf("focused element %q shows no focus outline", outline)
	}
}
