package i18n

import (
	"fmt"
	"maps"
	"slices"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// label is one entry of the label table: a key and its German and English
// wording.
type label struct{ key, de, en string }

// labels is the source of every user-interface label. Keys are
// "group.VALUE", VALUE being the enum value used in catalog and the GraphQL
// schema, so a front end can build the key from the value it already has.
// German wording follows LeiKa and XZuFi; English follows the Bundesportal.
var labels = []label{
	// LeiKa text modules (Leistungsmodule) by module code.
	{"module.02", "Leistungsbezeichnung", "Name"},
	{"module.03", "Leistungsname", "Service name"},
	{"module.05", "Kurztext", "Summary"},
	{"module.06", "Volltext", "Description"},
	{"module.07", "Rechtsgrundlage(n)", "Legal basis"},
	{"module.08", "Erforderliche Unterlagen", "Required documents"},
	{"module.09", "Voraussetzungen", "Prerequisites"},
	{"module.10", "Kosten", "Fees"},
	{"module.11", "Verfahrensablauf", "Procedure"},
	{"module.12", "Bearbeitungsdauer", "Processing time"},
	{"module.13", "Frist", "Deadlines"},
	{"module.14", "Formulare", "Forms"},
	{"module.15", "Weiterführende Informationen", "Further information"},
	{"module.16", "Hinweise", "Notes"},
	{"module.18", "Urheber", "Author"},
	{"module.22", "Zuständige Stelle", "Responsible authority"},
	{"module.23", "Ansprechpunkt", "Point of contact"},
	{"module.24", "Teaser", "Teaser"}, // LeiKa uses the English loanword.
	{"module.25", "Rechtsbehelf", "Redress"},

	{"fee.FIXED", "Feste Gebühr", "Fixed fee"},
	{"fee.RANGE", "Gebührenrahmen", "Fee range"},
	{"fee.FREE", "Gebührenfrei", "Free of charge"},

	{"deadline.APPLICATION", "Antragsfrist", "Application deadline"},
	{"deadline.REDRESS", "Rechtsbehelfsfrist", "Deadline for redress"},
	{"deadline.VALIDITY", "Gültigkeitsdauer", "Period of validity"},
	{"deadline.OTHER", "Sonstige Frist", "Other deadline"},

	// Units as a picker shows them; counted forms come from durationUnits.
	{"unit.MINUTE", "Minuten", "Minutes"},
	{"unit.HOUR", "Stunden", "Hours"},
	{"unit.DAY", "Tage", "Days"},
	{"unit.WORKDAY", "Arbeitstage", "Working days"},
	{"unit.WEEK", "Wochen", "Weeks"},
	{"unit.MONTH", "Monate", "Months"},
	{"unit.YEAR", "Jahre", "Years"},

	{"address.VISITOR", "Hausanschrift", "Visitor address"},
	{"address.POSTAL", "Postanschrift", "Postal address"},
	{"address.POBOX", "Postfach", "PO box"},
	{"address.DELIVERY", "Lieferanschrift", "Delivery address"},

	{"channel.PHONE", "Telefon", "Phone"},
	{"channel.FAX", "Fax", "Fax"},
	{"channel.EMAIL", "E-Mail", "Email"},
	{"channel.WEB", "Internet", "Website"},

	{"weekday.MONDAY", "Montag", "Monday"},
	{"weekday.TUESDAY", "Dienstag", "Tuesday"},
	{"weekday.WEDNESDAY", "Mittwoch", "Wednesday"},
	{"weekday.THURSDAY", "Donnerstag", "Thursday"},
	{"weekday.FRIDAY", "Freitag", "Friday"},
	{"weekday.SATURDAY", "Samstag", "Saturday"},
	{"weekday.SUNDAY", "Sonntag", "Sunday"},
	{"weekday.short.MONDAY", "Mo", "Mon"},
	{"weekday.short.TUESDAY", "Di", "Tue"},
	{"weekday.short.WEDNESDAY", "Mi", "Wed"},
	{"weekday.short.THURSDAY", "Do", "Thu"},
	{"weekday.short.FRIDAY", "Fr", "Fri"},
	{"weekday.short.SATURDAY", "Sa", "Sat"},
	{"weekday.short.SUNDAY", "So", "Sun"},

	{"addressee.CITIZEN", "Bürgerinnen und Bürger", "Citizens"},
	{"addressee.BUSINESS", "Unternehmen", "Businesses"},
	{"addressee.ADMINISTRATION", "Verwaltung", "Public administration"},

	// Levels of the ARS region hierarchy.
	{"level.BUND", "Bund", "Federal"},
	{"level.LAND", "Land", "State"},
	{"level.REGIERUNGSBEZIRK", "Regierungsbezirk", "Administrative region"},
	{"level.KREIS", "Kreis", "District"},
	{"level.GEMEINDEVERBAND", "Gemeindeverband", "Municipal association"},
	{"level.GEMEINDE", "Gemeinde", "Municipality"},

	// Roles of API callers.
	{"role.STATE_EDITOR", "Landesredaktion", "State editorial office"},
	{"role.MUNICIPAL_EDITOR", "Kommunale Redaktion", "Municipal editor"},
	{"role.ADMIN", "Administration", "Administrator"},
	{"role.PEER", "Partnerportal", "Peer portal"},
	{"role.ANONYMOUS", "Anonym", "Anonymous"},

	// Roles of an office in a responsibility.
	{"responsibility.RESPONSIBLE", "Zuständige Stelle", "Responsible authority"},
	{"responsibility.CONTACT_POINT", "Ansprechpunkt", "Point of contact"},
	{"responsibility.UNIFORM_CONTACT", "Einheitlicher Ansprechpartner", "Point of single contact"},

	// catalog.Status also has SUBMITTED and REJECTED (the review of
	// municipal additions), so they are labelled too.
	{"status.DRAFT", "Entwurf", "Draft"},
	{"status.SUBMITTED", "Eingereicht", "Submitted"},
	{"status.PUBLISHED", "Veröffentlicht", "Published"},
	{"status.REJECTED", "Abgelehnt", "Rejected"},
	{"status.ARCHIVED", "Archiviert", "Archived"},

	// eIDAS levels of assurance (Vertrauensniveau) and identification means.
	{"trust.LOW", "Niedrig", "Low"},
	{"trust.SUBSTANTIAL", "Substanziell", "Substantial"},
	{"trust.HIGH", "Hoch", "High"},
	{"ident.EID", "Online-Ausweis", "Online ID card"},
	{"ident.ELSTER", "ELSTER-Zertifikat", "ELSTER certificate"},
	{"ident.BUNDID_ACCOUNT", "BundID", "BundID"}, // a product name
	{"ident.EU_EID", "Europäische eID (eIDAS)", "European eID (eIDAS)"},
	{"ident.USERNAME_PASSWORD", "Benutzername und Passwort", "Username and password"},

	{"office.MUNICIPALITY", "Gemeindeverwaltung", "Municipal administration"},
	{"office.DISTRICT", "Kreisverwaltung", "District administration"},
	{"office.STATE", "Landesbehörde", "State authority"},
	{"office.FEDERAL", "Bundesbehörde", "Federal authority"},
	{"office.OTHER", "Sonstige Stelle", "Other body"},

	// Error sentences by catalog error code, for people, not programs.
	{"error.INVALID", "Die Eingabe ist ungültig.", "The input is invalid."},
	{"error.NOT_FOUND", "Der Eintrag wurde nicht gefunden.", "The entry was not found."},
	{"error.CONFLICT", "Der Eintrag wurde inzwischen geändert. Bitte laden Sie ihn neu.", "The entry has been changed in the meantime. Please reload it."},
	{"error.UNAUTHENTICATED", "Bitte melden Sie sich an.", "Please sign in."},
	{"error.FORBIDDEN", "Dafür fehlt Ihnen die Berechtigung.", "You are not allowed to do this."},
	{"error.INTERNAL", "Ein interner Fehler ist aufgetreten.", "An internal error occurred."},
	{"error.RATE_LIMITED", "Zu viele Anfragen. Bitte versuchen Sie es später erneut.", "Too many requests. Please try again later."},
	{"error.TIMEOUT", "Die Anfrage hat zu lange gedauert. Bitte versuchen Sie es erneut.", "The request took too long. Please try again."},

	// LeiKa typisation: who regulates and who executes a service.
	{"typisation.1", "Regelungs- und Vollzugskompetenz beim Bund", "Regulated and executed by the federal government"},
	{"typisation.2", "Regelung Bund, Vollzug Land", "Regulated by the federal government, executed by the state"},
	{"typisation.3", "Regelung Bund, Vollzug Land/Kommune", "Regulated by the federal government, executed by the state or municipality"},
	{"typisation.4", "Regelung und Vollzug Land", "Regulated and executed by the state"},
	{"typisation.5", "Regelung und Vollzug Kommune", "Regulated and executed by the municipality"},

	{"inherited.from", "Geerbt von", "Inherited from"},
	{"fallback.notice", "Dieser Text liegt nur auf Deutsch vor.", "This text is only available in German."},
	{"opening.closed", "geschlossen", "closed"},
	{"opening.byAppointment", "nach Vereinbarung", "by appointment"},
	{"search.online", "Online beantragen möglich", "Apply online"},
	{"search.offline", "Nur vor Ort", "In person only"},
}

// messages is the x/text catalog of labels and formatting patterns.
var messages = buildCatalog()

// printers format with messages; message.Printer is read-only after
// construction, so one per language serves all goroutines.
var printers = map[string]*message.Printer{
	DE: message.NewPrinter(language.German, message.Catalog(messages)),
	EN: message.NewPrinter(language.English, message.Catalog(messages)),
}

// labelMaps holds every label per language, read back through the printers
// once so that Label is a map lookup and agrees with the catalog by
// construction.
var labelMaps = func() map[string]map[string]string {
	out := make(map[string]map[string]string, len(printers))
	for lang, p := range printers {
		m := make(map[string]string, len(labels))
		for _, l := range labels {
			m[l.key] = p.Sprintf(l.key)
		}
		out[lang] = m
	}
	return out
}()

var labelKeys = func() []string {
	keys := make([]string, len(labels))
	for i, l := range labels {
		keys[i] = l.key
	}
	slices.Sort(keys)
	return keys
}()

func buildCatalog() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.German))
	for _, l := range labels {
		must(b.SetString(language.German, l.key, l.de))
		must(b.SetString(language.English, l.key, l.en))
	}
	setFormats(b)
	return b
}

// must panics on catalog errors: the catalog is a constant of the program,
// so an error is a programming mistake that the package tests catch.
func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("i18n: building message catalog: %v", err))
	}
}

// Label returns the label for key in lang (German unless lang is English).
// An unknown key is returned unchanged, so a front end shows something and
// a test notices the gap.
func Label(lang, key string) string {
	if s, ok := labelMaps[base(lang)][key]; ok {
		return s
	}
	return key
}

// Labels returns all labels of lang keyed by label key, for a front end to
// load once. The map is a copy the caller may keep or change.
func Labels(lang string) map[string]string {
	return maps.Clone(labelMaps[base(lang)])
}

// LabelKeys returns all label keys, sorted.
func LabelKeys() []string {
	return slices.Clone(labelKeys)
}
