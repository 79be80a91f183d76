package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Record is implemented by every stored type (*Service, *Office, ...).
type Record interface {
	meta() *Meta
	RecordKind() Kind
	// indexKeys lists the secondary index entries of this version.
	indexKeys() []indexKey
	// walkTexts calls fn for every localized text with its field path and
	// stores what fn returns; validation and translation stamps use it.
	walkTexts(fn func(path string, t i18n.Text) i18n.Text)
	// validate checks the fields that need no other record.
	validate(v *validator)
	// refs lists the other records this one points to, checked on write.
	refs() []ref
}

type indexKey struct {
	bucket []byte
	key    []byte
}

type ref struct {
	field string
	kind  Kind
	id    string
}

// NewRecord returns an empty record of a kind, for decoding.
func NewRecord(k Kind) (Record, error) {
	switch k {
	case KindService:
		return &Service{}, nil
	case KindOffice:
		return &Office{}, nil
	case KindOnlineService:
		return &OnlineService{}, nil
	case KindResponsibility:
		return &Responsibility{}, nil
	case KindSpecialisation:
		return &Specialisation{}, nil
	case KindRegion:
		return &Region{}, nil
	case KindBundle:
		return &Bundle{}, nil
	case KindLifeSituation:
		return &LifeSituation{}, nil
	case KindConcept:
		return &Concept{}, nil
	}
	return nil, Errorf(EINVALID, "unknown record kind %q", k)
}

// Op is what a change did.
type Op string

const (
	OpPut    Op = "PUT"
	OpDelete Op = "DELETE"
	// OpIndexed is no change of a record: the index entries that the
	// origin's records were written without (Write.DeferIndexes) are now
	// written, so that they are found by place. Whoever derives data
	// from lookups (the search index, answers cached per revision)
	// derives it again; Kind and ID are empty.
	OpIndexed Op = "INDEXED"
)

