package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const (
	eschwege = "066360003003"
	kassel   = "066110000000"
	perso    = "99008001012000" // Personalausweis beantragen
)

// pickPlace types into the place field and picks the first suggestion by
// keyboard, as a citizen would.
func (tb *tab) pickPlace(typed, want string) {
	tb.t.Helper()
	tb.run(
		chromedp.WaitVisible(`#place-input`, chromedp.ByQuery),
		chromedp.SendKeys(`#place-input`, typed, chromedp.ByQuery),
	)
	tb.waitText(`#place-list`, want)
	tb.run(chromedp.SendKeys(`#place-input`, kb.ArrowDown+kb.Enter, chromedp.ByQuery))
	tb.waitText(`#place-name`, want)
}

// Scenario 1: a citizen picks Eschwege, types "perso", picks the
// suggestion, opens "Personalausweis beantragen", sees the Eschwege office
// at Obermarkt 22, switches to English and sees the English text.
func TestPortalCitizenFindsService(t *testing.T) {
	s := start(t)
	tb := newTab(t, s)
	tb.run(chromedp.Navigate(s.url + "/portal"))
	tb.pickPlace("Eschwege", "Eschwege")
	tb.run(chromedp.SendKeys(`#q`, "perso", chromedp.ByQuery))
	tb.waitText(`#q-list`, "Personalausweis beantragen")
	tb.run(chromedp.Click(`#q-list li:first-child`, chromedp.ByQuery)) // the first suggestion
	tb.waitText(`#results`, "Personalausweis beantragen")
	if got := tb.text(`#results`); !strings.Contains(got, "Magistrat der Stadt Eschwege") {
		t.Errorf("results do not name the Eschwege office:\n%s", got)
	}
	var marks int
	tb.eval(`document.querySelectorAll('#results mark').length`, &marks)
	if marks == 0 {
		t.Error("results show no highlighted words")
	}
	tb.shots("portal-results")
	tb.run(chromedp.Click(`//ol[contains(@class,"hits")]//a[text()="Personalausweis beantragen"]`, chromedp.BySearch))
	tb.waitText(`#service`, "Obermarkt 22")
	page := tb.text(`#service`)
	for _, want := range []string{"Personalausweis beantragen", "Magistrat der Stadt Eschwege", "37269 Eschwege", "Gebühren"} {
		if !strings.Contains(page, want) {
			t.Errorf("service page lacks %q:\n%s", want, page)
		}
	}
	var osm bool
	tb.eval(`[...document.querySelectorAll('#offices a')].some(a => a.href.startsWith('https://www.openstreetmap.org/') && a.href.includes('Obermarkt'))`, &osm)
	if !osm {
		t.Error("no OpenStreetMap link for the office")
	}
	var loc string
	tb.run(chromedp.Location(&loc))
	for _, want := range []string{"ars=" + eschwege, "service=" + perso, "q=Personalausweis"} {
		if !strings.Contains(loc, want) {
			t.Errorf("URL %s lacks %s: it cannot be shared", loc, want)
		}
	}
	tb.shots("portal-service-de")

	tb.run(chromedp.Click(`#lang-switch`, chromedp.ByQuery))
	tb.waitText(`#service`, "Fees")
	var lang string
	tb.eval(`document.documentElement.lang`, &lang)
	if lang != "en" {
		t.Errorf("html lang = %q after switching, want en", lang)
	}
	en := tb.text(`#service`)
	if !strings.Contains(en, "identity card") {
		t.Errorf("English page has no English text about the identity card:\n%s", en)
	}
	// A German text shown in the English page is marked and carries lang="de".
	var unmarked int
	tb.eval(`[...document.querySelectorAll('#service .fallback')].filter(e => e.getAttribute('lang') !== 'de' || !e.querySelector('.badge')).length`, &unmarked)
	if unmarked != 0 {
		t.Errorf("%d fallback texts without lang=de or a mark", unmarked)
	}
	tb.shots("portal-service-en")

	// The back button returns to German, then to the results.
	tb.run(chromedp.NavigateBack())
	tb.waitText(`#service`, "Gebühren")
	tb.run(chromedp.NavigateBack())
	tb.waitText(`#results`, "Treffer")
}
