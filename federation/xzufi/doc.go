// Package xzufi reads and writes XZuFi 2.2.0 transfer documents, the
// format in which the states' editorial systems hand their catalogues to
// the portal network's gateway (PVOG), and serves an export the way the
// gateway's collector pulls it: BASE/index.txt listing the files, each
// file as BASE/NAME.
//
// It imports catalog only. Applying what it reads to the store (imports,
// the mirror of a state that publishes XZuFi) is package federation's.
//
// # Documents
//
// A document is UTF-8, with the root element xzufi:transfer.operation.010101
// in the namespace http://xoev.de/schemata/xzufi/2_2_0 (prefix xzufi) and
// the attribute xzufiVersion="2.2.0"; it holds one nachrichtenkopf
// (nachrichtUUID, erstellungszeitpunkt, sender = the portal ID with
// schemeAgencyID, revision = the store revision written) and then one
// schreibe per object. An export is complete: deletions are implied by
// absence from the next export, so it writes no loesche.
//
// Export writes services, then offices, online services and local
// additions, each kind in ID order, into files of at most MaxObjects
// objects (1000) that are closed early once they pass MaxBytes (32 MiB),
// named r<revision>-<kind>-<nnnn>.xml; then export.json (the manifest,
// not listed) and, last, index.txt. Everything comes from one read
// transaction. It refuses (ErrShrunk) to publish an export with more than
// MaxShrink (0.2) fewer objects plus responsibilities than the one before
// in the same directory, unless forced: the gateway deletes what a
// complete export lacks.
//
// XÖV code types are written with listURI and listVersionID attributes
// and an unqualified child <code>, as XÖV defines them:
//
//	<xzufi:referenzLeiKa listURI="urn:de:fim:leika:leistung" listVersionID="20240216"><code>99050012104000</code></xzufi:referenzLeiKa>
//
// Identifiers are elements with text and schemeAgencyID (the portal ID):
// <xzufi:id schemeAgencyID="HE">HE.LB.0000000042</xzufi:id>. Localized
// texts are one element per language with languageCode (de, en). Dates
// are xs:date when they are midnight UTC, else RFC 3339 date-times. Amounts
// are euros with two decimals and currencyID="EUR".
//
// # Mapping
//
// Only this portal's records are exported (mirrored ones are their
// origin's to publish), and of services and local additions only the
// published ones. Fields are listed catalogue field → element; reading
// maps back the same way.
//
// Service (catalog.Service) → leistung:
//
//	ID                    id (schemeAgencyID = portal)
//	ExternalIDs           idSekundaer, one per ID
//	LeikaKeys             referenzLeiKa, one per key                 urn:de:fim:leika:leistung
//	Texts[module]         modulText: leikaTextmodul + inhalt per language (modules 10, 12, 13 below)
//	                                                                 urn:de:xzufi:codeliste:leistungstextmodulleika (02 03 05 06 07 08 09 11 14 15 16 18 22 23 24 25)
//	Fees[]                modulKosten/kosten: FIXED betrag, RANGE betragUntergrenze + betragObergrenze,
//	                      FREE kostenfrei=true; beschreibung per language, vorkasse, link; Texts[10] modulKosten/beschreibung
//	Deadlines[]           modulFrist/frist: typ (APPLICATION REDRESS VALIDITY OTHER)          urn:leistungsfinder:codeliste:fristtyp
//	                      fristDauer {dauer, einheit, dauerBis, einheitBis} or fristStichtag {beginn, ende}; beschreibung;
//	                      Texts[13] modulFrist/beschreibung
//	Processing            modulBearbeitungsdauer/bearbeitungsdauer {dauer, einheit, dauerBis, einheitBis, beschreibung};
//	                      Texts[12] modulBearbeitungsdauer/beschreibung
//	  units               MINUTE STUNDE TAG WERKTAG WOCHE MONAT JAHR (ARBEITSTAG reads as WERKTAG)  urn:xoev-de:fim:codeliste:zeiteinheit
//	Terms[]               modulBegriffImKontext/begriffImKontext: begriff (languageCode), typ 001 002 003 999
//	                                                                 urn:xoev-de:fim:codeliste:begriffimkontexttyp
//	Keywords[lang]        modulBegriffImKontext/begriffImKontext with typ KEYWORD     urn:leistungsfinder:codeliste:schlagwort
//	Typisation[]          typisierung                                urn:de:fim:leika:typisierung
//	Addressees[]          leistungsadressat (CITIZEN BUSINESS ADMINISTRATION)          urn:leistungsfinder:codeliste:leistungsadressat
//	Categories[]          kategorie                                  urn:leistungsfinder:codeliste:kategorie
//	BundleIDs[]           klassifizierung                            urn:leistungsfinder:codeliste:umsetzungsbuendel
//	LifeSituationIDs[]    klassifizierung                            urn:leistungsfinder:codeliste:lebenslage
//	RegionKey             gueltigkeitGebietID (12-digit ARS)
//	Meta                  versionsinformation {erstelltDatumZeit, geaendertDatumZeit, version} (written; not read: the store keeps its own)
//	Validity              gueltigkeit {beginn, ende}
//	Status                only PUBLISHED is written; what is read is PUBLISHED
//
// Office (catalog.Office) → organisationseinheit:
//
//	ID, ExternalIDs       id (schemeAgencyID required), idSekundaer
//	ParentID              uebergeordneteOrganisationseinheitID
//	Kind                  kategorie (MUNICIPALITY DISTRICT STATE FEDERAL OTHER)      urn:leistungsfinder:codeliste:verwaltungsebene
//	Name                  name/name per language
//	RegionKey             verwaltungspolitischeKodierung/regionalschluessel             urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs
//	                      (read: else the first address's coding, as real exports have it)
//	Addresses[]           anschrift: typ, strasse, postfach, postleitzahl, ort, verwaltungspolitischeKodierung
//	                      typ 002 VISITOR, 003 POBOX, 005 DELIVERY, 006 POSTAL (read also 001 → VISITOR, 004 → POBOX)
//	                                                                 urn:xoev-de:fim:codeliste:anschrifttyp
//	Channels[]            kommunikation: kanal (PHONE FAX EMAIL WEB), kennung, zusatz  urn:leistungsfinder:codeliste:kommunikationskanal
//	Contacts[]            kontaktperson: name, funktion, raum, kommunikation
//	OpeningHours          oeffnungszeiten: zeitraum {wochentag 1-7, beginn, ende}, hinweis   urn:leistungsfinder:codeliste:wochentag
//	Accessibility         barrierefreiheit
//	responsibilities      zustaendigkeit, one per responsibility of the office (below)
//	Meta, Validity        versionsinformation, gueltigkeit
//	Upcoming              not written: changes entered ahead reach the gateway on their day
//
// Responsibility (catalog.Responsibility) → zustaendigkeit inside its
// office or online service:
//
//	ID                    id
//	LeikaKey              leistungID: the service with that key (this portal's published one whose first key it is,
//	                      else any); read back as that service's first key
//	RegionKey             gebietID (one per zustaendigkeit when written; several read as one responsibility
//	                      each, IDs id, id.2, id.3 ...; without id: holder/service/region)
//	Role                  rolle (RESPONSIBLE CONTACT_POINT UNIFORM_CONTACT)            urn:leistungsfinder:codeliste:zustaendigkeitsrolle
//	Validity              gueltigkeit
//
// A zustaendigkeitTransferObjekt (uebergeordnetesObjektID + zustaendigkeit)
// is read as responsibilities of that office or online service.
//
// OnlineService (catalog.OnlineService) → onlinedienst:
//
//	ID, ExternalIDs       id, idSekundaer
//	Title, Description    bezeichnung, beschreibung per language
//	Links[]               link: typ 01 (the online service itself), link (URL), titel
//	                                                                 urn:xoev-de:fim:codeliste:onlinedienstlinktyp
//	                      (read: links of other types are not the service's link and are left out)
//	TrustLevel            vertrauensniveau (LOW SUBSTANTIAL HIGH)     urn:leistungsfinder:codeliste:vertrauensniveau
//	Identification[]      identifizierungsmittel                     urn:leistungsfinder:codeliste:identifizierungsmittel
//	RegionKey             gueltigkeitGebietID
//	responsibilities      zustaendigkeit
//	Meta, Validity        versionsinformation, gueltigkeit
//
// Specialisation (catalog.Specialisation, published only) → spezialisierung:
//
//	ID                    id
//	LeikaKey              referenzLeiKa
//	RegionKey             gebietID
//	Module, Text, Mode    modulText: leikaTextmodul, inhalt per language, replace (true: REPLACE, false: APPEND)
//	Terms[]               modulBegriffImKontext instead of modulText (local terms in context)
//	Replaces              ersetzt
//	review workflow       not written (who proposed and reviewed it stays in this portal's history)
//
// Not carried, and therefore not part of the round trip: regions (every
// portal loads the official ARS list), OZG bundles and life situations as
// records (their IDs are carried), the search dictionary, the machine-
// translation marks of texts (XZuFi 2.2 has none; 2.3.1 adds them) and the
// store's bookkeeping (revisions, versions, editors). A formular is read
// and skipped with a note.
//
// Code lists: the LeiKa, text-module, typisation, link-type and region-key
// lists are the official ones as public material names them. Where no
// official list could be checked here (the XRepository is not reachable
// from this project), this portal's own lists urn:leistungsfinder:codeliste:…
// carry the catalogue's values, so that a round trip is exact and another
// Leistungsfinder reads them; readers take the official lists' values
// where they know them and leave unknown lists' codes as they are.
//
// # Reading, and what is refused
//
// Reader reads a document as a stream of objects (memory bounded by the
// largest object). A document as a whole is refused with an *Error that
// names file, line and column when it is not well-formed or truncated,
// has a DOCTYPE or any other declaration (so no external entities: only
// XML's five predefined entities exist), is not UTF-8, has a root without
// xzufiVersion 2.2.0, an element outside the XZuFi namespace (except the
// unqualified code and name of code types), an element XZuFi 2.2 does not
// have where it stands (schema-invalid, like the gateway's rule that one
// such file aborts an import), or breaks a limit: Limits.MaxBytes (256 MiB
// per document), Limits.MaxDepth (32 levels), Limits.MaxObjectBytes (64 MiB
// per object). An object that only breaks a rule (an unknown code, a
// malformed LeiKa key or ARS, a missing name, a language other than de or
// en) comes back with Object.Err naming the position of each broken rule;
// the rest of the document is not affected.
package xzufi
