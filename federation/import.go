package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// ImportItem is one record an import offers: a whole record to create or
// replace, or a deletion. The readers of the network's formats (XZuFi,
// PVOG) produce them.
type ImportItem struct {
	Kind catalog.Kind
	// ID of the record (for a deletion, and for reports when Record is
	// nil).
	ID string
	// Where is the place in the input: file:line:col, or file:row.
	Where string
	// Record is the record to write; its ID may be empty when
	// MatchExternal finds the record to update (or a new one is created).
	Record catalog.Record
	// MatchExternal is an ID in another system (a PVOG ID): the record of
	// this kind that lists it among its ExternalIDs is the one updated.
	MatchExternal string
	// ServiceRef, for a responsibility, names the service whose first
	// LeiKa key the responsibility is for (an XZuFi zustaendigkeit names
	// a leistungID, not a key); HolderRef names its office or online
	// service when the input did not say which of the two it is.
	ServiceRef, HolderRef string
	// HolderExternal, for a responsibility, is the external ID of the
	// online service it belongs to (resolved like MatchExternal).
	HolderExternal string
	// Patch, when set and the record exists, makes the record to write
	// from a copy of the current one (an input that describes only some
	// fields, like the PVOG CSV's names, must not erase the others).
	Patch  func(cur catalog.Record) catalog.Record
	Delete bool
	// Err rejects the item as it stands (the reader found it invalid).
	Err error
	// Skip passes the item over with a reason (a type the catalogue does
	// not store).
	Skip string
	// at is where an XZuFi set holds the item (XZuFiSet.each sets it): a
	// mirror resumes an interrupted apply there.
	at itemPos
}

// Items returns a next function for Import over a slice.
func Items(items []*ImportItem) func() (*ImportItem, error) {
	i := 0
	return func() (*ImportItem, error) {
		if i == len(items) {
			return nil, nil
		}
		i++
		return items[i-1], nil
	}
}

// ImportOptions configure Import.
type ImportOptions struct {
	// DryRun applies the items like an import, in transactions of
	// BatchSize items that are each rolled back: the summary says what
	// would change, nothing does, and memory stays bounded as in an
	// import. References to offices, online services, regions and bundles
	// that a batch before would have created count as satisfied
	// (catalog.Write.Assume); the dry run keeps their keys (about 80 bytes
	// each, nothing for responsibilities and services). Not seen across
	// batches: a record that one batch would delete and a later one
	// refers to, and a record given twice (counted twice).
	DryRun bool
	// Origin, with Mirror, writes the records as mirrored from that peer
	// (read-only here). Without Mirror records are this portal's own.
	Origin string
	Mirror bool
	// Deletes applies deletions the input asks for (XZuFi loesche);
	// without it they are reported as skipped. Imports never delete
	// anything else.
	Deletes bool
	// Actor and Reason are written into the records' history.
	Actor, Reason string
	// BatchSize is how many items one transaction applies (1000 if 0).
	BatchSize int
	// Progress, if set, is called after every transaction.
	Progress func(ImportSummary)
	// DefaultRegion is given to services without a region key (a
	// mirrored state's key: its places then see them).
	DefaultRegion string
	// LeikaKeys maps service IDs of the input to their first LeiKa key,
	// known before the import (XZuFiSet.LeikaKeys, from the check pass):
	// a responsibility that names a service later in the input then
	// applies at once instead of waiting in memory until the end.
	LeikaKeys map[string]string
	// OnReject, if set, is called in the transaction for every rejected
	// item (the XZuFi mirror quarantines it).
	OnReject func(tx *catalog.Tx, it *ImportItem, reason string) error
	Logger   *slog.Logger
}

// Rejection is an item that was not applied, and why.
type Rejection struct {
	Kind   catalog.Kind `json:"kind"`
	ID     string       `json:"id"`
	Where  string       `json:"where"`
	Reason string       `json:"reason"`
}

func (r Rejection) String() string {
	id := r.ID
	if id == "" {
		id = "(no id)"
	}
	if r.Where == "" {
		return fmt.Sprintf("%s %s: %s", r.Kind, id, r.Reason)
	}
	return fmt.Sprintf("%s: %s %s: %s", r.Where, r.Kind, id, r.Reason)
}

// ImportSummary counts what an import did (or, dry, would do).
type ImportSummary struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Deleted   int `json:"deleted"`
	Rejected  int `json:"rejected"`
	Skipped   int `json:"skipped"`
	// Rejections lists the first MaxRejections rejected items with the
	// reason; Skips the first skipped ones.
	Rejections []Rejection `json:"rejections,omitempty"`
	Skips      []Rejection `json:"skips,omitempty"`
	DryRun     bool        `json:"dryRun,omitempty"`
}

