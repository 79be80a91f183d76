package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A municipal editor asks why a service is (not) found, and sees this
// week's changes; a record's old version is restored from its history.
func TestConsoleExplainChangesRestore(t *testing.T) {
	s := start(t)
	tb := newTab(t, s)
	tb.signIn("municipal", "/console?view=explain")
	tb.run(chromedp.WaitVisible(`#explain-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#explain-q`, "perso", chromedp.ByQuery),
		chromedp.SendKeys(`#explain-service`, perso, chromedp.ByQuery),
		chromedp.Click(`#explain-form button[type=submit]`, chromedp.ByQuery))
	tb.waitText(`#explanation`, "Answer")
	var reasons int
	tb.eval(`document.querySelectorAll('#explanation li').length`, &reasons)
	if reasons == 0 {
		t.Errorf("the explanation gives no reasons:\n%s", tb.text(`#explanation`))
	}

	// A change to restore: the office's accessibility note, saved twice.
	tb.run(chromedp.Navigate(s.url+"/console?view=office&id="+eschwegeOffice), chromedp.WaitVisible(`#office-form`, chromedp.ByQuery),
		fill(`#access`, "Stufenloser Zugang am Obermarkt"), chromedp.Click(`#save`, chromedp.ByQuery))
	tb.waitText(`#saved`, "Saved")
	tb.run(fill(`#access`, "Aufzug defekt"), chromedp.Click(`#save`, chromedp.ByQuery))
	tb.waitText(`#saved`, "Saved")

	tb.run(chromedp.Navigate(s.url + "/console?view=changes"))
	tb.waitText(`table.changes`, eschwegeOffice)
	var first string
	tb.eval(`document.querySelector('table.changes tbody tr').innerText`, &first)
	if !strings.Contains(first, eschwegeOffice) {
		t.Errorf("the newest change is %q, want the office just saved", first)
	}

	tb.run(chromedp.Navigate(s.url + "/console?view=history&kind=OFFICE&id=" + eschwegeOffice))
	tb.waitText(`#app`, "Aufzug defekt")
	// The second newest version is the one with the first note.
	tb.run(chromedp.Click(`(//div[contains(@class,"version")])[2]//button`, chromedp.BySearch))
	tb.waitText(`#app`, "restored in the console")
	d, _ := s.gql(t, "", `{ office(id: "`+eschwegeOffice+`", lang: DE) { accessibility { text } } }`, nil)
	if got := d["office"].(map[string]any)["accessibility"].(map[string]any)["text"]; got != "Stufenloser Zugang am Obermarkt" {
		t.Errorf("after the restore the note is %q", got)
	}
}

// The state editor writes a missing English text from the coverage list;
// an admin creates an editor, sees the token once, and revokes it.
func TestConsoleTranslationAndEditors(t *testing.T) {
	s := start(t)
	tb := newTab(t, s)
	tb.signIn("state", "/console?view=translations")
	tb.waitText(`#app`, "Coverage per module")
	tb.run(chromedp.Click(`ul.gaps a`, chromedp.ByQuery))
	tb.run(chromedp.WaitVisible(`#translation-form`, chromedp.ByQuery))
	var loc string
	tb.run(chromedp.Location(&loc), fill(`#english`, "<p>Written by the state editorial office.</p>"),
		chromedp.Click(`#translation-form button[type=submit]`, chromedp.ByQuery))
	tb.waitText(`#translation-form`, "Saved")
	tb.run(chromedp.Reload(), chromedp.WaitVisible(`#english`, chromedp.ByQuery))
	var en string
	tb.run(chromedp.Value(`#english`, &en, chromedp.ByQuery))
	if !strings.Contains(en, "Written by the state editorial office.") {
		t.Errorf("after reload the English text is %q (page %s)", en, loc)
	}

	admin := newTab(t, s)
	admin.signIn("admin", "/console?view=editors")
	admin.run(chromedp.WaitVisible(`#editor-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#ed-name`, "Gemeinde Meißner", chromedp.ByQuery),
		chromedp.SendKeys(`#ed-scopes`, "066360012012", chromedp.ByQuery),
		chromedp.Click(`#editor-form button[type=submit]`, chromedp.ByQuery))
	admin.waitText(`#new-token`, "lf_")
	token := strings.TrimSpace(admin.text(`#new-token`))
	s.tokens["meissner"] = token
	d, errs := s.gql(t, "meissner", `{ me { role editor { name scopes } } }`, nil)
	if len(errs) > 0 || d["me"].(map[string]any)["role"] != "MUNICIPAL_EDITOR" {
		t.Fatalf("the new token answers %v %v", d, errs)
	}
	admin.run(chromedp.Reload())
	admin.waitText(`#app`, "Gemeinde Meißner")
	admin.run(chromedp.Click(`button[aria-label="Revoke Gemeinde Meißner"]`, chromedp.ByQuery))
	admin.waitText(`#app`, "revoked")
	if _, errs := s.gql(t, "meissner", `{ me { role } }`, nil); len(errs) == 0 || errs[0]["extensions"].(map[string]any)["code"] != "UNAUTHENTICATED" {
		t.Errorf("the revoked token answers %v, want UNAUTHENTICATED", errs)
	}
}

// An editor adds a channel and a contact to an office; the citizen page
// shows them.
func TestConsoleOfficeContacts(t *testing.T) {
	s := start(t)
	tb := newTab(t, s)
	tb.signIn("municipal", "/console?view=office&id="+eschwegeOffice)
	tb.run(chromedp.WaitVisible(`#office-form`, chromedp.ByQuery),
		chromedp.Click(`#add-contact`, chromedp.ByQuery),
		chromedp.SendKeys(`#p0-name`, "Bürgerbüro", chromedp.ByQuery),
		chromedp.SendKeys(`#p0-position`, "Pass- und Meldewesen", chromedp.ByQuery),
		chromedp.SendKeys(`#p0-room`, "E.12", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Add channel"]`, chromedp.BySearch),
		chromedp.WaitVisible(`#c0-value`, chromedp.ByQuery),
		chromedp.SendKeys(`#c0-value`, "+49 5651 304-0", chromedp.ByQuery),
		chromedp.Click(`#save`, chromedp.ByQuery))
	tb.waitText(`#saved`, "Saved")
	d, _ := s.gql(t, "", `{ office(id: "`+eschwegeOffice+`", lang: DE) { contacts { name room position { text } } channels { kind value } address { street } } }`, nil)
	o := d["office"].(map[string]any)
	contacts, channels := o["contacts"].([]any), o["channels"].([]any)
	if len(contacts) != 1 || contacts[0].(map[string]any)["room"] != "E.12" || len(channels) != 1 || channels[0].(map[string]any)["value"] != "+49 5651 304-0" {
		t.Errorf("after saving, contacts %v and channels %v", contacts, channels)
	}
	if o["address"].(map[string]any)["street"] != "Obermarkt 22" {
		t.Errorf("the address was lost: %v", o["address"])
	}
	citizen := newTab(t, s)
	citizen.run(chromedp.Navigate(s.url + "/portal?ars=" + eschwege + "&service=" + perso))
	citizen.waitText(`#offices`, "Bürgerbüro")
	if !strings.Contains(citizen.text(`#offices`), "+49 5651 304-0") {
		t.Errorf("the citizen page lacks the phone number:\n%s", citizen.text(`#offices`))
	}
}
