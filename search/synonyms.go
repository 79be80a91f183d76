package search

import (
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// Synonyms and abbreviations are applied by rewriting the query, never at
// index time: a change to this table takes effect without a rebuild, and a
// multi-word phrase ("Hartz IV", "register my address") can stand for a
// single word and the other way round, which a token filter cannot do.
//
// A rule fires when the query contains one of its trigger phrases in any
// inflection: triggers and query words are compared as folded Snowball stems
// of their language, ignoring stop words, so "Ummeldung", "ummelden" and
// "umgemeldet"... match the trigger "ummelden" as far as the stemmer
// conflates them. The phrase it covers becomes one concept of the query whose
// alternatives are the words as typed and every expansion of every rule that
// fired on exactly that phrase. The longest trigger wins; triggers do not
// chain. German expansions are searched in the German fields, English ones
// in the English fields, so an English query finds a service that is only
// described in German ("child benefit" -> Kindergeld).
//
// Triggers are written in the language of the rule (lang); keep them
// specific: a trigger that reduces to one generic word ("werden") would fire
// everywhere.
type synonymRule struct {
	lang string // language of the triggers: "de" or "en"
	from string // trigger phrases, separated by "|"
	de   string // German expansions, separated by "|"
	en   string // English expansions, separated by "|"
}

var synonymRules = []synonymRule{
	// Identity documents.
	{"de", "perso|persos|perso karte|ausweis beantragen|neuer ausweis", "Personalausweis", "identity card"},
	{"de", "vorläufiger ausweis|ersatzausweis|notausweis", "vorläufiger Personalausweis", "provisional identity card"},
	{"de", "pass|reisepaß", "Reisepass", "passport"},
	{"de", "kinderpass|kinderausweis", "Kinderreisepass", "child passport"},
	{"de", "verloren|verlegt|abhanden", "Verlust|Fundsache", "loss|lost"},
	{"de", "gestohlen|geklaut|diebstahl", "Diebstahl|Verlust", "theft|stolen"},
	{"de", "führungszeugnis|leumundszeugnis|polizeiliches führungszeugnis|straffreiheit", "Führungszeugnis", "certificate of good conduct"},
	{"de", "beglaubigen|beglaubigt|kopie beglaubigen|amtliche beglaubigung", "Beglaubigung", "certification"},
	// Registration of residence.
	{"de", "ummelden|umziehen|umzug|umgezogen|wohnortwechsel|wohnsitzwechsel|neue wohnung|wohnung anmelden|neuer wohnsitz|zuzug|zugezogen",
		"Wohnsitz Anmeldung|Wohnsitz Änderung", "registration of residence|change of address"},
	{"de", "adresse ändern|adressänderung|anschrift ändern|neue adresse", "Wohnsitz Änderung|Wohnsitz Anmeldung", "change of address"},
	{"de", "wegzug|wegziehen|auswandern|ins ausland ziehen|auszug", "Wohnsitz Abmeldung", "deregistration of residence"},
	{"de", "meldebescheinigung|wohnsitzbescheinigung|aufenthaltsbescheinigung|meldenachweis", "Meldebestätigung", "registration certificate"},
	{"de", "meldeauskunft|adresse herausfinden|adresse erfragen|anschrift ermitteln", "Melderegisterauskunft", "information from the population register"},
	{"de", "nebenwohnsitz|zweitwohnsitz|zweitwohnung", "Zweitwohnungssteuer|Nebenwohnung", "second home"},
	{"de", "briefwahl|wahlunterlagen|wählen", "Wahlschein", "postal vote"},
	// Vehicles and driving.
	{"de", "kfz|kraftfahrzeug", "Kraftfahrzeug|Fahrzeug", "vehicle"},
	{"de", "auto|pkw|wagen|motorrad|fahrzeug", "Fahrzeug|Kraftfahrzeug", "vehicle|car"},
	{"de", "auto anmelden|kfz anmelden|kfz zulassen|auto zulassen|fahrzeug anmelden|neuzulassung|zulassungsstelle|kfz zulassung",
		"Zulassung Fahrzeug|Erstzulassung", "vehicle registration"},
	{"de", "auto ummelden|kfz ummelden|halterwechsel|auto umschreiben|gebrauchtwagen anmelden", "Kraftfahrzeug Ummeldung|Halterwechsel", "change of vehicle keeper"},
	{"de", "auto abmelden|kfz abmelden|stilllegen|stilllegung|abmeldung auto", "Außerbetriebsetzung", "deregistration of a vehicle"},
	{"de", "nummernschild|kennzeichen reservieren|wunschnummer|autokennzeichen", "Kennzeichen|Wunschkennzeichen", "number plate"},
	{"de", "fahrzeugschein|fahrzeugbrief|fahrzeugpapiere", "Zulassungsbescheinigung|Fahrzeugpapiere", "registration certificate"},
	{"de", "führerschein|lappen|fahrerlaubnis", "Führerschein|Fahrerlaubnis", "driving licence"},
	{"de", "kfz steuer|autosteuer", "Kraftfahrzeugsteuer", "vehicle tax"},
	{"de", "anwohnerparken|anwohnerparkausweis|parkvignette|bewohnerparken", "Bewohnerparkausweis", "resident parking permit"},
	{"de", "behindertenparkplatz|blauer parkausweis|behindertenparkausweis", "Parkausweis Schwerbehinderte", "disabled parking permit"},
	{"de", "halteverbot|halteverbotsschild|umzugsschild|parkverbot", "Halteverbotszone", "no-parking zone"},
	// Family and civil status.
	{"de", "kita|kitaplatz|kindergarten|krippe|kinderkrippe|kinderbetreuung|hort", "Kindertagesstätte|Kindertagespflege", "day care"},
	{"de", "tagesmutter|tagesvater|tagespflege", "Kindertagespflege", "childminder"},
	{"de", "bafög|bafoeg|studienfinanzierung|studium finanzieren", "Ausbildungsförderung|BAföG", "student finance"},
	{"de", "heiraten|hochzeit|trauung|standesamtlich heiraten|ehe schließen", "Eheschließung", "marriage"},
	{"de", "geburt|baby|neugeboren|kind bekommen", "Geburtsurkunde|Geburt", "birth"},
	{"de", "todesfall|gestorben|verstorben|tod|sterbefall", "Sterbeurkunde|Bestattung", "death"},
	{"de", "beerdigung|begräbnis|beisetzung|bestatten", "Bestattung", "funeral"},
	{"de", "beerdigungskosten|bestattungskosten", "Übernahme der Bestattungskosten", "funeral costs"},
	{"de", "vaterschaft|vater anerkennen", "Vaterschaftsanerkennung", "acknowledgement of paternity"},
	{"de", "namensänderung|name ändern|nachname ändern", "Familienname Änderung", "change of name"},
	{"de", "kirche austreten|aus der kirche austreten|kirchensteuer", "Kirchenaustritt", "leaving the church"},
	{"de", "unterhalt|kindesunterhalt", "Unterhaltsvorschuss", "maintenance advance"},
	// Money and social benefits.
	{"de", "hartz|hartz iv|hartz 4|alg 2|alg ii|arbeitslosengeld 2|arbeitslosengeld ii|stütze|grundsicherung für arbeitsuchende",
		"Bürgergeld|Arbeitslosengeld II", "citizen's income"},
	{"de", "bürgergeld|grundsicherungsgeld", "Arbeitslosengeld II", "citizen's income"},
	{"de", "steuer id|steuerid|idnr|identifikationsnummer", "Steueridentifikationsnummer", "tax identification number"},
	{"de", "drohne|drohnen", "unbemannte Luftfahrt", "drone"},
	{"de", "pflegestufe|pflegegrad|pflegebedürftig|pflegefall", "Pflegegeld|Pflegeversicherung", "long-term care"},
	{"de", "mutterschutz|schwanger|schwangerschaft", "Mutterschaftsgeld", "maternity benefit"},
	{"de", "wohnungsgeberbescheinigung|vermieterbescheinigung|vermieterbestätigung|mietbescheinigung|einzugsbestätigung",
		"Wohnungsgeberbestätigung", "landlord's confirmation"},
	{"de", "blaue karte|arbeitserlaubnis|arbeitsvisum", "Arbeitserlaubnis|Aufenthaltserlaubnis", "work permit"},
	{"de", "sozialhilfe|sozialamt", "Hilfe zum Lebensunterhalt|Grundsicherung", "social assistance"},
	{"de", "mietzuschuss|miete zuschuss|zuschuss miete", "Wohngeld", "housing benefit"},
	{"de", "wbs|sozialwohnung", "Wohnberechtigungsschein", "certificate of eligibility for social housing"},
	{"de", "rente|grundrente|rentner|altersarmut", "Grundsicherung im Alter", "basic income support in old age"},
	{"de", "schwerbehindert|behindertenausweis|grad der behinderung|gdb|behinderung", "Schwerbehindertenausweis", "severely disabled person's pass"},
	{"de", "steuerklasse|steuerklassenwechsel|elstam|lohnsteuerklasse", "Lohnsteuerabzugsmerkmale", "tax class"},
	// Business.
	{"de", "gewerbeschein|firma gründen|unternehmen gründen|selbstständig|selbständig|existenzgründung|gewerbe eröffnen",
		"Gewerbe Anmeldung", "business registration"},
	{"de", "firma schließen|gewerbe aufgeben|betrieb aufgeben|geschäftsaufgabe", "Gewerbe Abmeldung", "business deregistration"},
	{"de", "kneipe|restaurant|bar eröffnen|gaststätte eröffnen|ausschank|schankerlaubnis|konzession", "Gaststättenerlaubnis|Gaststättengewerbe", "restaurant licence"},
	// Building, environment, order.
	{"de", "bauantrag|bauen|hausbau|haus bauen|anbau|umbau", "Baugenehmigung", "building permit"},
	{"de", "sperrgut|möbel entsorgen|sperrmüllabholung|müllabfuhr", "Sperrmüll", "bulky waste"},
	{"de", "baum fällen|baumfällung|baum entfernen", "Baumfällgenehmigung", "tree felling permit"},
	{"de", "angelschein|angeln|angelkarte", "Fischereischein", "fishing licence"},
	{"de", "waffenschein|waffenbesitzkarte|wbk|waffe", "Waffen|Waffenbesitzkarte", "firearms licence"},
	{"de", "fundbüro|fundsache|gefunden", "Fundsachen", "lost property"},
	{"de", "straßenfest|konzert|fest|feier", "Veranstaltung", "event"},
	{"de", "hundemarke|hund anmelden", "Hundesteuer|Hundehaltung", "dog tax"},
	{"de", "einbürgern|einbürgerung|staatsbürgerschaft|deutsche staatsangehörigkeit|deutscher pass", "Einbürgerung", "naturalisation"},
	{"de", "aufenthaltstitel|aufenthaltserlaubnis|visum|niederlassung", "Aufenthaltserlaubnis|Niederlassungserlaubnis", "residence permit"},
	{"de", "einladung ausland|besuch aus dem ausland|einladung visum", "Verpflichtungserklärung", "formal obligation"},

	// English: what people type, with the German words of the catalogue.
	{"en", "register address|address registration|registration of address|register residence|register my address|residence registration|moving|move house|moved|relocation|relocate|new address|change of address|change address",
		"Wohnsitz Anmeldung|Wohnsitz Änderung", "registration of residence|change of address"},
	{"en", "deregister|deregistration|leaving germany|moving abroad|leave germany", "Wohnsitz Abmeldung", "deregistration of residence"},
	{"en", "registration certificate|proof of residence", "Meldebestätigung", "registration certificate"},
	{"en", "id card|identity card|national id|personal id|id|identification card", "Personalausweis", "identity card"},
	{"en", "passport", "Reisepass", "passport"},
	{"en", "tax id|tax number|tax identification number|tin", "Steueridentifikationsnummer", "tax identification number"},
	{"en", "lost|missing|stolen", "Verlust|Diebstahl", "loss|theft"},
	{"en", "driving licence|driver's license|drivers license|driving license|driver license|license|licence to drive", "Führerschein|Fahrerlaubnis", "driving licence"},
	{"en", "car registration|register car|register a car|register vehicle|register my car|vehicle registration|car plates", "Zulassung Fahrzeug|Erstzulassung", "vehicle registration"},
	{"en", "licence plate|license plate|number plate|plates", "Kennzeichen|Wunschkennzeichen", "number plate"},
	{"en", "car|vehicle|motor vehicle|auto", "Fahrzeug|Kraftfahrzeug", "vehicle"},
	{"en", "car tax|vehicle tax|road tax", "Kraftfahrzeugsteuer", "vehicle tax"},
	{"en", "dog tax|dog licence|register dog|register a dog|dog", "Hundesteuer|Hund", "dog tax|dog"},
	{"en", "building permit|planning permission|construction permit|build a house", "Baugenehmigung", "building permit"},
	{"en", "child benefit", "Kindergeld", "child benefit"},
	{"en", "parental allowance|parental benefit", "Elterngeld", "parental allowance"},
	{"en", "housing benefit|rent subsidy|rent allowance", "Wohngeld", "housing benefit"},
	{"en", "unemployment benefit|unemployment money|jobseeker's allowance|lost my job", "Arbeitslosengeld|Bürgergeld", "unemployment benefit"},
	{"en", "citizen's income|citizens income", "Bürgergeld", "citizen's income"},
	{"en", "daycare|day care|nursery|kindergarten|childcare", "Kindertagesstätte|Kindertagespflege", "day care"},
	{"en", "childminder|child minder", "Kindertagespflege", "childminder"},
	{"en", "student loan|student finance|student grant", "Ausbildungsförderung|BAföG", "student finance"},
	{"en", "marriage|get married|wedding|marry", "Eheschließung", "marriage"},
	{"en", "birth certificate", "Geburtsurkunde", "birth certificate"},
	{"en", "death certificate", "Sterbeurkunde", "death certificate"},
	{"en", "marriage certificate", "Eheurkunde", "marriage certificate"},
	{"en", "funeral|burial|bury", "Bestattung", "funeral"},
	{"en", "certificate of good conduct|police clearance|criminal record|police certificate|good conduct", "Führungszeugnis", "certificate of good conduct"},
	{"en", "naturalisation|naturalization|citizenship|become german|german citizenship", "Einbürgerung", "naturalisation"},
	{"en", "blue card|eu blue card|work permit|work visa", "Arbeitserlaubnis|Aufenthaltserlaubnis", "work permit|residence permit"},
	{"en", "residence permit|settlement permit|permanent residence|visa", "Niederlassungserlaubnis|Aufenthaltserlaubnis", "residence permit|settlement permit"},
	{"en", "business registration|register a business|register business|start a business|trade licence|trade license|self-employed|freelance",
		"Gewerbe Anmeldung", "business registration"},
	{"en", "close business|close a business|deregister business", "Gewerbe Abmeldung", "business deregistration"},
	{"en", "bulky waste|bulky rubbish|furniture disposal", "Sperrmüll", "bulky waste"},
	{"en", "tree felling|cut down tree|cut down a tree|fell a tree", "Baumfällgenehmigung", "tree felling permit"},
	{"en", "fishing licence|fishing license|fishing", "Fischereischein", "fishing licence"},
	{"en", "hunting licence|hunting license|hunting", "Jagdschein", "hunting licence"},
	{"en", "gun licence|gun license|firearms|weapons|gun", "Waffen", "firearms"},
	{"en", "lost property|found item|lost and found", "Fundsachen", "lost property"},
	{"en", "postal vote|absentee ballot|polling card|vote by mail", "Wahlschein", "postal vote"},
	{"en", "disability card|disabled person's card|severely disabled|disability pass|disability", "Schwerbehindertenausweis", "severely disabled person's pass"},
	{"en", "resident parking|residents parking|parking permit", "Bewohnerparkausweis", "resident parking permit"},
	{"en", "disabled parking|blue badge", "Parkausweis Schwerbehinderte", "disabled parking permit"},
	{"en", "no parking zone|no-parking zone|moving van|parking ban", "Halteverbotszone", "no-parking zone"},
	{"en", "leave the church|leaving the church|church tax|church exit", "Kirchenaustritt", "leaving the church"},
	{"en", "name change|change my name|change of name|change surname", "Familienname Änderung", "change of name"},
	{"en", "certified copy|certify a copy|certify copy|certify signature|notarize|notarise|certification", "Beglaubigung", "certification"},
	{"en", "social housing", "Wohnberechtigungsschein", "certificate of eligibility for social housing"},
	{"en", "tax class|tax bracket|wage tax", "Lohnsteuerabzugsmerkmale", "tax class"},
	{"en", "property tax|land tax", "Grundsteuer", "property tax"},
	{"en", "trade tax|business tax", "Gewerbesteuer", "trade tax"},
	{"en", "second home tax|second home", "Zweitwohnungssteuer", "second home tax"},
	{"en", "restaurant licence|restaurant license|bar licence|liquor licence|alcohol licence|pub licence", "Gaststättenerlaubnis", "restaurant licence"},
	{"en", "event permit|event licence|street party|festival", "Veranstaltung Erlaubnis", "event permit"},
	{"en", "paternity|acknowledge paternity", "Vaterschaftsanerkennung", "acknowledgement of paternity"},
	{"en", "maintenance advance|child support|maintenance payment", "Unterhaltsvorschuss", "maintenance advance"},
	{"en", "social assistance|welfare|social welfare", "Sozialhilfe|Hilfe zum Lebensunterhalt", "social assistance"},
	{"en", "pension|old age|retirement|pensioner", "Grundsicherung im Alter", "basic income support in old age"},
	{"en", "child allowance supplement|child supplement", "Kinderzuschlag", "supplementary child allowance"},
	{"en", "electoral register|voter registration", "Wahlschein|Wählerverzeichnis", "electoral register"},
	{"en", "dog keeping|dog owner", "Hundehaltung", "dog keeping"},
}

// rule is a parsed synonymRule.
type rule struct {
	lang string
	keys [][]string // trigger phrases as stem sequences without stop words
	de   []string
	en   []string
	// situations are the life situations a dictionary entry of the
	// catalogue stands for; generic marks its phrases as saying little on
	// their own (see catalog.Concept).
	situations []string
	generic    bool
}

// synonymIndex finds rules by the stem sequence of a trigger.
type synonymIndex struct {
	byKey  map[string][]*rule // lang + "\x00" + stems joined by " "
	maxLen int
}

func buildSynonyms(rules []synonymRule) *synonymIndex {
	ix := &synonymIndex{byKey: map[string][]*rule{}}
	for _, sr := range rules {
		r := &rule{lang: sr.lang, de: splitAlts(sr.de), en: splitAlts(sr.en)}
		if n := ix.add(r, splitAlts(sr.from)); n < len(splitAlts(sr.from)) {
			panic("search: a synonym trigger of " + sr.from + " is only stop words")
		}
	}
	return ix
}

// add indexes r under its trigger phrases and returns how many phrases it
// took; a phrase of stop words only is left out.
func (ix *synonymIndex) add(r *rule, phrases []string) int {
	n := 0
	for _, phrase := range phrases {
		var keys []string
		for _, w := range queryWords(phrase) {
			if k := w.key(r.lang); k != "" {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			continue
		}
		n++
		r.keys = append(r.keys, keys)
		k := phraseKey(r.lang, keys)
		ix.byKey[k] = append(ix.byKey[k], r)
		ix.maxLen = max(ix.maxLen, len(keys))
	}
	return n
}

func splitAlts(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// phraseKey is the lookup key of a trigger: its stems as a set, since
// German word order is free ("Wohnung anmelden", "Anmeldung Wohnung").
func phraseKey(lang string, stems []string) string {
	s := append([]string(nil), stems...)
	sort.Strings(s)
	return lang + "\x00" + strings.Join(s, " ")
}

// match returns the rules of language lang whose trigger covers the content
// words words[i:] starts with, preferring the longest trigger, and the
// number of query words (stop words included) the trigger spans. Rules
// fire in the language the query is read in only: "id" is an English
// trigger, and "Steuer ID" is German.
func (ix *synonymIndex) match(words []word, i int, lang string) ([]*rule, int) {
	bestSpan := 0
	var best []*rule
	{
		if words[i].key(lang) == "" {
			return nil, 0
		}
		// Content words from i on, in this language.
		var keys []string
		var ends []int
		for j := i; j < len(words) && len(keys) < ix.maxLen; j++ {
			if k := words[j].key(lang); k != "" {
				keys = append(keys, k)
				ends = append(ends, j+1)
			}
		}
		for n := len(keys); n >= 1; n-- {
			rs := ix.byKey[phraseKey(lang, keys[:n])]
			if len(rs) == 0 {
				continue
			}
			span := ends[n-1] - i
			switch {
			case span > bestSpan:
				bestSpan, best = span, append([]*rule(nil), rs...)
			case span == bestSpan:
				best = append(best, rs...)
			}
			break
		}
	}
	return best, bestSpan
}

// word is one word of a query (or of a trigger) as the unicode tokenizer
// finds it.
type word struct {
	surface    string // as typed
	start, end int    // byte offsets in the query
	folded     string // lower case, diacritics folded, German normalisation
	stemDE     string // Snowball German stem of folded, "" for a German stop word
	stemEN     string // Snowball English stem, "" for an English stop word
	numeric    bool
}

func (w word) key(lang string) string {
	if lang == "en" {
		return w.stemEN
	}
	return w.stemDE
}

var tokenizer = unicodetok.NewUnicodeTokenizer()

// queryWords splits s into words.
func queryWords(s string) []word {
	var out []word
	for _, t := range tokenizer.Tokenize([]byte(s)) {
		w := word{surface: string(t.Term), start: t.Start, end: t.End, numeric: t.Type == analysis.Numeric}
		w.folded = foldString(w.surface, true)
		if w.folded == "" {
			continue
		}
		if !stopDE[w.folded] {
			w.stemDE = stem(germanStemmer, w.folded)
		}
		if fe := foldString(w.surface, false); !stopEN[fe] {
			w.stemEN = stem(englishStemmer, strings.TrimSuffix(strings.TrimSuffix(fe, "'s"), "’s"))
		}
		out = append(out, w)
	}
	return out
}

var (
	germanStemmer  = de.NewGermanStemmerFilter()
	englishStemmer = en.NewEnglishStemmerFilter()
)

func stem(f analysis.TokenFilter, s string) string {
	ts := f.Filter(analysis.TokenStream{{Term: []byte(s)}})
	return string(ts[0].Term)
}

// stopDE and stopEN are the stop word lists of the analysers, folded.
var (
	stopDE = foldedStopWords(de.GermanStopWords, true)
	stopEN = foldedStopWords(en.EnglishStopWords, false)
)

func foldedStopWords(list []byte, german bool) map[string]bool {
	tm := analysis.NewTokenMap()
	if err := tm.LoadBytes(list); err != nil {
		panic(err)
	}
	out := make(map[string]bool, 2*len(tm))
	for w := range tm {
		out[w] = true
		out[foldString(w, german)] = true
	}
	return out
}
