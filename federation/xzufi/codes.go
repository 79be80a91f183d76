package xzufi

import "github.com/leistungsfinder/leistungsfinder/catalog"

// Namespace and version of the transfer documents this package reads and
// writes.
const (
	Namespace = "http://xoev.de/schemata/xzufi/2_2_0"
	Version   = "2.2.0"
	// rootName is the root element's local name. Readers accept any root
	// element of the namespace that carries xzufiVersion.
	rootName = "transfer.operation.010101"
)

// codeList is an XÖV code list: its URI and the version this package
// writes. Readers accept any listVersionID.
type codeList struct{ uri, version string }

// The code lists of the mapping (doc.go). Official lists where public
// material names them; the others are this portal's own lists, named
// urn:leistungsfinder:codeliste:…, for fields whose official list could
// not be checked here.
var (
	listLeika       = codeList{"urn:de:fim:leika:leistung", "20240216"}
	listTextModule  = codeList{"urn:de:xzufi:codeliste:leistungstextmodulleika", "20240216"}
	listTypisation  = codeList{"urn:de:fim:leika:typisierung", "20210831"}
	listLinkType    = codeList{"urn:xoev-de:fim:codeliste:onlinedienstlinktyp", "1"}
	listRegionKey   = codeList{"urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs", "2024-10-31"}
	listTimeUnit    = codeList{"urn:xoev-de:fim:codeliste:zeiteinheit", "1"}
	listAddressType = codeList{"urn:xoev-de:fim:codeliste:anschrifttyp", "1"}
	listTermType    = codeList{"urn:xoev-de:fim:codeliste:begriffimkontexttyp", "1"}
	listKeyword     = codeList{"urn:leistungsfinder:codeliste:schlagwort", "1"}
	listSituation   = codeList{"urn:leistungsfinder:codeliste:lebenslage", "1"}
	listAddressee   = codeList{"urn:leistungsfinder:codeliste:leistungsadressat", "1"}
	listCategory    = codeList{"urn:leistungsfinder:codeliste:kategorie", "1"}
	listBundle      = codeList{"urn:leistungsfinder:codeliste:umsetzungsbuendel", "1"}
	listDeadline    = codeList{"urn:leistungsfinder:codeliste:fristtyp", "1"}
	listRole        = codeList{"urn:leistungsfinder:codeliste:zustaendigkeitsrolle", "1"}
	listOfficeKind  = codeList{"urn:leistungsfinder:codeliste:verwaltungsebene", "1"}
	listChannel     = codeList{"urn:leistungsfinder:codeliste:kommunikationskanal", "1"}
	listWeekday     = codeList{"urn:leistungsfinder:codeliste:wochentag", "1"}
	listTrust       = codeList{"urn:leistungsfinder:codeliste:vertrauensniveau", "1"}
	listIdent       = codeList{"urn:leistungsfinder:codeliste:identifizierungsmittel", "1"}
	listMode        = codeList{"urn:leistungsfinder:codeliste:spezialisierungsart", "1"}
)

// linkTypeOnline is the link type of the link to the online service itself.
const linkTypeOnline = "01"

// keywordType is the type of a term in context written for a keyword
// (Service.Keywords), in this portal's list, so that it comes back as a
// keyword and not as an editorial term.
const keywordType = "KEYWORD"

var unitCodes = map[catalog.TimeUnit]string{
	catalog.UnitMinute: "MINUTE", catalog.UnitHour: "STUNDE", catalog.UnitDay: "TAG",
	catalog.UnitWorkday: "WERKTAG", catalog.UnitWeek: "WOCHE", catalog.UnitMonth: "MONAT", catalog.UnitYear: "JAHR",
}

// unitOf maps an XZuFi unit to the catalogue's; ARBEITSTAG is a working
// day like WERKTAG here. SEKUNDE has no counterpart.
func unitOf(code string) (catalog.TimeUnit, bool) {
	for u, c := range unitCodes {
		if c == code {
			return u, true
		}
	}
	if code == "ARBEITSTAG" {
		return catalog.UnitWorkday, true
	}
	return "", false
}

var addressCodes = map[catalog.AddressKind]string{
	catalog.AddressVisitor: "002", catalog.AddressPOBox: "003", catalog.AddressDelivery: "005", catalog.AddressPostal: "006",
}

// addressKindOf maps an address type; 001 (street address) is a visitor
// address and 004 (large-customer PO box) a PO box here.
func addressKindOf(code string) (catalog.AddressKind, bool) {
	for k, c := range addressCodes {
		if c == code {
			return k, true
		}
	}
	switch code {
	case "001":
		return catalog.AddressVisitor, true
	case "004":
		return catalog.AddressPOBox, true
	}
	return "", false
}

var weekdayCodes = map[catalog.Weekday]string{
	catalog.Monday: "1", catalog.Tuesday: "2", catalog.Wednesday: "3", catalog.Thursday: "4",
	catalog.Friday: "5", catalog.Saturday: "6", catalog.Sunday: "7",
}

func weekdayOf(code string) (catalog.Weekday, bool) {
	for d, c := range weekdayCodes {
		if c == code {
			return d, true
		}
	}
	return "", false
}
