package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const eschwegeOffice = "HE.OE.0000000406" // Magistrat der Stadt Eschwege, Obermarkt 22

// Scenario 2: the Eschwege municipal editor changes the Thursday opening
// hours of the Eschwege office; the citizen page shows them after reload;
// a second tab holding the old revision gets the conflict view. On the way,
// a wrong time is shown at its field.
func TestConsoleEditOpeningHours(t *testing.T) {
	s := start(t)
	editor := newTab(t, s)
	other := newTab(t, s)
	citizen := newTab(t, s)
	officeURL := "/console?view=office&id=" + eschwegeOffice

	citizen.run(chromedp.Navigate(s.url + "/portal?ars=" + eschwege + "&service=" + perso))
	citizen.waitText(`#service`, "Obermarkt 22")
	if strings.Contains(citizen.text(`#offices`), "14:00") {
		t.Fatal("the office shows Thursday hours before the editor set them")
	}

	// The second tab opens the form first: it holds the old revision.
	other.signIn("municipal", officeURL)
	other.run(chromedp.WaitVisible(`#office-form`, chromedp.ByQuery))

	editor.signIn("municipal", officeURL)
	var who string
	editor.run(chromedp.Text(`#whoami`, &who, chromedp.ByQuery))
	for _, want := range []string{"Stadt Eschwege", "MUNICIPAL_EDITOR", eschwege} {
		if !strings.Contains(who, want) {
			t.Errorf("header %q lacks %q", who, want)
		}
	}
	editor.run(
		chromedp.WaitVisible(`#office-form`, chromedp.ByQuery),
		chromedp.Click(`#add-slot`, chromedp.ByQuery),
		fill(`#s0-day`, "THURSDAY"),
		chromedp.SendKeys(`#s0-open`, "14:00", chromedp.ByQuery),
		chromedp.SendKeys(`#s0-close`, "25:00", chromedp.ByQuery),
		chromedp.Click(`#save`, chromedp.ByQuery),
	)
	// The wrong time is marked at its field and the message tied to it.
	editor.waitText(`#office-form`, "not a time")
	var tied bool
	editor.eval(`(() => { const e = document.getElementById('s0-close'); const d = document.getElementById(e.getAttribute('aria-describedby') || 'none'); return e.getAttribute('aria-invalid') === 'true' && !!d && d.textContent.includes('25:00') && document.activeElement === e; })()`, &tied)
	if !tied {
		t.Errorf("the error for 25:00 is not at its field:\n%s", editor.text(`#office-form`))
	}
	editor.shots("console-office-error")
	editor.run(
		fill(`#s0-close`, ""),
		chromedp.SendKeys(`#s0-close`, "18:00", chromedp.ByQuery),
		chromedp.SendKeys(`#reason`, "Donnerstags Nachmittag geöffnet", chromedp.ByQuery),
		chromedp.Click(`#save`, chromedp.ByQuery),
	)
	editor.waitText(`#saved`, "Saved")
	editor.shots("console-office")

	citizen.run(chromedp.Reload())
	citizen.waitText(`#offices`, "14:00")
	if got := citizen.text(`#offices`); !strings.Contains(got, "Do") || !strings.Contains(got, "18:00") {
		t.Errorf("citizen page shows %q, want Thursday 14:00–18:00", got)
	}

	// The second tab saves its stale form: conflict, with the difference.
	other.run(
		fill(`#name`, ""),
		chromedp.SendKeys(`#name`, "Magistrat der Kreisstadt Eschwege", chromedp.ByQuery),
		chromedp.Click(`#save`, chromedp.ByQuery),
	)
	other.waitText(`#conflict`, "Someone else changed this office")
	conflict := other.text(`#conflict`)
	for _, want := range []string{"Donnerstags Nachmittag geöffnet", "14:00"} {
		if !strings.Contains(conflict, want) {
			t.Errorf("conflict view lacks %q:\n%s", want, conflict)
		}
	}
	other.shots("console-conflict")
	other.run(chromedp.Click(`#reload`, chromedp.ByQuery))
	other.run(chromedp.WaitVisible(`#s0-open`, chromedp.ByQuery))
	var open string
	other.run(chromedp.Value(`#s0-open`, &open, chromedp.ByQuery))
	if open != "14:00" {
		t.Errorf("after reload the form shows %q, want the saved 14:00", open)
	}
	// The name was not changed by the stale save.
	d, _ := s.gql(t, "", `{ office(id: "`+eschwegeOffice+`", lang: DE) { name openingHours } }`, nil)
	if got := d["office"].(map[string]any)["name"]; got != "Magistrat der Stadt Eschwege" {
		t.Errorf("office name = %v after the refused stale save", got)
	}

	// The history shows the change readably and can restore a version.
	editor.run(chromedp.Navigate(s.url + "/console?view=history&kind=OFFICE&id=" + eschwegeOffice))
	editor.waitText(`#app`, "Donnerstags Nachmittag geöffnet")
	editor.shots("console-history")
}

