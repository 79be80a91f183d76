package catalog

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Every bucket name and key encoding of the store lives in this file; the
// table in doc.go documents them. Integers in keys are big-endian fixed
// width, IDs are text, and index keys put the foreign part first so that a
// prefix scan answers "all X of Y".

var (
	bucketMeta    = []byte("meta")    // key -> value (schema version, portal)
	bucketLog     = []byte("log")     // rev(8) -> Change JSON
	bucketHistory = []byte("history") // kind 0 id 0 rev(8) -> record JSON, every version written
)

// recordBucket returns the bucket holding the current records of a kind (id -> JSON).
func recordBucket(k Kind) []byte { return []byte("rec." + string(k)) }

// Index buckets. Values are empty; the key is the information.
var (
	idxServiceLeika   = []byte("idx.service.leika")   // leika(14) id
	idxServiceBundle  = []byte("idx.service.bundle")  // bundleID 0 id
	idxOfficeRegion   = []byte("idx.office.ars")      // ars(12) id
	idxRespPlace      = []byte("idx.resp.place")      // leika(14) ars(12) id
	idxRespRegion     = []byte("idx.resp.ars")        // ars(12) leika(14) id
	idxRespOffice     = []byte("idx.resp.office")     // officeID 0 id
	idxRespOnline     = []byte("idx.resp.online")     // onlineServiceID 0 id
	idxSpecPlace      = []byte("idx.spec.place")      // leika(14) ars(12) id
	idxRegionParent   = []byte("idx.region.parent")   // parent ars(12) ars(12)
	idxRegionName     = []byte("idx.region.name")     // folded name 0 ars(12)
	idxRegionPostcode = []byte("idx.region.postcode") // postcode(5) ars(12)
	idxOrigin         = []byte("idx.origin")          // origin 0 kind 0 id
	idxOnlineRegion   = []byte("idx.online.ars")      // ars(12) id
	// idxServiceSituation lists the services of a life situation.
	idxServiceSituation = []byte("idx.service.situation") // lifeSituationID 0 id
	// idxServiceName orders services by name for ListServices (see nameKey).
	idxServiceName = []byte("idx.service.name") // lang(2) published(1) sortkey id len(id)(1)
)

var indexBuckets = [][]byte{idxServiceLeika, idxServiceBundle, idxOfficeRegion, idxRespPlace,
	idxRespRegion, idxRespOffice, idxRespOnline, idxSpecPlace, idxRegionParent, idxRegionName,
	idxRegionPostcode, idxOrigin, idxOnlineRegion, idxServiceSituation, idxServiceName}

var (
	metaSchema    = []byte("schema")
	metaPortal    = []byte("portal")
	metaFirstRev  = []byte("firstRev")   // first revision still in the log after compaction
	metaMark      = "mark/"              // mark/<name>: a loader's or tool's note, written with its data (Tx.SetMark)
	metaDeferred  = "deferred/"          // deferred/<origin>: the origin's records await their index entries (Write.DeferIndexes)
	bucketPeer    = []byte("federation") // key -> value space owned by package federation
	bucketAudit   = []byte("audit")      // seq(8) -> AuditEntry JSON, append-only
	bucketEditors = []byte("editors")    // editor id -> Editor JSON
	bucketTokens  = []byte("tokens")     // sha256(token) hex -> editor id
)

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func readU64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// join concatenates key parts; parts of variable width are followed by a 0
// byte so that a prefix never matches a longer value ("a" vs "ab").
func join(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		b = append(b, p...)
		if i < len(parts)-1 {
			b = append(b, 0)
		}
	}
	return b
}

func historyKey(k Kind, id string, rev uint64) []byte {
	return append(join(string(k), id, ""), u64(rev)...)
}

func historyPrefix(k Kind, id string) []byte { return join(string(k), id, "") }

// idTypes are the type letters of local IDs, as the portal network writes
// them (B100019.LB.574711: editorial system . type . number).
var idTypes = map[Kind]string{
	KindService:        "LB",
	KindOffice:         "OE",
	KindOnlineService:  "OD",
	KindResponsibility: "ZS",
	KindSpecialisation: "SP",
	KindBundle:         "UB",
	KindLifeSituation:  "LL",
	KindConcept:        "SW",
}

// newID formats a local ID: portal . type . 10-digit sequence.
func newID(portal string, k Kind, seq uint64) string {
	return fmt.Sprintf("%s.%s.%010d", portal, idTypes[k], seq)
}

// foldName is the form region names are indexed and searched in: lower case,
// umlauts to their base letter, ß to ss, punctuation to spaces, so that
// "schluchtern" finds "Schlüchtern". Queries spelled with "ue" are folded a
// second way by the caller (see Tx.Regions).
func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'ä':
			b.WriteByte('a')
		case 'ö':
			b.WriteByte('o')
		case 'ü':
			b.WriteByte('u')
		case 'ß':
			b.WriteString("ss")
		case ',', '.', '(', ')', '/', '-':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// nameKey is a service's entry in idx.service.name for one language: the
// language, 'P' for a published service ('-' otherwise), the German
// collation key of its name in that language (German when it has none),
// then its ID and the ID's length in one byte. A prefix scan over
// language and 'P' lists the published services in name order without
// collating; the ID is read from the key's end, since collation keys may
// hold any byte.
func nameKey(lang string, published bool, sortKey []byte, id string) []byte {
	flag := byte('-')
	if published {
		flag = 'P'
	}
	k := make([]byte, 0, len(lang)+1+len(sortKey)+len(id)+1)
	k = append(k, lang...)
	k = append(k, flag)
	k = append(k, sortKey...)
	k = append(k, id...)
	return append(k, byte(len(id)))
}

// nameKeyID returns the ID at the end of a nameKey.
func nameKeyID(k []byte) string {
	n := int(k[len(k)-1])
	return string(k[len(k)-1-n : len(k)-1])
}