// Change is one entry of the change log. Its revision comes from the log
// bucket's sequence inside the writing transaction, so revisions are
// gap-free and in commit order.
type Change struct {
	Revision uint64    `json:"rev"`
	Time     time.Time `json:"time"`
	Op       Op        `json:"op"`
	Kind     Kind      `json:"kind"`
	ID       string    `json:"id"`
	Origin   string    `json:"origin"`
	Version  int       `json:"ver"`
	Actor    string    `json:"actor,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	// RegionKey is the area the record belongs to, when it has one, so that
	// editors can ask what changed in their region.
	RegionKey string `json:"ars,omitempty"`
	// Command is the command that made the change (see Command).
	Command *LoggedCommand `json:"cmd,omitempty"`
}

// Write describes who writes and under which condition.
type Write struct {
	Actor  string
	Reason string
	// Expected, when set, is the revision the writer read: a write against
	// any other current revision fails with CONFLICT. Set to 0 it demands
	// that the record does not exist yet. Nil skips the check (imports).
	Expected *uint64
	// Mirror allows writing records of another origin (the federation
	// puller); everybody else may write only local records.
	Mirror bool
	// Principal is who writes; authorization is checked against it on
	// every Put and Delete. Nil is the system itself (loaders, the
	// federation puller), which only code in this process can be.
	Principal *Principal
	// Assume, when set, counts a reference to a record it reports as
	// satisfied although the record is not in the store: a dry run that
	// applies an import batch by batch, rolling each transaction back,
	// knows which records the batches before would have created.
	Assume func(k Kind, id string) bool
	// DeferIndexes leaves out a mirrored record's secondary index entries
	// (all but its origin's) and marks its origin as awaiting them: a
	// mirror's first load writes millions of records in ID order, and
	// their index entries, scattered over every index, cost more than the
	// records themselves. BuildDeferredIndexes writes them afterwards, in
	// key order. Until then the records are found by ID only. Only with
	// Mirror.
	DeferIndexes bool
}

// MetaOf returns the bookkeeping of a record.
func MetaOf(r Record) *Meta { return r.meta() }

// Expect returns a pointer to rev, for Write.Expected.
func Expect(rev uint64) *uint64 { return &rev }

// Tx is a read or write transaction on the store.
type Tx struct {
	bt       *bolt.Tx
	s        *Store
	writable bool
	// shared read transactions hand out cached records (see record).
	shared bool
	now    time.Time
	// principal is set by Store.Mutate and applies to every write in the
	// transaction that names no principal of its own.
	principal *Principal
	// last is the change-log entry of the latest write, for the audit log.
	last *Change
	// cmd is the command being applied, logged with every change it makes.
	cmd *LoggedCommand
	// readKind and readBucket are the record bucket a read-only
	// transaction read last: bbolt opens a bucket anew (a seek and an
	// allocation) on every lookup outside a write transaction, and a
	// page of search hits reads twenty services in a row.
	readKind   Kind
	readBucket *bolt.Bucket
}

// Revision returns the last revision visible in this transaction. Every
// write to a record appends to the change log in the same transaction, so
// two transactions at the same revision see the same records (the search
// index, the federation feed and graph's hitServices rely on it).
func (tx *Tx) Revision() uint64 { return tx.bt.Bucket(bucketLog).Sequence() }

// Portal returns this portal's ID.
func (tx *Tx) Portal() string { return tx.s.portal }

func (tx *Tx) raw(k Kind, id string) []byte {
	if tx.bt.Writable() {
		return tx.bt.Bucket(recordBucket(k)).Get([]byte(id)) // bbolt keeps the buckets a write opens
	}
	if tx.readBucket == nil || tx.readKind != k {
		tx.readKind, tx.readBucket = k, tx.bt.Bucket(recordBucket(k))
	}
	return tx.readBucket.Get([]byte(id))
}

// record returns the current record of kind k, or nil. In a shared read
// transaction (Store.ViewShared) the record may come from the store's
// decode cache and is shared with other readers: it must not be modified.
// Everywhere else it is a fresh copy that the caller may change and Put.
func (tx *Tx) record(k Kind, id string) (Record, error) {
	b := tx.raw(k, id)
	if b == nil {
		return nil, nil
	}
	if tx.shared {
		if r := tx.s.cache.get(k, id, b); r != nil {
			return r, nil
		}
	}
	r, err := decodeRecord(k, id, b)
	if err == nil && tx.shared {
		tx.s.cache.put(k, id, b, r)
	}
	return r, err
}

// decodeRecord makes the record of kind k and ID id from its stored JSON
// (a current version or one in history).
func decodeRecord(k Kind, id string, b []byte) (Record, error) {
	r, err := NewRecord(k)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, Internal(fmt.Errorf("decode %s %s: %w", k, id, err))
	}
	return r, nil
}

// Lookup returns the current record of a kind, or nil if there is none:
// Get for callers to whom a missing record is no error (a mirror's
// snapshot into an empty store misses every time, and building Get's
// NOT_FOUND error costs more than the lookup). See record for the sharing
// rule of read transactions.
func (tx *Tx) Lookup(k Kind, id string) (Record, error) { return tx.record(k, id) }

// Get returns the current record of a kind. NOT_FOUND if there is none.
// See record for the sharing rule of read transactions.
func (tx *Tx) Get(k Kind, id string) (Record, error) {
	r, err := tx.record(k, id)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, Errorf(ENOTFOUND, "%s %q not found", k, id)
	}
	return r, nil
}

func getAs[T any, P interface {
	*T
	Record
}](tx *Tx, k Kind, id string) (*T, error) {
	r, err := tx.Get(k, id)
	if err != nil {
		return nil, err
	}
	return (*T)(r.(P)), nil
}

// Put applies PutRecord: it creates or replaces a whole record, checking
// w.Expected when set. Commands that name what changes are preferred; Put
// is for loaders, imports and the federation puller, which hold whole
// records.
//
// Errors: see PutRecord.
func (tx *Tx) Put(r Record, w Write) error {
	_, err := tx.Apply(PutRecord{Record: r, Expected: w.Expected}, w)
	return err
}

// Delete applies DeleteRecord.
//
// Errors: see DeleteRecord.
func (tx *Tx) Delete(k Kind, id string, w Write) error {
	_, err := tx.Apply(DeleteRecord{Kind: k, ID: id, Expected: w.Expected}, w)
	return err
}

// put creates or updates a record in this transaction; every command
// writes through it. A record without ID is created with a new local ID.
// put validates the record, checks the expected revision and the origin,
// stamps revision, version and text changes, updates the indexes, keeps the
// version in history and appends one change-log entry. It returns the
// version it replaced (nil for a create).
//
// Errors: INVALID (with Field and Rule), CONFLICT (with Current),
// NOT_FOUND, FORBIDDEN (record of another origin).
func (tx *Tx) put(r Record, w Write) (old Record, err error) {
	if !tx.writable {
		return nil, Internal(fmt.Errorf("put in a read transaction"))
	}
	k := r.RecordKind()
	m := r.meta()
	if m.Origin == "" {
		m.Origin = tx.s.portal
	}
	if m.Origin != tx.s.portal && !w.Mirror {
		return nil, Errorf(EFORBIDDEN, "%s %s is mirrored from %s and read-only here", k, m.ID, m.Origin)
	}
	if w.DeferIndexes && (!w.Mirror || m.Origin == tx.s.portal) {
		return nil, Internal(fmt.Errorf("%s %s: only a mirror's records may defer their indexes", k, m.ID))
	}

	if m.ID == "" {
		if k == KindRegion {
			return nil, Invalid("id", "required", "a region needs its region key as ID")
		}
		// Records written with explicit local IDs (imports, the demo)
		// raise the sequence past their number below; the loop is the
		// second line of defence against reusing an ID.
		for {
			seq, err := tx.bt.Bucket(recordBucket(k)).NextSequence()
			if err != nil {
				return nil, Internal(err)
			}
			m.ID = newID(tx.s.portal, k, seq)
			if tx.raw(k, m.ID) == nil {
				break
			}
		}
	} else {
		if err := tx.reserveID(k, m.ID); err != nil {
			return nil, err
		}
		// record, not Get: a create (every record of a snapshot swapped
		// into an empty mirror) would build a NOT_FOUND error to drop.
		if old, err = tx.record(k, m.ID); err != nil {
			return nil, err
		}
	}
	// Refusals come before the revision check, so that a writer who may
	// not write the record learns nothing of its current revision.
	if err := authorize(tx.principalOf(w), r, old); err != nil {
		return nil, err
	}
	if old != nil && old.meta().Origin != m.Origin {
		return nil, Errorf(EFORBIDDEN, "%s %s belongs to %s", k, m.ID, old.meta().Origin)
	}
	if err := checkExpected(k, m.ID, old, w.Expected); err != nil {
		return nil, err
	}

	v := &validator{}
	r.validate(v)
	v.plainFields(r)
	v.plainText("reason", w.Reason)
	r.walkTexts(func(path string, t i18n.Text) i18n.Text { v.text(path, t); return t })
	broken := map[string]bool{}
	for _, e := range v.errs {
		broken[e.Field] = true
	}
	for _, rf := range r.refs() {
		if rf.id == "" || broken[rf.field] {
			continue // a malformed key is reported once, as malformed
		}
		if tx.raw(rf.kind, rf.id) == nil && (w.Assume == nil || !w.Assume(rf.kind, rf.id)) {
			v.add(rf.field, "exists", "%s %q does not exist", rf.kind, rf.id)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}

	rev, err := tx.bt.Bucket(bucketLog).NextSequence()
	if err != nil {
		return nil, Internal(err)
	}
	if old != nil {
		om := old.meta()
		m.Version = om.Version + 1
		m.CreatedAt = om.CreatedAt
	} else {
		m.Version = 1
		m.CreatedAt = tx.now
	}
	if w.Actor == "" {
		w.Actor = tx.principalOf(w).Name()
	}
	m.Revision = rev
	m.UpdatedAt = tx.now
	m.UpdatedBy = w.Actor
	m.Reason = w.Reason
	if !w.Mirror {
		// A mirrored record keeps its origin's translation stamps: they
		// refer to the origin's revisions, and staleness is the origin's
		// to judge.
		stampTexts(old, r, rev)
	}

	data, err := json.Marshal(r)
	if err != nil {
		return nil, Internal(err)
	}
	if old != nil {
		if err := tx.deleteIndexes(old); err != nil {
			return nil, err
		}
	}
	if err := tx.bt.Bucket(recordBucket(k)).Put([]byte(m.ID), data); err != nil {
		return nil, Internal(err)
	}
	if w.DeferIndexes {
		err = tx.deferIndexes(r)
	} else {
		err = tx.putIndexes(r)
	}
	if err != nil {
		return nil, err
	}
	if err := tx.bt.Bucket(bucketHistory).Put(historyKey(k, m.ID, rev), data); err != nil {
		return nil, Internal(err)
	}
	return old, tx.appendLog(Change{Revision: rev, Time: tx.now, Op: OpPut, Kind: k, ID: m.ID,
		Origin: m.Origin, Version: m.Version, Actor: w.Actor, Reason: w.Reason, RegionKey: regionOf(r)})
}

// reserveID raises the kind's ID sequence past an explicit local ID
// ("HE.LB.0000000042"), so that IDs the store hands out later never collide
// with it.
func (tx *Tx) reserveID(k Kind, id string) error {
	prefix := tx.s.portal + "." + idTypes[k] + "."
	num, ok := strings.CutPrefix(id, prefix)
	if !ok || idTypes[k] == "" {
		return nil
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return nil
	}
	b := tx.bt.Bucket(recordBucket(k))
	if n > b.Sequence() {
		if err := b.SetSequence(n); err != nil {
			return Internal(err)
		}
	}
	return nil
}

func checkExpected(k Kind, id string, old Record, expected *uint64) error {
	if expected == nil {
		return nil
	}
	switch {
	case old == nil && *expected != 0:
		return Errorf(ENOTFOUND, "%s %q not found", k, id)
	case old != nil && old.meta().Revision != *expected:
		cur := old.meta().Revision
		return &Error{Code: ECONFLICT, Current: cur,
			Message: fmt.Sprintf("%s %s was changed meanwhile: current revision is %d, not %d", k, id, cur, *expected)}
	}
	return nil
}

// del removes a record. Deleting an office or online service removes its
// responsibilities in the same transaction, each with its own log entry, so
// that no responsibility points nowhere.
//
// Errors: NOT_FOUND, CONFLICT, FORBIDDEN.
func (tx *Tx) del(k Kind, id string, w Write) (Record, error) {
	old, err := tx.Get(k, id)
	if err != nil {
		return nil, err
	}
	// As in put: refusals before the revision check.
	if err := authorize(tx.principalOf(w), nil, old); err != nil {
		return nil, err
	}
	om := old.meta()
	if om.Origin != tx.s.portal && !w.Mirror {
		return nil, Errorf(EFORBIDDEN, "%s %s is mirrored from %s and read-only here", k, id, om.Origin)
	}
	if err := checkExpected(k, id, old, w.Expected); err != nil {
		return nil, err
	}
	if w.Actor == "" {
		w.Actor = tx.principalOf(w).Name()
	}
	if dependents := respIndexOf(k); dependents != nil {
		for _, rid := range tx.scanIDs(dependents, join(id, "")) {
			if err := tx.Delete(KindResponsibility, rid, Write{Actor: w.Actor, Reason: "cascade: " + string(k) + " " + id + " deleted", Mirror: w.Mirror, Principal: w.Principal}); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.deleteIndexes(old); err != nil {
		return nil, err
	}
	if err := tx.bt.Bucket(recordBucket(k)).Delete([]byte(id)); err != nil {
		return nil, Internal(err)
	}
	rev, err := tx.bt.Bucket(bucketLog).NextSequence()
	if err != nil {
		return nil, Internal(err)
	}
	return old, tx.appendLog(Change{Revision: rev, Time: tx.now, Op: OpDelete, Kind: k, ID: id,
		Origin: om.Origin, Version: om.Version + 1, Actor: w.Actor, Reason: w.Reason, RegionKey: regionOf(old)})
}

func (tx *Tx) principalOf(w Write) *Principal {
	if w.Principal != nil {
		return w.Principal
	}
	return tx.principal
}

func (tx *Tx) appendLog(c Change) error {
	if tx.cmd != nil && tx.cmd.First == 0 {
		tx.cmd.First = c.Revision
	}
	c.Command = tx.cmd
	tx.last = &c
	data, err := json.Marshal(c)
	if err != nil {
		return Internal(err)
	}
	if err := tx.bt.Bucket(bucketLog).Put(u64(c.Revision), data); err != nil {
		return Internal(err)
	}
	return nil
}

func (tx *Tx) putIndexes(r Record) error {
	for _, ik := range r.indexKeys() {
		if err := tx.bt.Bucket(ik.bucket).Put(ik.key, nil); err != nil {
			return Internal(err)
		}
	}
	return nil
}

func (tx *Tx) deleteIndexes(r Record) error {
	for _, ik := range r.indexKeys() {
		if err := tx.bt.Bucket(ik.bucket).Delete(ik.key); err != nil {
			return Internal(err)
		}
	}
	return nil
}

// scanIDs returns the last part (the primary ID) of every index key with the
// given prefix. Index keys end in the ID after fixed-width or 0-terminated
// parts, so the prefix must cover every part before the ID: the ID is what
// follows it.
func (tx *Tx) scanIDs(bucket, prefix []byte) []string {
	var out []string
	c := tx.bt.Bucket(bucket).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
}

// scanKeys calls fn with every key of bucket that has the given prefix, in
// order, until fn returns false. k belongs to bbolt and is valid only
// during the transaction: fn copies what it keeps.
func (tx *Tx) scanKeys(bucket, prefix []byte, fn func(k []byte) bool) {
	c := tx.bt.Bucket(bucket).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if !fn(k) {
			return
		}
	}
}

// stampTexts records, per language, the revision at which a text changed,
// and for a new or changed translation the German revision it was made
// from, unless the writer said so itself. An unchanged translation keeps its
// source revision, so a German change makes it stale.
func stampTexts(old, cur Record, rev uint64) {
	prev := map[string]i18n.Text{}
	if old != nil {
		old.walkTexts(func(path string, t i18n.Text) i18n.Text { prev[path] = t; return t })
	}
	cur.walkTexts(func(path string, t i18n.Text) i18n.Text {
		if t == nil {
			return t
		}
		p := prev[path]
		out := make(i18n.Text, len(t))
		de := t[i18n.DE]
		if pv, ok := p[i18n.DE]; ok && pv.Value == de.Value {
			de.ChangedAt = pv.ChangedAt
		} else {
			de.ChangedAt = rev
		}
		for lang, v := range t {
			if lang == i18n.DE {
				out[lang] = de
				continue
			}
			pv, had := p[lang]
			switch {
			case had && pv.Value == v.Value:
				// Unchanged: keep when and from what it was made.
				if v.SourceRevision == 0 {
					v.SourceRevision = pv.SourceRevision
				}
				if v.ChangedAt == 0 || v.ChangedAt > pv.ChangedAt {
					v.ChangedAt = pv.ChangedAt
				}
				if !v.MachineTranslated && v.Translator == "" {
					v.MachineTranslated, v.Translator = pv.MachineTranslated, pv.Translator
				}
			default:
				v.ChangedAt = rev
				if v.SourceRevision == 0 || v.SourceRevision > de.ChangedAt {
					v.SourceRevision = de.ChangedAt
				}
			}
			out[lang] = v
		}
		return out
	})
}

// regionOf returns the area a record belongs to, for the change log.
func regionOf(r Record) string {
	switch r := r.(type) {
	case *Office:
		return r.RegionKey
	case *OnlineService:
		return r.RegionKey
	case *Responsibility:
		return r.RegionKey
	case *Specialisation:
		return r.RegionKey
	case *Region:
		return r.ID
	}
	return ""
}