// Scenario 3: a municipal editor proposes a local addition; the state
// editor approves it in the queue; the citizen page for Eschwege shows it,
// the one for Kassel does not.
func TestConsoleLocalAdditionReviewed(t *testing.T) {
	s := start(t)
	muni := newTab(t, s)
	const addition = "In Eschwege bringen Sie bitte zusätzlich die Meldebescheinigung mit."
	muni.signIn("municipal", "/console?view=additions")
	muni.run(
		chromedp.WaitVisible(`#addition-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#service`, "Personalausweis be", chromedp.ByQuery),
	)
	muni.waitText(`#service-list`, perso)
	muni.run(chromedp.Click(`//ul[@id="service-list"]/li[contains(., "(`+perso+`)")]`, chromedp.BySearch))
	muni.run(
		chromedp.WaitEnabled(`#module`, chromedp.ByQuery),
		fill(`#module`, "08"),
		chromedp.SendKeys(`#addition-text`, addition, chromedp.ByQuery),
		chromedp.Click(`#addition-form button[type=submit]`, chromedp.ByQuery),
	)
	muni.waitText(`#proposed`, "SUBMITTED")
	muni.shots("console-additions")

	state := newTab(t, s)
	state.signIn("state", "/console?view=review")
	state.waitText(`#app`, addition)
	state.shots("console-review")
	// Reject needs a comment: without one the field says so.
	state.run(chromedp.Click(`form.review button.reject`, chromedp.ByQuery))
	state.waitText(`form.review`, "needs a comment")
	state.run(chromedp.Click(`form.review button.approve`, chromedp.ByQuery))
	state.waitText(`form.review`, "PUBLISHED")

	citizen := newTab(t, s)
	citizen.run(chromedp.Navigate(s.url + "/portal?ars=" + eschwege + "&service=" + perso))
	citizen.waitText(`#service`, addition)
	if got := citizen.text(`#service .addition`); !strings.Contains(got, "Eschwege") {
		t.Errorf("the addition is not marked as Eschwege's: %q", got)
	}
	citizen.run(chromedp.Navigate(s.url + "/portal?ars=" + kassel + "&service=" + perso))
	citizen.waitText(`#service`, "Kassel")
	if strings.Contains(citizen.text(`#service`), addition) {
		t.Error("Kassel's page shows Eschwege's addition")
	}
}

