// Package demo is the built-in demo catalogue of Hessen: Load writes it into
// an empty store, so that the product can be tried and tested against data
// that looks like the real thing and is real wherever a public source exists.
//
// # What is in it
//
//   - Regions: every German region key (ARS) — the Bund, the 16 Länder, the
//     Regierungsbezirke, the Kreise and every municipality — with parents,
//     district types and seats; for Hessian municipalities the postcode of
//     the administration and the population. Hanau became district-free on
//     2026-01-01: 064350014014 is valid until 2025-12-31 with successor
//     064150000000, a district-free city (level KREIS) from 2026-01-01.
//   - Offices: each Hessian municipal administration ("Magistrat der Stadt
//     Eschwege") with its visitor address, one Kreisausschuss per Landkreis,
//     and a few state and federal authorities.
//   - Services: the hand-written core services of content/ (German and
//     English, maintained by Hessen: region key 060000000000) and the
//     federal services of the portal network (German only, as the source:
//     they show up as translation gaps; maintained by the Bund), with their
//     online services; the 27 OZG implementation bundles of the seed.
//   - Responsibilities by the level of each service: municipal services at
//     every municipality to its administration; district services at every
//     Landkreis to its Kreisausschuss and at every district-free city to its
//     Magistrat; state and federal services at Hessen or the Bund to the
//     authority that serves them; online services of the portal network at
//     the Bund.
//
// # Sources
//
// data/ holds the repository's own files, produced from the shared public
// data by a command; each file names its sources inside ("source"):
//
//	regions/ars-2024-10-31.csv                   Destatis region key list 2024-10-31
//	regions/gv100-2017-*.ndjson                  Destatis GV100, 2017-03-31
//	offices/hessen-gemeindeverwaltungen-2011.csv Destatis municipality directory, 2011-12-31
//	catalog/pvog-bund-2025-01-20.csv             PVOG Suchdienst CSV export for ARS 000000000000, 2025-01-20
//	catalog/core-services.csv                    which LeiKa keys the core services cover, and their level
//	README.md                                    the Hanau reform of 2026-01-01
//
// Regenerate from the repository root with
//
//	go run ./catalog/demo/gen -data ../shared/data -out catalog/demo/data
//
// The output is deterministic (sorted, no run time in it, gzip header without
// name and time): re-running gives identical bytes, and
// TestGeneratedFilesMatchSharedData proves that the committed files are what
// the command makes (it skips where ../shared/data is absent).
//
// What the sources do not settle is decided in gen.go and written down there:
// administrations of 2011 whose municipality is no longer in the 2024 key
// list are left out (Beerfelden, Hesseneck, Rothenberg and Sensbachtal,
// merged into Oberzent; Oberweser and Wahlsburg, merged into Wesertal;
// Bromskirchen, absent from the key list), so Oberzent and Wesertal have no
// administration; Kreise without any municipality in the 2024 list
// (Eisenach) are left out; quotation marks that the PVOG export writes
// doubled are undoubled.
//
// # The developers' own facts
//
//   - Every text of the core services and of the services for
//     administrations (content/*.json, format: content/FORMAT.md), and the
//     English names of the bundles.
//   - The life-situation taxonomy and which core service belongs where, the
//     name rules that assign the federal services (report:
//     data/life-situation-assignments.tsv), the search dictionary, the terms
//     in context, and the English names of the federal services people from
//     abroad ask for (content/life-situations.json, search-dictionary.json,
//     terms.json). Life situations get IDs HE.LL.<n>, dictionary entries
//     HE.SW.<n>, in file order.
//   - Which state or federal authority serves which state- or federal-level
//     service, and those authorities' names (the authorities table in
//     gen.go); the Kreisausschuss names, built from the district names.
//   - The name "Bundesrepublik Deutschland" for the Bund.
//
// No link, phone number, e-mail address, web site or opening hour is
// invented: links come only from the PVOG export, office addresses only
// from the 2011 list. Visitor addresses are those of 2011 and may have
// changed since. Offices without a street in any source (Kreisausschüsse,
// authorities with one Hessian seat) get a postal address with only the
// seat town and the postcode of that town's administration; authorities
// with many offices and no single seat get no address at all.
//
// # IDs
//
// Every ID is fixed, so a load is reproducible: offices HE.OE.0000000001…
// (municipal, in ARS order), …1000001 (district), …2000001 (state),
// …3000001 (federal); services HE.LB.0000000001… (core services in file
// order), …1001 (services for administrations), …5000001 (federal); online
// services HE.OD.0005000001…; bundles HE.UB.<number>; responsibilities
// HE.ZS.0000000001… in the order they are made. A federal service whose
// LeiKa key a hand-written service describes is not written: the
// hand-written one gets its external ID and online services.
//
// # Loading
//
// Load checks everything before the first write, refuses (CONFLICT) a store
// that already has services, and writes as actor "demo" in transactions of
// up to 5,000 records: the whole demo (about 33,000 records) loads in about
// a second on two cores.
//
// # Upgrading a store an earlier version loaded
//
// The demo content grows between releases; an operator's data directory
// keeps what its editors did. At every start, serve calls Upgrade:
//
//   - UpgradeLifeSituations adds the life situations the store lacks and
//     gives every demo service the situations the current content assigns
//     it, as actor "demo" through the catalogue's commands (so the change
//     log, the search index and the federation feed follow). What the demo
//     seeded is recorded in the store mark "demo-life-situations"
//     (situation IDs by key, each service's seeded situations, a
//     fingerprint of the content): a situation the demo wrote and an editor
//     renamed or deleted, and a service whose situations an editor changed
//     or removed, stay as the editor left them. A store from before that
//     mark is judged by the completion mark's count of situations and each
//     service's history (its last version written by "demo"). When an
//     editor's situation holds the ID the demo would give a new one, the
//     demo's gets a new ID. Once current, a start reads only the mark; a
//     run that compared logs one summary line.
//   - AddNewDictionaryEntries adds the search dictionary entries appended
//     to content/search-dictionary.json since the load.
package demo
