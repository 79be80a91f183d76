// Package catalog owns the catalogue's domain and its storage: the record
// types (services, offices, online services, responsibilities,
// specialisations, regions, implementation bundles) with XZuFi semantics,
// their validation, the bbolt store with its change log, and the lookup of a
// service for a place.
//
// # Invariants
//
//   - Every write is one bbolt transaction that validates, checks the
//     expected revision (optimistic locking: a stale writer gets CONFLICT,
//     never a lost update), updates the secondary indexes, keeps the version
//     in history and appends one change-log entry. Records, indexes, history
//     and log cannot disagree; Check proves it and runs after every test.
//   - Revisions come from the log bucket's sequence inside the writing
//     transaction: gap-free, in commit order. A record's Meta.Revision is the
//     revision that wrote its current version.
//   - Subscribers (search indexer, federation feed) are notified after
//     commit only, through Store.Changed, and then read the log.
//   - Records of another origin (mirrored from a peer portal) are read-only
//     unless written by the federation puller (Write.Mirror).
//   - Every write is a Command (commands.go): a plain, serialisable value
//     that names what changes (UpdateOffice{ID, Patch, ExpectedRevision}),
//     applied by Tx.Apply (in a transaction of the caller's) or Store.Apply
//     (audited, on behalf of an editor; concurrent edits may share one
//     transaction and its commit, each applied and audited as if it had
//     committed alone: groupcommit.go). Tx.Put and
//     Tx.Delete are the PutRecord and DeleteRecord commands, for loaders,
//     imports and the puller, which hold whole records. The command is
//     logged in every change-log entry it writes (Change.Command), so the
//     one write path is what a replicated log (raft) can later carry;
//     Tx.Command reads it back for replay.
//   - The business rules of writing live in the commands, not in their
//     callers: what a new service starts as, what an update keeps (patches:
//     a field left out stays, a zero value clears, lists are replaced as a
//     whole, texts change per language), which checks a responsibility
//     needs. The rules of reading (drafts for the editorial office, who
//     reads history, audit log and editors) are in VisibleService, MayRead
//     and VisibleChangeRequests.
//   - Field paths in validation errors and in history diffs are the API's
//     names (ars, openingHours[0].close, name.en), not the stored ones.
//
// # Buckets and keys
//
// Integers in keys are 8-byte big-endian; region keys (ARS) are 12 digits and
// LeiKa keys 14, so they need no separator; variable-width parts are
// followed by a 0 byte. Index values are empty. The names are defined in
// keys.go only.
//
//	bucket               key                              value
//	meta                 "schema" / "portal"              version (8 bytes) / portal ID
//	meta                 "mark/" name                     a loader's completion note (Tx.SetMark)
//	meta                 "deferred/" origin               the origin's records await index entries (Write.DeferIndexes)
//	log                  rev                              Change (JSON, with the command that made it)
//	history              kind 0 id 0 rev                  record version (JSON), every version written
//	rec.<kind>           id                               current record (JSON)
//	idx.service.leika    leika id                         -
//	idx.service.bundle   bundleID 0 id                    -
//	idx.service.name     lang P|- sortkey id len(id)       -   (ListServices: name order per language, published first)
//	idx.office.ars       ars id                           -
//	idx.online.ars       ars id                           -
//	idx.resp.place       leika ars id                     -   (lookup for a place)
//	idx.resp.ars         ars leika id                     -   (services offered at a place)
//	idx.resp.office      officeID 0 id                    -
//	idx.resp.online      onlineServiceID 0 id             -
//	idx.spec.place       leika ars id                     -
//	idx.region.parent    parentARS ars                    -
//	idx.region.name      foldedName 0 ars                 -
//	idx.region.postcode  postcode ars                     -
//	idx.origin           origin 0 kind 0 id               -   (records of a peer)
//	idx.service.situation lifeSituationID 0 id            -   (services of a life situation)
//
// Region keys order hierarchically, so a prefix scan over "06" is Hessen and
// over "06636" the Werra-Meißner district.
//
// # IDs
//
// Local IDs are "<portal>.<type>.<10 digits>" (HE.LB.0000000042), shaped like
// the portal network's IDs (B100019.LB.574711): type LB service, OE office,
// OD online service, ZS responsibility, SP specialisation, UB bundle, LL
// life situation, SW entry of the search dictionary. A region's ID is its
// ARS.
//
// # Life situations, terms in context, search dictionary
//
// Life situations (Lebenslagen, Unternehmenslagen) are a taxonomy of
// records that services point to (Service.LifeSituationIDs); terms in
// context (XZuFi begriffImKontext) are per service and language with a type
// code (Service.Terms), and a municipality adds its own as a local addition
// (a Specialisation with Terms instead of a module text, reviewed like any
// other). Concepts are the search dictionary: everyday phrasings and what
// they mean. All are written by the state editorial office; the search reads
// them like any other field (situations.go).
//
// # Errors
//
// One error type, *Error, with a stable Code (INVALID, NOT_FOUND, CONFLICT,
// UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, INTERNAL), the offending Field
// and Rule for INVALID and the Current revision for CONFLICT. Internal
// causes are wrapped and never shown to clients.
package catalog