// Scenario 4: a municipal editor does not see, and cannot reach by URL, an
// office outside the editor's scope; what the role may not do is not
// offered, and the server refuses it anyway.
func TestConsoleScope(t *testing.T) {
	s := start(t)
	d, _ := s.gql(t, "", `{ offices(ars: "`+kassel+`", first: 1) { nodes { id revision } } }`, nil)
	kasselOffice := d["offices"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	id := kasselOffice["id"].(string)

	tb := newTab(t, s)
	tb.signIn("municipal", "/console?view=offices")
	tb.waitText(`#app`, "Magistrat der Stadt Eschwege")
	if strings.Contains(tb.text(`#app`), "Kassel") {
		t.Error("the office list shows Kassel's office to Eschwege's editor")
	}
	nav := tb.text(`#nav`)
	for _, absent := range []string{"Review queue", "Editors", "English texts"} {
		if strings.Contains(nav, absent) {
			t.Errorf("a municipal editor is offered %q", absent)
		}
	}
	tb.run(chromedp.Navigate(s.url + "/console?view=office&id=" + id))
	tb.waitText(`#app`, "outside your region scope")
	var forms int
	tb.eval(`document.querySelectorAll('#office-form, #app input, #app button[type=submit]').length`, &forms)
	if forms != 0 {
		t.Errorf("the out-of-scope office page offers %d form controls", forms)
	}
	tb.run(chromedp.Navigate(s.url + "/console?view=review"))
	tb.waitText(`#app`, "not available for your role")

	// The server refuses the write anyway.
	_, errs := s.gql(t, "municipal", `mutation($id: ID!, $rev: Int!) { updateOffice(id: $id, expectedRevision: $rev, input: {name: {de: "x"}, kind: MUNICIPALITY, ars: "`+kassel+`"}) { revision } }`,
		map[string]any{"id": id, "rev": kasselOffice["revision"]})
	if len(errs) == 0 || errs[0]["extensions"].(map[string]any)["code"] != "FORBIDDEN" {
		t.Errorf("updateOffice outside the scope answered %v, want FORBIDDEN", errs)
	}
	// The token never reached the server's log.
	if strings.Contains(s.log.String(), s.tokens["municipal"]) {
		t.Error("the server logged an editor's token")
	}
}

// A municipal editor creates an online service, finds it in the region's
// list, edits it, makes it responsible for a service, and removes that
// responsibility again; the citizen page follows.
func TestConsoleOnlineServices(t *testing.T) {
	s := start(t)
	tb := newTab(t, s)
	tb.signIn("municipal", "/console?view=online")
	tb.run(
		chromedp.WaitVisible(`#online-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#os-title`, "Hundesteuer Eschwege online", chromedp.ByQuery),
		chromedp.SendKeys(`#os-url`, "https://eschwege.example/hundesteuer", chromedp.ByQuery),
		fill(`#os-trust`, "SUBSTANTIAL"),
		chromedp.Click(`#online-form button[type=submit]`, chromedp.ByQuery),
	)
	tb.waitText(`#online-form`, "Created")
	var osID string
	tb.run(chromedp.Value(`#rs-online`, &osID, chromedp.ByQuery))
	if !strings.HasPrefix(osID, "HE.") {
		t.Fatalf("the new online service's ID %q was not offered for the responsibility", osID)
	}
	tb.run(chromedp.SendKeys(`#rs-service`, perso, chromedp.ByQuery), fill(`#rs-office`, ""),
		chromedp.Click(`#responsibility-form button[type=submit]`, chromedp.ByQuery))
	tb.waitText(`#responsibility-form`, "is responsible for "+perso)

	tb.run(chromedp.Reload())
	tb.waitText(`.online-services`, "Hundesteuer Eschwege online")
	tb.waitText(`table.responsibilities`, "Hundesteuer Eschwege online")

	citizen := newTab(t, s)
	citizen.run(chromedp.Navigate(s.url + "/portal?ars=" + eschwege + "&service=" + perso))
	citizen.waitText(`#online`, "Hundesteuer Eschwege online")

	// Edit its title.
	tb.run(chromedp.Click(`//ul[contains(@class,"online-services")]//a[text()="Hundesteuer Eschwege online"]`, chromedp.BySearch))
	tb.run(chromedp.WaitVisible(`#online-edit`, chromedp.ByQuery), fill(`#ose-title`, "Hundesteuer online anmelden"),
		chromedp.Click(`#online-edit button[type=submit]`, chromedp.ByQuery))
	tb.waitText(`#online-edit`, "Saved")
	d, _ := s.gql(t, "", `query($id: ID!) { onlineService(id: $id, lang: DE) { title links { url } trustLevel } }`, map[string]any{"id": osID})
	got := d["onlineService"].(map[string]any)
	if got["title"] != "Hundesteuer online anmelden" || got["trustLevel"] != "SUBSTANTIAL" || len(got["links"].([]any)) != 1 {
		t.Errorf("after the edit the online service is %v", got)
	}

	// Remove the responsibility: the citizen page no longer offers it.
	tb.run(chromedp.Navigate(s.url + "/console?view=online"))
	tb.waitText(`table.responsibilities`, "Hundesteuer online anmelden")
	tb.run(chromedp.Click(`//table[contains(@class,"responsibilities")]//tr[contains(., "Hundesteuer online anmelden")]//button`, chromedp.BySearch))
	tb.run(chromedp.Poll(`!document.querySelector('table.responsibilities') || !document.querySelector('table.responsibilities').innerText.includes('Hundesteuer online anmelden')`, nil,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	citizen.run(chromedp.Reload())
	citizen.waitText(`#service`, "Obermarkt 22")
	if strings.Contains(citizen.text(`#service`), "Hundesteuer online anmelden") {
		t.Error("the citizen page still offers the removed online service")
	}
}