// MaxRejections caps the rejections a summary lists (all are counted).
const MaxRejections = 1000

// Total is how many items were looked at.
func (s ImportSummary) Total() int {
	return s.Created + s.Updated + s.Unchanged + s.Deleted + s.Rejected + s.Skipped
}

// String is the summary line.
func (s ImportSummary) String() string {
	dry := ""
	if s.DryRun {
		dry = " (dry run: nothing was written)"
	}
	return fmt.Sprintf("created %d, updated %d, unchanged %d, deleted %d, rejected %d, skipped %d%s",
		s.Created, s.Updated, s.Unchanged, s.Deleted, s.Rejected, s.Skipped, dry)
}

var errDryRun = errors.New("dry run")

// Import applies the items next returns, until it returns (nil, nil), in
// transactions of BatchSize items through the catalogue's write API. A
// rejected item (invalid, refers to a record that is missing, belongs to
// another origin) is counted with its reason and never stops the rest;
// only an error of next or of the store ends the import, after the
// transactions before it committed. Re-running an import changes nothing:
// a record whose content equals the stored one is unchanged and not
// written.
//
// Errors: what next returns; INTERNAL.
func Import(ctx context.Context, st *catalog.Store, next func() (*ImportItem, error), opt ImportOptions) (ImportSummary, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 1000
	}
	im := newImporter(st, opt)
	if err := st.View(ctx, im.loadExternal); err != nil {
		return im.sum, err
	}
	for {
		more := false
		err := st.Update(ctx, func(tx *catalog.Tx) error {
			var err error
			more, err = im.batch(tx, next, opt.BatchSize)
			if err == nil && !more {
				err = im.retry(tx)
			}
			if err == nil && opt.DryRun {
				err = errDryRun
			}
			return err
		})
		if errors.Is(err, errDryRun) {
			err = nil
		}
		if err != nil {
			return im.sum, err
		}
		if opt.Progress != nil {
			opt.Progress(im.sum)
		}
		if !more {
			return im.sum, nil
		}
	}
}

