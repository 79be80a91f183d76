// Package federation connects this portal with the other portals of the
// network: it publishes this portal's records as a signed change feed
// (Feed), mirrors the feeds of configured peers into the store (Puller,
// Mirror, AddPeer), and fans a search out to peers and merges the answers
// (FanOut, Merge). It imports catalog only; the GraphQL layer and cmd wire
// it up.
//
// This comment is the protocol's specification: another portal that
// implements it, as publisher or as consumer, interoperates with this one.
// The key words MUST, MUST NOT, SHOULD and MAY are meant as in RFC 2119.
//
// # Roles and authentication
//
// A publisher serves its own records; a consumer (peer) pulls them. Every
// feed request carries a bearer token the publisher issued to the consumer:
//
//	Authorization: Bearer lf_...
//
// Tokens are editor tokens of role PEER (ADMIN is accepted too, for
// operators); they are created with catalog.Store.CreateEditor and revoked
// with RevokeEditor. No or an unknown, revoked or expired token is 401 with
// WWW-Authenticate: Bearer; a token of another role is 403. The feed is
// read-only: only GET (and HEAD) are served. /.well-known/jwks.json needs no
// token.
//
// # Endpoints
//
//	GET /federation/v1/changes?after=CURSOR&limit=N&wait=SECONDS
//	GET /federation/v1/snapshot                         -> manifest
//	GET /federation/v1/snapshot?page=TOKEN&limit=N      -> snapshot page
//	GET /.well-known/jwks.json                          -> public keys (JWK Set)
//
// Parameters:
//
//   - after: the cursor of the last page applied ("" or absent: the start
//     of the log).
//   - limit: the most items per page, 1 to MaxPage (default 1000); absent
//     means min(500, MaxPage). Out of range is 400.
//   - wait: long polling, whole seconds ("30") or a Go duration ("30s"),
//     capped at MaxWait (default 30 s). Negative or malformed is 400.
//   - page: a snapshot page token from a manifest ("first") or a page
//     ("next").
//
// # Change feed
//
// The change feed is the publisher's change log (catalog.Change) filtered
// to records of its own origin (Origin == the publisher's portal ID):
// mirrored records are never republished, so every record travels from its
// origin directly. Entries are served in log (commit) order, each as the
// full record version it wrote (never a patch) or as a tombstone for a
// deletion. A deletion of an office or online service is preceded by the
// tombstones of the responsibilities it cascaded to.
//
// A page:
//
//	{
//	  "portal":   "HE",               publisher's portal ID
//	  "after":    "<cursor asked>",   echo of the request's after
//	  "next":     "<cursor>",         ask with this next
//	  "revision": 4711,               publisher's log revision next stands at
//	  "more":     true,               the page is full: ask again at once
//	  "items": [
//	    {"op":"put", "kind":"service", "id":"HE.LB.0000000042", "origin":"HE",
//	     "revision":4702, "version":3, "time":"2025-01-31T12:00:00Z",
//	     "record":{...the full record...}},
//	    {"op":"delete", "kind":"office", "id":"HE.OE.0000000007", "origin":"HE",
//	     "revision":4711, "version":5, "time":"2025-01-31T12:01:00Z"}
//	  ]
//	}
//
// Items: op is "put" or "delete"; kind is one of region, bundle, service,
// office, onlineService, responsibility, specialisation (catalog.Kind);
// id is 1 to 200 bytes of UTF-8 without control characters; revision is
// the origin's log revision that wrote this version or deleted the record
// (> 0, strictly increasing within a feed); version counts the record's
// versions at the origin (a tombstone carries the version after the last);
// record is the record as the catalogue encodes it (the JSON of
// catalog.Service, catalog.Office, ... with "id", "origin" and "rev" equal
// to the item's id, origin and revision). The publisher leaves out who
// wrote a version and why ("by", "reason"): those name its editors.
// Consumers MUST ignore fields they do not know, in pages and in records.
//
// Cursors are opaque to consumers: a consumer stores the "next" of the
// last page it applied and sends it back as "after", and MUST NOT build or
// change one. They only move forward: next never stands before after. A
// page may be empty and still move the cursor (entries of other origins
// were passed over). This implementation encodes the revision of the last
// log entry passed and a mark (hash) of that entry, so that a cursor from
// another history of the log (the store restored from an older backup, or
// replaced) is recognised.
//
// Long polling: with wait > 0 and nothing new to publish, the publisher
// holds the request until a commit brings something, the wait runs out,
// or it shuts down, and then answers with what it has (possibly no items).
// Consumers SHOULD use a request timeout longer than the wait.
//
// Caching: a full page ("more": true) depends on nothing but the retained
// log, so it is immutable: it carries a strong ETag (a hash of the body),
// Cache-Control: private, max-age=86400, immutable, and If-None-Match is
// answered with 304. Any other page is Cache-Control: no-store. Snapshot
// pages are immutable too.
//
// Headers beside the body, informative and not signed:
// Federation-Head-Revision is the publisher's last log revision;
// Federation-Pending-Since (RFC 3339), present when the page does not
// reach the head, is the commit time of the first entry after "next". A
// consumer's lag is head - revision revisions and now - pending-since
// seconds.
//
// # 410 Gone and retention
//
// The publisher keeps the last Retention revisions of its log (Feed.Compact;
// catalog.Store.Compact removes older entries and the history versions only
// they referred to). Tombstones are log entries: they live exactly as long
// as the log. A cursor whose next entry was compacted, a cursor beyond the
// head, or one whose mark does not match the log is answered with
//
//	410 Gone
//	Link: </federation/v1/snapshot>; rel="snapshot"
//	{"error":{"code":"NOT_FOUND","rule":"compacted","message":"..."},"snapshot":"/federation/v1/snapshot"}
//
// and the consumer resyncs from the snapshot. A consumer starting from
// "" gets 410 as well once the log's beginning has been compacted.
//
// # Snapshot
//
// GET /federation/v1/snapshot answers the manifest of a snapshot of every
// current record of the publisher's origin at one revision R (the
// publisher's revision at that moment):
//
//	{"portal":"HE", "revision":4711, "cursor":"<cursor at R>", "count":12034,
//	 "digest":"sha256:<64 hex>", "first":"<page token>", "time":"..."}
//
// The consumer then follows page tokens from "first":
//
//	{"portal":"HE", "revision":4711, "page":"<token asked>", "next":"<token>" or "",
//	 "items":[{"op":"put", ...}, ...]}
//
// Pages hold only puts, in the order region, bundle, service, office,
// onlineService, responsibility, specialisation (a record after the kinds it
// refers to) and, within a kind, by ID bytewise; "next" is "" after the
// last page. Every page shows the records as they were at R, however long
// the consumer takes, because the publisher reconstructs records changed
// or deleted since R from its history; when it no longer can (compaction
// passed R), a page is answered with 410 and the consumer starts over with
// a new manifest.
//
// Canonical form and digest: one line per record of the snapshot,
// kind TAB id TAB revision (decimal) LF, the lines sorted bytewise and
// concatenated; digest is "sha256:" and the lower-case hex SHA-256 of that
// (CanonicalDigest). count is the number of lines. A consumer MUST verify
// both over what it received before applying anything, and then continue
// the change feed with after = the manifest's cursor (entries after R are
// replayed; applying is idempotent).
//
// # Signatures
//
// Every 200 answer of changes and snapshot (pages and manifest) is signed
// with a detached compact JWS (RFC 7515, appendix F) in the header
//
//	Federation-Signature: BASE64URL(protected) ".." BASE64URL(signature)
//
// The protected header is {"alg":"EdDSA","kid":"<key id>"} (RFC 8037,
// Ed25519). The signature is over the ASCII of
// BASE64URL(protected) "." BASE64URL(body), where body is the exact bytes of
// the HTTP response body (base64url without padding; the payload is the
// ordinary base64url-encoded one: this is plain detached JWS, not the
// unencoded payload of RFC 7797, so any JWS library verifies it by putting
// the encoded body back between the dots). A consumer MUST reject an
// answer without a signature, with alg other than EdDSA, with crit or b64
// headers, with an unknown kid, or whose signature does not verify. The
// key ID is by default the RFC 7638 thumbprint of the public key. It MUST
// also check that the document answers its request: portal is the peer's
// ID, after (pages) or page (snapshot pages) echo what it asked, and
// revision of snapshot pages equals the manifest's. Error answers (4xx,
// 5xx, 410) are not signed; acting on a forged 410 only causes a verified
// resync.
//
// GET /.well-known/jwks.json lists the publisher's public keys as a JWK Set
// (kty OKP, crv Ed25519, kid, use sig, alg EdDSA); during a key rotation it
// lists the old key too (FeedOptions.OldKeys). Consumers pin the key(s) an
// operator configured for the peer (Peer.PublicKey); the JWKS is for the
// operator to fetch and check out of band, not for trust on first use.
//
// # Errors
//
// Errors answer {"error":{"code":..., "message":..., "field":..., "rule":...}}
// with the catalogue's codes mapped to HTTP: INVALID 400, NOT_FOUND 404,
// CONFLICT 409, UNAUTHENTICATED 401, FORBIDDEN 403, RATE_LIMITED 429,
// INTERNAL 500 (whose message never shows the cause), and NOT_FOUND with
// rule "compacted" 410.
//
// # Consumer guarantees (Puller)
//
//   - One transaction per page: the page's records and the peer's new
//     cursor commit together (and only if the stored cursor is still the
//     one the page was asked with), so a crash, a restart or a second
//     puller can neither lose nor double-apply a page.
//   - Idempotent by (origin, id, origin revision): an item whose record is
//     stored with Meta.OriginRevision >= the item's revision is skipped;
//     within a page only the last item of a record counts.
//   - Mirrored records keep the peer's origin and are read-only here
//     (catalog.Write.Mirror, actor "peer:<id>"); their OriginRevision is
//     the item's revision; a mirrored service without a region key gets the
//     peer's (Peer.RegionKey), so that places of the peer's state see it.
//   - Only the peer's own records: an item of another origin is
//     quarantined. A region that exists here with another origin is shared
//     reference data (the official ARS list every portal loads) and is
//     skipped; any other record whose ID belongs to another origin here is
//     quarantined.
//   - Quarantine: an item that cannot be applied (unknown op or kind, a
//     record that does not decode into its kind's type, fails validation,
//     or refers to a record that is missing) is stored with the reason
//     (Quarantine) and does not stop the rest of the page. A later version
//     or a tombstone of the record releases it; records that only lacked a
//     referenced record are retried when later pages bring records.
//   - Nothing is applied from an answer that is not 200, is unsigned or
//     badly signed, truncated, larger than MaxBody, malformed or answers
//     another request; the puller reports it (Status) and backs off
//     exponentially with jitter. Pages never delete except by tombstone.
//   - Resync after 410: the snapshot is staged page by page in the store
//     (resumable after a restart), then count and digest are checked
//     against the signed manifest; a snapshot that comes back short or
//     different is refused and nothing is deleted. A verified snapshot that
//     would delete more than MaxShrink (default half) of the peer's
//     mirrored records is refused as well: a peer that lost its data must
//     not empty ours. Otherwise the staged records are applied (any
//     revision other than the stored one: the snapshot is authoritative)
//     in transactions of PullerOptions.SwapBatch records, kinds in
//     dependency order, each saving how far it got, so that a restart
//     resumes there; then one transaction deletes the peer's records the
//     snapshot lacks, drops their quarantine, and sets the cursor to the
//     manifest's. While the batches run, readers see some of the peer's
//     records at the snapshot's version and others still at the old one
//     (as while following the feed); nothing is deleted until the end.
//     (One transaction for the whole snapshot is quadratic in bbolt, whose
//     nodes split only at commit: over ten minutes for 520,000 records.)
//     Into a mirror that holds no record of the peer (a first resync),
//     the batches write records, history, log and origin index only, and
//     the records' other index entries are written after the last batch,
//     sorted (catalog.Store.BuildDeferredIndexes): scattered over every
//     index, they had cost more than the records (at L, 5 million records
//     and 15 million entries). Until then the new records are found by ID
//     but not by place; a restart builds them before the resync ends.
//     The staged items are removed afterwards in the background, in
//     small transactions between the pages of the feed, which the puller
//     follows again at once; a restart resumes the removal (staged items
//     of a peer without a snapshot being staged are left over).
//
// # XZuFi peers and the network's formats
//
// A peer of kind xzufi (Peer.Kind KindXZuFi) is a portal that publishes
// only what the portal network's gateway pulls: BASE/index.txt listing
// XZuFi 2.2 files (package federation/xzufi has the format and the field
// mapping). Its puller asks for the index with If-None-Match (the ETag is
// the peer's cursor) every PollInterval; an unchanged index (304) applies
// nothing. Otherwise it fetches every listed file to a temporary directory
// and reads each completely before applying anything (OpenXZuFi), keeping
// of the records only their keys (64-bit hashes, 8 bytes a record) and a
// digest of the files. Refused with nothing applied and nothing deleted,
// leaving the peer degraded with the reason (Status.Degraded, the
// degraded metric): an empty index, a file that is missing, truncated,
// not well-formed, has a DOCTYPE, an element XZuFi 2.2 does not have or
// breaks a limit, and a snapshot that would delete more than MaxShrink of
// the peer's records (counted against what the mirror holds now, an
// unfinished earlier apply included).
//
// The files are then read a second time and applied (Import's rules,
// written as mirrored records of the peer, services without a region
// getting the peer's). A snapshot of at most PullerOptions.AtomicItems
// items (50,000) is applied in one transaction with the deletion of what
// it lacks and the new cursor: readers see the peer's old catalogue or its
// new one, as with a signed feed's page. A larger one is applied in
// transactions of PullerOptions.SwapBatch items, so that memory is bounded
// by a batch, not by the peer's catalogue. Each
// transaction also saves how far the apply got (xzufi/<peer>: the files'
// digest and the next item); a pull after a restart or a failure that
// finds the same files resumes there, one that finds other files starts
// over. An object that breaks a rule (an unknown code, a malformed key)
// is quarantined with file, position and reason; its last good version
// stays, the rest applies (the quarantine is rebuilt from each snapshot).
// Only after every item has been applied are the peer's records the
// snapshot lacks deleted, in batches as well; a last transaction moves
// the cursor to the index's ETag. While such a pull runs, readers see some of
// the peer's records at the new version and others still at the old one,
// and during a first pull only part of the peer's catalogue; records the
// peer dropped stay visible until the end. (One transaction for the whole
// snapshot held about 5.6 KB a record: 28 GB for a catalogue of 5
// million.)
//
// The other way, this portal publishes its own records at /xzufi/ for
// the gateway (xzufi.Publisher) and as files (leistungsfinder xzufi
// export). Import (ImportItem, ImportOptions) applies records of any of
// the network's formats through the catalogue's write API: XZuFi
// (OpenXZuFi) and the PVOG search service's CSV and detail JSON
// (package federation/pvog).
//
// # Federation state in the store
//
// Package federation owns the store's federation key space
// (catalog.Tx.PeerData), so that applying a page and moving the cursor is
// one transaction. Keys (peer IDs are 1-32 of [A-Za-z0-9_-]):
//
//	peer/<peer>                       Peer (configuration, with the peer's token)
//	state/<peer>                      cursor, revision, resync count
//	quarantine/<peer>/<kind>\t<id>    QuarantineEntry
//	staging/<peer>/<kind>\t<id>       Item of a snapshot being staged
//	snapshot/<peer>                   manifest and next page token of that staging
//	xzufi/<peer>                      digest and progress of an XZuFi snapshot being applied
//
// # Federated search
//
// FanOut posts to every peer's POST {url}/graphql the query
//
//	query FederatedSearch { search(query: "...", ars: "...", first: N) { hits { score service { id leikaKeys } } } }
//
// (arguments inlined as string literals), with a per-peer deadline, a
// circuit breaker per peer (open after FailureThreshold consecutive
// failures for Cooldown, then one probe) and an overall deadline by which
// Search returns whatever has arrived. Each peer's PeerResult says ok,
// timeout, error or circuit-open. Merge fuses the local hits with the
// peers' by reciprocal-rank fusion (k = 60) and keeps one hit per LeiKa
// key: the one maintained for the most specific area containing the place
// asked (its RegionKey), then the local one, then the better ranked.
package federation
