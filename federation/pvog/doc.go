// Package pvog reads the two shapes in which the portal network's search
// service (PVOG Suchdienst) hands out services: the CSV export of a region's
// catalogue (ReadCSV) and the detail JSON of one service (ReadJSON). Both
// return federation.ImportItem values for federation.Import, which applies
// them idempotently with a summary; files are small (a state's CSV is a few
// MB, a detail document a few KB), so they are read whole.
//
// Records are matched by the PVOG IDs (B100019.LB.574711, B100019.OD.…)
// among the catalogue's external IDs, so a re-import updates what an
// earlier one (or the demo catalogue) created. A matched service that a
// state maintains itself (its region key is not the Bund's) keeps its own
// texts and only gains the federal ID; a service of the Bund takes what the
// input says.
//
// # CSV
//
// Header ID-LB|Leikaschlüssel|Name|Name2|Updatedatum|ID-OD|Bezeichnung OD|Links,
// pipe-separated, no quoting (a quotation mark in a field is doubled), one
// row per online service of a service, links separated by spaces.
//
//	ID-LB            Service.ExternalIDs (match)
//	Leikaschlüssel   Service.LeikaKeys
//	Name, Name2      Service.Texts 02 (formal name), 03 (citizen wording), German
//	Updatedatum      not kept (the store records its own times)
//	ID-OD            OnlineService.ExternalIDs (match)
//	Bezeichnung OD   OnlineService.Title
//	Links            OnlineService.Links
//	(each pair)      Responsibility: the online service for the key at the Bund (000000000000)
//
// # Detail JSON
//
//	id                         Service.ExternalIDs (match)
//	leikakeys                  LeikaKeys
//	languageCode               the language of every text (de, en)
//	ars[0]                     RegionKey (the Bund if absent)
//	details, TEXT_MODUL        Texts by code; links as an HTML list after the text; placeholders left out
//	details, KOSTEN            Texts 10; its details: FREE (keine, kostenfrei), FIXED (one amount in EUR),
//	                           RANGE (two amounts); others as text of module 10
//	details, FRIST             Texts 13; its details: Deadlines (REDRESS for Widerspruch/Klage, else OTHER)
//	                           with the duration read from the text ("1 Monat")
//	details, BEARBEITUNGSDAUER Texts 12; its first detail: Processing (duration from the text, title as description)
//	typing[].code              Typisation
//	addressees                 Addressees (Bürger CITIZEN, Unternehmen/Wirtschaft BUSINESS, Verwaltung ADMINISTRATION)
//	validFrom, validTo         Validity (1970-01-01 and 2999-12-31 are open ends)
//	synonyms                   Keywords in the document's language
//	onlineServiceLinks[]       OnlineService (id, title, uri, validity) and a Responsibility at the service's region
//
// Not kept: name and description (modules 03 and 24/05 carry them),
// sdgInformation, sourcePortals, languageComplete, availableLanguages,
// organisationIds (offices come by XZuFi), personalMatters, forms, suggest,
// timestamps, the gateway's status modules (TEXT_MODUL_INDIVIDUELL).
//
// # Bad input
//
// A CSV whose header is not the export's fails as a whole, naming file and
// line 1; a row with another number of fields, an empty ID or name or an
// invalid key is rejected with file:line, the other rows go on. A JSON
// document that is not JSON, has a field of the wrong type or is not a
// detail document (no id, no leikakeys) fails with file:line:column; a
// document whose values break rules (an unknown module code, addressee or
// category, a malformed key) rejects its service with every reason.
package pvog