func newImporter(st *catalog.Store, opt ImportOptions) *importer {
	if opt.Actor == "" {
		opt.Actor = "import"
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	im := &importer{st: st, opt: opt, leika: map[string]string{}, sum: ImportSummary{DryRun: opt.DryRun}}
	maps.Copy(im.leika, opt.LeikaKeys)
	if opt.DryRun {
		im.created = map[string]bool{}
	}
	return im
}

type importer struct {
	st  *catalog.Store
	opt ImportOptions
	sum ImportSummary
	// leika maps a service ID seen in the import to its first LeiKa key.
	leika map[string]string
	// external maps kind TAB external ID to the record ID that lists it.
	external map[string]string
	// deferred are responsibilities whose service had not been seen yet.
	deferred []*ImportItem
	// created are kind TAB id of the records a dry run's rolled-back
	// batches created that other records may refer to.
	created map[string]bool
}

// loadExternal indexes the external IDs of the records an import could
// match by them (services and online services).
func (im *importer) loadExternal(tx *catalog.Tx) error {
	im.external = map[string]string{}
	for _, k := range []catalog.Kind{catalog.KindService, catalog.KindOnlineService} {
		err := tx.Each(k, func(r catalog.Record) (bool, error) {
			var ext []string
			switch r := r.(type) {
			case *catalog.Service:
				ext = r.ExternalIDs
			case *catalog.OnlineService:
				ext = r.ExternalIDs
			}
			for _, e := range ext {
				im.external[string(k)+"\t"+e] = catalog.MetaOf(r).ID
			}
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// batch applies up to n items (all when n < 0); more reports that next
// may have more.
func (im *importer) batch(tx *catalog.Tx, next func() (*ImportItem, error), n int) (more bool, err error) {
	for i := 0; n < 0 || i < n; i++ {
		it, err := next()
		if err != nil {
			return false, err
		}
		if it == nil {
			return false, nil
		}
		if err := im.apply(tx, it, true); err != nil {
			return false, err
		}
	}
	return true, nil
}

// retry applies the deferred responsibilities once more; those still
// unresolved are rejected.
func (im *importer) retry(tx *catalog.Tx) error {
	items := im.deferred
	im.deferred = nil
	for _, it := range items {
		if err := im.apply(tx, it, false); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) reject(tx *catalog.Tx, it *ImportItem, reason string) error {
	im.sum.Rejected++
	if len(im.sum.Rejections) < MaxRejections {
		im.sum.Rejections = append(im.sum.Rejections, Rejection{Kind: it.Kind, ID: it.ID, Where: it.Where, Reason: reason})
	}
	im.opt.Logger.Debug("import: rejected", "kind", it.Kind, "id", it.ID, "where", it.Where, "reason", reason)
	if im.opt.OnReject != nil {
		return im.opt.OnReject(tx, it, reason)
	}
	return nil
}

func (im *importer) skip(it *ImportItem, reason string) {
	im.sum.Skipped++
	if len(im.sum.Skips) < MaxRejections {
		im.sum.Skips = append(im.sum.Skips, Rejection{Kind: it.Kind, ID: it.ID, Where: it.Where, Reason: reason})
	}
}

func (im *importer) write() catalog.Write {
	w := catalog.Write{Actor: im.opt.Actor, Reason: im.opt.Reason, Mirror: im.opt.Mirror}
	if im.created != nil {
		w.Assume = im.assumed
	}
	return w
}

// assumed reports a record a dry run's earlier batch created.
func (im *importer) assumed(k catalog.Kind, id string) bool { return im.created[string(k)+"\t"+id] }

// exists reports a record in tx or, in a dry run, created by a batch before.
func (im *importer) exists(tx *catalog.Tx, k catalog.Kind, id string) bool {
	return tx.Exists(k, id) || im.created != nil && im.assumed(k, id)
}

func (im *importer) origin() string {
	if im.opt.Mirror {
		return im.opt.Origin
	}
	return im.st.Portal()
}

// apply applies one item. Only an internal error is returned; everything
// else is a rejection.
func (im *importer) apply(tx *catalog.Tx, it *ImportItem, mayDefer bool) error {
	switch {
	case it.Err != nil:
		return im.reject(tx, it, it.Err.Error())
	case it.Skip != "":
		im.skip(it, it.Skip)
		return nil
	case it.Delete:
		return im.delete(tx, it)
	case it.Record == nil:
		return im.reject(tx, it, "nothing to write")
	}
	rec := it.Record
	m := catalog.MetaOf(rec)
	if m.ID == "" && it.MatchExternal != "" {
		m.ID = im.external[string(it.Kind)+"\t"+it.MatchExternal]
	}
	if it.Patch != nil && m.ID != "" {
		cur, err := tx.Get(it.Kind, m.ID)
		switch catalog.ErrorCode(err) {
		case "":
			rec = it.Patch(cur)
			m = catalog.MetaOf(rec)
		case catalog.ENOTFOUND:
		default:
			return err
		}
	}
	if r, ok := rec.(*catalog.Responsibility); ok {
		resolved, err := im.resolve(tx, it, r)
		if err != nil {
			return err
		}
		if !resolved {
			if mayDefer {
				im.deferred = append(im.deferred, it)
				return nil
			}
			if it.HolderExternal != "" && r.OnlineServiceID == "" {
				return im.reject(tx, it, fmt.Sprintf("names online service %q, which is neither in the import nor in the catalogue", it.HolderExternal))
			}
			return im.reject(tx, it, fmt.Sprintf("names service %q, which is neither in the import nor in the catalogue", it.ServiceRef))
		}
	}
	m.Origin = im.origin()
	if s, ok := rec.(*catalog.Service); ok {
		if s.RegionKey == "" {
			s.RegionKey = im.opt.DefaultRegion
		}
		if im.opt.Mirror {
			// OZG bundles are the origin portal's reference data, which
			// XZuFi does not carry: a mirror keeps the memberships it
			// can resolve here.
			s.BundleIDs = slices.DeleteFunc(s.BundleIDs, func(id string) bool { _, err := tx.Bundle(id); return err != nil })
			if len(s.BundleIDs) == 0 {
				s.BundleIDs = nil
			}
		}
	}
	if m.ID != "" {
		cur, err := tx.Get(it.Kind, m.ID)
		switch catalog.ErrorCode(err) {
		case "":
			if o := catalog.MetaOf(cur).Origin; o != m.Origin {
				return im.reject(tx, it, fmt.Sprintf("%s %s belongs to %s here", it.Kind, m.ID, o))
			}
			if catalog.SameContent(cur, rec) {
				im.sum.Unchanged++
				im.noteService(rec)
				return nil
			}
			if err := tx.Put(rec, im.write()); err != nil {
				return im.putFailed(tx, it, err)
			}
			im.sum.Updated++
			im.noteService(rec)
			return nil
		case catalog.ENOTFOUND:
		default:
			return err
		}
	}
	if err := tx.Put(rec, im.write()); err != nil {
		return im.putFailed(tx, it, err)
	}
	im.sum.Created++
	im.noteService(rec)
	if im.created != nil {
		switch it.Kind {
		case catalog.KindRegion, catalog.KindBundle, catalog.KindOffice, catalog.KindOnlineService:
			im.created[string(it.Kind)+"\t"+m.ID] = true
		}
	}
	if it.MatchExternal != "" {
		im.external[string(it.Kind)+"\t"+it.MatchExternal] = m.ID
	}
	return nil
}

func (im *importer) noteService(rec catalog.Record) {
	if s, ok := rec.(*catalog.Service); ok && len(s.LeikaKeys) > 0 {
		im.leika[s.ID] = s.LeikaKeys[0]
	}
}

// resolve fills a responsibility's LeiKa key from the service it names
// and its holder when the input did not say whether it is an office or an
// online service.
func (im *importer) resolve(tx *catalog.Tx, it *ImportItem, r *catalog.Responsibility) (bool, error) {
	if it.HolderRef != "" && r.OfficeID == "" && r.OnlineServiceID == "" {
		if im.exists(tx, catalog.KindOffice, it.HolderRef) {
			r.OfficeID = it.HolderRef
		} else {
			r.OnlineServiceID = it.HolderRef
		}
	}
	if it.HolderExternal != "" && r.OnlineServiceID == "" {
		r.OnlineServiceID = im.external[string(catalog.KindOnlineService)+"\t"+it.HolderExternal]
		if r.OnlineServiceID == "" {
			return false, nil
		}
	}
	if r.ID == "" && r.LeikaKey != "" {
		// An input without IDs: the responsibility entered for the same
		// key, place, office or online service and role is the one meant.
		same, err := tx.ResponsibilitiesAt(r.LeikaKey, r.RegionKey)
		if err != nil {
			return false, err
		}
		for _, c := range same {
			if c.OfficeID == r.OfficeID && c.OnlineServiceID == r.OnlineServiceID && c.Role == r.Role {
				r.ID = c.ID
				break
			}
		}
	}
	if it.ServiceRef == "" || r.LeikaKey != "" {
		return true, nil
	}
	if k, ok := im.leika[it.ServiceRef]; ok {
		r.LeikaKey = k
		return true, nil
	}
	s, err := tx.Service(it.ServiceRef)
	switch catalog.ErrorCode(err) {
	case "":
		if len(s.LeikaKeys) > 0 {
			r.LeikaKey = s.LeikaKeys[0]
			im.leika[s.ID] = r.LeikaKey
			return true, nil
		}
		return false, nil
	case catalog.ENOTFOUND:
		return false, nil
	}
	return false, err
}

func (im *importer) putFailed(tx *catalog.Tx, it *ImportItem, err error) error {
	if catalog.ErrorCode(err) == catalog.EINTERNAL {
		return err
	}
	return im.reject(tx, it, describeErr(err))
}

// describeErr lists every broken rule of a catalogue error with its field.
func describeErr(err error) string {
	var es catalog.Errors
	if errors.As(err, &es) {
		parts := make([]string, len(es))
		for i, e := range es {
			parts[i] = describeErr(e)
		}
		return strings.Join(parts, "; ")
	}
	var e *catalog.Error
	if errors.As(err, &e) && e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Field, e.Message, e.Rule)
	}
	return catalog.ErrorMessage(err)
}

func (im *importer) delete(tx *catalog.Tx, it *ImportItem) error {
	if !im.opt.Deletes {
		im.skip(it, "deletion not applied: deletions apply only when asked for (-delete)")
		return nil
	}
	cur, err := tx.Get(it.Kind, it.ID)
	switch catalog.ErrorCode(err) {
	case "":
	case catalog.ENOTFOUND:
		im.sum.Unchanged++
		return nil
	default:
		return err
	}
	if o := catalog.MetaOf(cur).Origin; o != im.origin() {
		return im.reject(tx, it, fmt.Sprintf("%s %s belongs to %s here", it.Kind, it.ID, o))
	}
	if err := tx.Delete(it.Kind, it.ID, im.write()); err != nil {
		return im.putFailed(tx, it, err)
	}
	im.sum.Deleted++
	return nil
}
