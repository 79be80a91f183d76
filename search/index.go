package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"golang.org/x/net/html"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/backoff"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// MappingVersion is the version of the index layout: fields, analysers,
// synonyms that are applied at index time. An index written with another
// version is rebuilt when it is opened. Bump it with every change to
// newMapping, the analysis chain or document.
const MappingVersion = 3

// Keys of the values the index stores about itself (Bleve internal storage).
var (
	keyCheckpoint = []byte("lf.checkpoint") // 8-byte big-endian change-log revision
	keyLogMark    = []byte("lf.logmark")    // the change-log entry at the checkpoint, to detect a replaced store
	keyMapping    = []byte("lf.mapping")    // MappingVersion as decimal text
	keyDictDocs   = []byte("lf.dictdocs")   // services the compound dictionary was built from
)

const (
	defaultPageSize = 2000 // change-log entries per catch-up batch
	batchDocs       = 500  // documents per rebuild batch
)

// Index is the search projection of a catalogue store. All methods are safe
// for concurrent use; searches run while the index catches up or rebuilds.
type Index struct {
	path     string
	st       *catalog.Store
	log      *slog.Logger
	pageSize int // change-log entries per batch (tests make it small)

	wmu    sync.Mutex   // serialises writers: CatchUp, Rebuild, Close
	mu     sync.RWMutex // guards cur and closed; a search holds the read lock throughout
	cur    *projection  // nil after Close, or after a failed swap of a rebuilt index on disk
	closed bool         // Close was called: cur stays nil

	rebuilds atomic.Int64 // full rebuilds done, for tests and logs
	// reindexed counts the documents re-indexed since the segments were
	// last merged (compact.go).
	reindexed  atomic.Int64
	mergeAfter int64  // mergeAfterDocs; tests make it small
	health     health // failures of catch-up and rebuild, for /readyz and metrics
	retry      backoff.Policy
	faults     func(step string) error // tests only: see fault
	// bulkHead is the store's head when the last batch took a bulk
	// writer's backlog, 0 after an ordinary one (bulk.go).
	bulkHead    atomic.Uint64
	bulkBacklog int           // defaultBulkBacklog
	bulkPause   time.Duration // defaultBulkPause
}

// projection is one Bleve index with the derived tables that belong to it.
// A rebuild makes a new one and swaps it in whole.
type projection struct {
	bi       bleve.Index
	st       *catalog.Store
	places   atomic.Pointer[placeTable]
	placesMu sync.Mutex                   // serialises refreshes of places when a validity boundary passed
	dict     atomic.Pointer[synonymIndex] // the catalogue's search dictionary, stored before the projection is used
	rev      atomic.Uint64
	dictDocs int
	// bounded is set once a document with a bounded validity is indexed:
	// only then must searches filter by the day, which costs two numeric
	// range searches per query. It stays set until a rebuild.
	bounded atomic.Bool
	// analyses and freqs are what query rewriting looked up (lookups.go).
	analyses lookups[analysisKey, []position]
	freqs    atomic.Pointer[termFreqs]
	// postings holds decoded postings of searched terms (postings.go);
	// nil searches with Bleve's term searchers only.
	postings *postingsCache
	// bleveOnly runs every search through Bleve's searchers, not the
	// evaluator (evaluator.go): tests compare the two.
	bleveOnly bool
	// evaluated counts the searches the evaluator answered.
	evaluated atomic.Uint64
}

// document is what the index stores for one published service.
type document struct {
	NameDE     []string `json:"name_de"` // formal name (02) and citizen name (03)
	KeywordsDE []string `json:"kw_de"`
	ShortDE    string   `json:"short_de"` // 05, without HTML
	FullDE     string   `json:"full_de"`  // 06, without HTML
	TermsDE    []string `json:"terms_de"` // terms in context
	NameEN     []string `json:"name_en"`
	KeywordsEN []string `json:"kw_en"`
	TermsEN    []string `json:"terms_en"`
	// LocalDE and LocalEN are the published local terms, one value per
	// local addition: its region key, then its terms (see local.go);
	// LocalARS are those region keys.
	LocalDE    []string `json:"local_de"`
	LocalEN    []string `json:"local_en"`
	LocalARS   []string `json:"local_ars"`
	ShortEN    string   `json:"short_en"`
	FullEN     string   `json:"full_en"`
	Leika      []string `json:"leika"`
	Categories []string `json:"category"`
	Addressees []string `json:"addressee"`
	Bundles    []string `json:"bundle"`
	Situations []string `json:"situation"` // life situation IDs
	// NameLangs are the languages the service has a name in: a hit for a
	// query in another language is a fallback.
	NameLangs []string `json:"name_lang"`
	Online    string   `json:"online"` // "true" or "false"
	Origin    string   `json:"origin"`
	ARS       []string `json:"ars"` // region keys where a LeiKa key of the service has a responsibility
	// ValidFrom and ValidTo are the validity period as days since
	// 1970-01-01 (open ends: 0 and maxDay), filtered at query time: a
	// version entered ahead becomes searchable on its day without a write.
	ValidFrom float64 `json:"valid_from"`
	ValidTo   float64 `json:"valid_to"`
}

// maxDay stands for an open end of a validity period.
const maxDay = 1 << 30

// day returns the day number of t (UTC date).
func day(t time.Time) float64 {
	y, m, d := t.UTC().Date()
	return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Index field names.
const (
	fieldLeika     = "leika"
	fieldCategory  = "category"
	fieldAddressee = "addressee"
	fieldBundle    = "bundle"
	fieldOnline    = "online"
	fieldOrigin    = "origin"
	fieldARS       = "ars"
	fieldSituation = "situation"
	fieldNameLang  = "name_lang"
	fieldValidFrom = "valid_from"
	fieldValidTo   = "valid_to"
)

// newMapping returns the explicit, static mapping of the index.
func newMapping(dict []string) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := addAnalysis(m, dict); err != nil {
		return nil, err
	}
	if err := addLocalAnalysis(m); err != nil {
		return nil, err
	}
	m.DefaultAnalyzer = analyzerDE
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	dm := bleve.NewDocumentStaticMapping()
	text := func(name, analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Name, f.Analyzer = name, analyzer
		f.Store, f.IncludeTermVectors = store, store
		f.IncludeInAll, f.DocValues = false, false
		return f
	}
	kw := func(name string) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Name, f.Analyzer = name, keyword.Name
		f.Store, f.IncludeTermVectors, f.IncludeInAll = name == fieldLeika || name == fieldNameLang, false, false
		f.DocValues = true
		return f
	}
	for _, l := range []struct{ lang, an, vocab string }{{"de", analyzerDE, analyzerVocabDE}, {"en", analyzerEN, analyzerVocabEN}} {
		dm.AddFieldMappingsAt("name_"+l.lang, text("name_"+l.lang, l.an, true), text("vocab_"+l.lang, l.vocab, false))
		dm.AddFieldMappingsAt("kw_"+l.lang, text("kw_"+l.lang, l.an, true), text("vocab_"+l.lang, l.vocab, false))
		dm.AddFieldMappingsAt("terms_"+l.lang, text("terms_"+l.lang, l.an, true), text("vocab_"+l.lang, l.vocab, false))
		dm.AddFieldMappingsAt("short_"+l.lang, text("short_"+l.lang, l.an, true))
		dm.AddFieldMappingsAt("full_"+l.lang, text("full_"+l.lang, l.an, false))
	}
	dm.AddFieldMappingsAt("local_de", text("local_de", analyzerLocalDE, false))
	dm.AddFieldMappingsAt("local_en", text("local_en", analyzerLocalEN, false))
	for _, f := range []string{fieldLeika, fieldCategory, fieldAddressee, fieldBundle, fieldOnline, fieldOrigin, fieldARS, fieldSituation, fieldNameLang, fieldLocalARS} {
		dm.AddFieldMappingsAt(f, kw(f))
	}
	for _, f := range []string{fieldValidFrom, fieldValidTo} {
		n := bleve.NewNumericFieldMapping()
		n.Name, n.Store, n.IncludeInAll, n.DocValues = f, false, false, false
		dm.AddFieldMappingsAt(f, n)
	}
	m.DefaultMapping = dm
	return m, nil
}

// Open opens the index at path (a directory; "" keeps it in memory) as the
// projection of st. An index that does not exist, cannot be read, was
// written with another MappingVersion or for another store history is
// rebuilt; an existing one catches up from its checkpoint. Open returns an
// index that is current with the store. Errors: INTERNAL.
func Open(path string, st *catalog.Store, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ix := &Index{path: path, st: st, log: log, pageSize: defaultPageSize, retry: defaultRetry, mergeAfter: mergeAfterDocs,
		bulkBacklog: defaultBulkBacklog, bulkPause: defaultBulkPause}
	ctx := context.Background()
	if path == "" {
		p, err := ix.build(ctx, nil)
		if err != nil {
			return nil, err
		}
		ix.cur = p
		return ix, nil
	}
	p, reason := ix.openExisting(ctx)
	if p == nil {
		log.Info("search index: building", "path", path, "reason", reason)
		if err := ix.Rebuild(ctx, nil); err != nil {
			return nil, err
		}
		return ix, nil
	}
	ix.cur = p
	if err := ix.CatchUp(ctx); err != nil {
		ix.Close()
		return nil, err
	}
	if segments(p.bi) > mergeAtOpen {
		ix.reindexed.Store(ix.mergeAfter) // Run merges them, after Open answers
	}
	return ix, nil
}

// openExisting opens the index at ix.path and checks that it can follow the
// store. It returns nil and the reason when the index must be rebuilt.
func (ix *Index) openExisting(ctx context.Context) (*projection, string) {
	bi, err := bleve.Open(ix.path)
	if err != nil {
		if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
			return nil, "no index"
		}
		return nil, "unreadable: " + err.Error()
	}
	reason := ""
	v, _ := bi.GetInternal(keyMapping)
	rev, _ := bi.GetInternal(keyCheckpoint)
	mark, _ := bi.GetInternal(keyLogMark)
	switch {
	case string(v) != fmt.Sprint(MappingVersion):
		reason = fmt.Sprintf("mapping version %q, code has %d", v, MappingVersion)
	case len(rev) != 8:
		reason = "no checkpoint (incomplete build)"
	}
	p := &projection{bi: bi, st: ix.st, postings: &postingsCache{}}
	if reason == "" {
		p.rev.Store(binary.BigEndian.Uint64(rev))
		if d, err := bi.GetInternal(keyDictDocs); err == nil {
			fmt.Sscan(string(d), &p.dictDocs)
		}
		err := ix.st.View(ctx, func(tx *catalog.Tx) error {
			if p.rev.Load() > tx.Revision() {
				reason = fmt.Sprintf("checkpoint %d is ahead of the store (%d)", p.rev.Load(), tx.Revision())
				return nil
			}
			if p.rev.Load()+1 < tx.FirstRevision() {
				reason = fmt.Sprintf("the change log was compacted past the checkpoint %d", p.rev.Load())
				return nil
			}
			if m, err := logMark(tx, p.rev.Load()); err != nil || m != string(mark) {
				reason = "the store's change log differs from the one indexed"
				return nil
			}
			p.bounded.Store(anyBounded(bi))
			places, err := buildPlaces(tx, ix.st.Now())
			if err != nil {
				return err
			}
			p.places.Store(places)
			dict, err := loadDictionary(tx)
			p.dict.Store(dict)
			return err
		})
		if err != nil {
			reason = "store: " + err.Error()
		}
	}
	if reason != "" {
		bi.Close()
		return nil, reason
	}
	return p, ""
}

// logMark identifies the change-log entry at rev, so that an index built
// from another store (a restored backup that diverged) is not mistaken for
// a projection of this one.
func logMark(tx *catalog.Tx, rev uint64) (string, error) {
	if rev == 0 {
		return "", nil
	}
	ch, err := tx.Changes(rev-1, 1)
	if err != nil || len(ch) == 0 {
		return "", fmt.Errorf("no change-log entry %d", rev)
	}
	c := ch[0]
	return fmt.Sprintf("%d %s %s %s %d", c.Revision, c.Kind, c.ID, c.Time.UTC().Format(time.RFC3339Nano), c.Version), nil
}

// Close closes the index. Searches after Close fail with INTERNAL.
func (ix *Index) Close() error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.closed = true
	if ix.cur == nil {
		return nil
	}
	err := ix.cur.bi.Close()
	ix.cur = nil
	return err
}

// Revision returns the change-log revision the index has applied (its
// checkpoint).
func (ix *Index) Revision() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.cur == nil {
		return 0
	}
	return ix.cur.rev.Load()
}

// DocCount returns the number of services in the index.
func (ix *Index) DocCount() (int, error) {
	p, release, err := ix.acquire()
	if err != nil {
		return 0, err
	}
	defer release()
	n, err := p.bi.DocCount()
	if err != nil {
		return 0, catalog.Internal(err)
	}
	return int(n), nil
}

var (
	errClosed = catalog.Internal(errors.New("search index is closed"))
	// errUnavailable: a rebuilt index could not be swapped in and the old
	// one could not be reopened. Run rebuilds it with backoff.
	errUnavailable = catalog.Internal(errors.New("search index is unavailable until a rebuild succeeds"))
)

// acquire returns the current projection under the read lock.
func (ix *Index) acquire() (*projection, func(), error) {
	ix.mu.RLock()
	if ix.cur == nil {
		err := errUnavailable
		if ix.closed {
			err = errClosed
		}
		ix.mu.RUnlock()
		return nil, nil, err
	}
	return ix.cur, ix.mu.RUnlock, nil
}

// CatchUp applies every change-log entry after the checkpoint. Each batch
// of documents is written together with its new checkpoint, so after a
// crash the index resumes where its last batch ended. When the store has
// compacted its log past the checkpoint, or an earlier rebuild left no
// index, CatchUp rebuilds. Errors: INTERNAL, or ctx's error.
func (ix *Index) CatchUp(ctx context.Context) error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.RLock()
	p, closed := ix.cur, ix.closed
	ix.mu.RUnlock()
	switch {
	case closed:
		return errClosed
	case p == nil:
		ix.log.Warn("search index: no index since a failed rebuild; rebuilding")
		return ix.rebuild(ctx, nil)
	}
	err := ix.catchUp(ctx, p)
	if errors.Is(err, catalog.ErrCompacted) {
		ix.log.Warn("search index: the change log was compacted past the checkpoint; rebuilding", "checkpoint", p.rev.Load())
		return ix.rebuild(ctx, nil)
	}
	return err
}

func (ix *Index) catchUp(ctx context.Context, p *projection) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		more, err := ix.applyPage(ctx, p)
		if err != nil || !more {
			return err
		}
		if err := ix.pauseBehindBulk(ctx); err != nil {
			return err
		}
	}
}

// applyPage applies the next page of the change log in one batch and
// reports whether there was one.
func (ix *Index) applyPage(ctx context.Context, p *projection) (bool, error) {
	var (
		batch  *bleve.Batch
		last   uint64
		places *placeTable
		dict   *synonymIndex
		n      int
		staged int
	)
	err := ix.st.View(ctx, func(tx *catalog.Tx) error {
		changes, err := ix.nextChanges(tx, p.rev.Load())
		if err != nil || len(changes) == 0 {
			return err
		}
		n = len(changes)
		services := map[string]bool{}
		leikaSeen := map[string]bool{}
		regions, concepts := false, false
		for _, ch := range changes {
			if ch.Op == catalog.OpIndexed {
				// A mirror's first load wrote its records' index entries
				// last: what was indexed meanwhile lacks their places.
				err := tx.Each(catalog.KindService, func(r catalog.Record) (bool, error) {
					services[catalog.MetaOf(r).ID] = true
					return true, nil
				})
				if err != nil {
					return err
				}
				regions = true
				continue
			}
			switch ch.Kind {
			case catalog.KindService:
				services[ch.ID] = true
			case catalog.KindResponsibility:
				keys, err := respKeys(tx, ch)
				if err != nil {
					return err
				}
				for _, k := range keys {
					// A page of a snapshot swap holds hundreds of
					// responsibilities per service: look each key up once.
					if leikaSeen[k] {
						continue
					}
					leikaSeen[k] = true
					svcs, err := tx.ServicesByLeika(k)
					if err != nil {
						return err
					}
					for _, s := range svcs {
						services[s.ID] = true
					}
				}
			case catalog.KindSpecialisation:
				k, err := specialisationLeika(tx, ch)
				if err != nil {
					return err
				}
				if k == "" {
					continue // a text addition: not indexed
				}
				svcs, err := tx.ServicesByLeika(k)
				if err != nil {
					return err
				}
				for _, s := range svcs {
					services[s.ID] = true
				}
			case catalog.KindRegion:
				regions = true
			case catalog.KindConcept:
				concepts = true
			}
		}
		batch = p.bi.NewBatch()
		ids := make([]string, 0, len(services))
		for id := range services {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		staged = len(ids)
		for _, id := range ids {
			if err := stage(tx, p, batch, id); err != nil {
				return err
			}
		}
		last = changes[len(changes)-1].Revision
		mark, err := logMark(tx, last)
		if err != nil {
			return catalog.Internal(err)
		}
		batch.SetInternal(keyCheckpoint, binary.BigEndian.AppendUint64(nil, last))
		batch.SetInternal(keyLogMark, []byte(mark))
		if regions {
			if places, err = buildPlaces(tx, ix.st.Now()); err != nil {
				return err
			}
		}
		if concepts {
			if dict, err = loadDictionary(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	if batch == nil {
		return false, nil
	}
	if err := p.bi.Batch(batch); err != nil {
		return false, catalog.Internal(fmt.Errorf("search index batch: %w", err))
	}
	p.indexChanged()
	p.rev.Store(last)
	ix.reindexed.Add(int64(staged))
	if places != nil {
		p.places.Store(places)
	}
	if dict != nil {
		p.dict.Store(dict)
	}
	ix.log.Debug("search index: applied changes", "changes", n, "revision", last)
	return true, nil
}

// pageLimit is how many change-log entries the next batch takes when
// the store's log is at head and the index at at: pageSize, or farBehindPages
// times that when it is further behind than that (a federation snapshot
// swap writes millions of responsibilities). Every batch is a new Bleve
// segment that has to be merged, and a service whose responsibilities
// span pages is indexed again per page; fewer, larger batches do both
// less often.
func (ix *Index) pageLimit(head, at uint64) int {
	if head > at && head-at > uint64(farBehindPages*ix.pageSize) {
		return farBehindPages * ix.pageSize
	}
	return ix.pageSize
}

// farBehindPages: see pageLimit.
const farBehindPages = 16

// respKeys returns the LeiKa keys whose documents a change of a
// responsibility affects: the key of the version it replaced or deleted,
// and the key of the version it wrote. The catalogue's history has both;
// when compaction has removed one, only a rebuild knows which documents
// named it, and the error says so.
func respKeys(tx *catalog.Tx, ch catalog.Change) ([]string, error) {
	compacted := &catalog.Error{Code: catalog.ENOTFOUND, Rule: catalog.RuleCompacted,
		Message: fmt.Sprintf("the history of responsibility %s was compacted", ch.ID)}
	var keys []string
	prev, err := tx.VersionBefore(catalog.KindResponsibility, ch.ID, ch.Revision)
	switch {
	case err != nil:
		return nil, err
	case prev != nil:
		keys = append(keys, prev.(*catalog.Responsibility).LeikaKey)
	case ch.Op == catalog.OpDelete || ch.Version > 1:
		return nil, compacted
	}
	if ch.Op == catalog.OpPut {
		cur, err := tx.VersionAt(catalog.KindResponsibility, ch.ID, ch.Revision)
		switch {
		case catalog.ErrorCode(err) == catalog.ENOTFOUND:
			return nil, compacted
		case err != nil:
			return nil, err
		}
		if k := cur.(*catalog.Responsibility).LeikaKey; len(keys) == 0 || keys[0] != k {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// stage adds the current state of a service to batch: its document when it
// is published, a delete otherwise.
func stage(tx *catalog.Tx, p *projection, batch *bleve.Batch, id string) error {
	svc, err := tx.Service(id)
	switch {
	case catalog.ErrorCode(err) == catalog.ENOTFOUND:
		batch.Delete(id)
		return nil
	case err != nil:
		return err
	case svc.Status != catalog.StatusPublished:
		batch.Delete(id)
		return nil
	}
	d, err := newDocument(tx, svc)
	if err != nil {
		return err
	}
	if d.bounded() {
		p.bounded.Store(true)
	}
	return batch.Index(id, d)
}

// bounded reports whether the document's validity has a start or an end.
func (d *document) bounded() bool { return d.ValidFrom != 0 || d.ValidTo != maxDay }

// anyBounded reports whether an index holds a document with a bounded
// validity (an index opened from disk).
func anyBounded(bi bleve.Index) bool {
	one, last := 1.0, float64(maxDay-1)
	from := bleve.NewNumericRangeInclusiveQuery(&one, nil, &inclusive, nil)
	from.SetField(fieldValidFrom)
	to := bleve.NewNumericRangeInclusiveQuery(nil, &last, nil, &inclusive)
	to.SetField(fieldValidTo)
	res, err := bi.Search(bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(from, to), 0, 0, false))
	return err != nil || res.Total > 0
}

// newDocument returns the document of a service; the region keys of its
// responsibilities and whether one is online are read from the catalogue.
func newDocument(tx *catalog.Tx, s *catalog.Service) (*document, error) {
	d := &document{
		Leika:      s.LeikaKeys,
		Categories: s.Categories,
		Bundles:    s.BundleIDs,
		Origin:     s.Origin,
		Online:     "false",
		KeywordsDE: s.Keywords[i18n.DE],
		KeywordsEN: s.Keywords[i18n.EN],
		Situations: s.LifeSituationIDs,
		ValidTo:    maxDay,
	}
	for _, t := range s.Terms {
		if t.Lang == i18n.EN {
			d.TermsEN = append(d.TermsEN, t.Text)
		} else {
			d.TermsDE = append(d.TermsDE, t.Text)
		}
	}
	if err := d.addLocalTerms(tx, s); err != nil {
		return nil, err
	}
	if v := s.Validity.From; v != nil {
		d.ValidFrom = day(*v)
	}
	if v := s.Validity.To; v != nil {
		d.ValidTo = day(*v)
	}
	for _, a := range s.Addressees {
		d.Addressees = append(d.Addressees, string(a))
	}
	text := func(m catalog.Module, lang string) string { return s.Texts[m][lang].Value }
	for _, m := range []catalog.Module{catalog.ModuleName, catalog.ModuleCitizenName} {
		if v := text(m, i18n.DE); v != "" {
			d.NameDE = append(d.NameDE, v)
		}
		if v := text(m, i18n.EN); v != "" {
			d.NameEN = append(d.NameEN, v)
		}
	}
	if len(d.NameDE) > 0 {
		d.NameLangs = append(d.NameLangs, i18n.DE)
	}
	if len(d.NameEN) > 0 {
		d.NameLangs = append(d.NameLangs, i18n.EN)
	}
	d.ShortDE = plainText(text(catalog.ModuleShortText, i18n.DE))
	d.FullDE = plainText(text(catalog.ModuleFullText, i18n.DE))
	d.ShortEN = plainText(text(catalog.ModuleShortText, i18n.EN))
	d.FullEN = plainText(text(catalog.ModuleFullText, i18n.EN))
	ars, online, err := servicePlaces(tx, s)
	if err != nil {
		return nil, err
	}
	d.ARS = ars
	if online {
		d.Online = "true"
	}
	return d, nil
}

// servicePlaces returns the region keys where a service has a
// responsibility under any of its LeiKa keys, sorted and without repeats,
// and whether one of them is an online service: the places its search
// document has (newDocument), and what Explain reports.
func servicePlaces(tx *catalog.Tx, s *catalog.Service) (ars []string, online bool, err error) {
	seen := map[string]bool{}
	for _, k := range s.LeikaKeys {
		keys, on, err := tx.ResponsibilityPlaces(k)
		if err != nil {
			return nil, false, err
		}
		for _, a := range keys {
			if !seen[a] {
				seen[a] = true
				ars = append(ars, a)
			}
		}
		online = online || on
	}
	sort.Strings(ars)
	return ars, online, nil
}

// plainText returns the text of an HTML fragment (the PVOG whitelist),
// with a space for every tag so that words of adjacent elements stay apart.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		default:
			b.WriteByte(' ')
		}
	}
}

// Rebuild builds a new index from the store and swaps it in; searches use
// the old one until then. progress, if not nil, is called after every batch
// with the services done and the total. Errors: INTERNAL, or ctx's error.
func (ix *Index) Rebuild(ctx context.Context, progress func(done, total int)) error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	return ix.rebuild(ctx, progress)
}

// rebuild is Rebuild with ix.wmu held.
func (ix *Index) rebuild(ctx context.Context, progress func(done, total int)) error {
	p, err := ix.build(ctx, progress)
	if err != nil {
		return err
	}
	if ix.path == "" {
		ix.mu.Lock()
		old := ix.cur
		ix.cur = p
		ix.mu.Unlock()
		if old != nil {
			old.bi.Close()
		}
		return nil
	}
	// On disk the new index was built beside the old one; it is closed,
	// renamed into place and opened again (scorch keeps its path).
	if err := p.bi.Close(); err != nil {
		return catalog.Internal(err)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		os.RemoveAll(ix.buildPath())
		return errClosed
	}
	old := ix.cur
	if old != nil {
		old.bi.Close()
		ix.cur = nil
	}
	if err := ix.swapIn(); err != nil {
		// The old index is back in its place: search goes on with it
		// until a rebuild succeeds.
		if old != nil {
			if bi, oerr := ix.openPath(); oerr == nil {
				old.bi = bi
				old.indexChanged()
				ix.cur = old
			} else {
				ix.log.Error("search index: the old index does not open again either", "err", oerr)
			}
		}
		return catalog.Internal(fmt.Errorf("swap in the rebuilt search index: %w", err))
	}
	bi, err := ix.openPath()
	if err != nil {
		return catalog.Internal(fmt.Errorf("open the rebuilt search index: %w", err))
	}
	p.bi = bi
	ix.cur = p
	return nil
}

// swapIn moves the index built at buildPath to path. When that fails, the
// previous index is moved back.
func (ix *Index) swapIn() error {
	old := ix.path + ".old"
	os.RemoveAll(old)
	if err := os.Rename(ix.path, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	err := ix.fault("swap")
	if err == nil {
		err = os.Rename(ix.buildPath(), ix.path)
	}
	if err != nil {
		os.RemoveAll(ix.path)
		os.Rename(old, ix.path)
		os.RemoveAll(ix.buildPath())
		return err
	}
	os.RemoveAll(old)
	return nil
}

// openPath opens the index at path.
func (ix *Index) openPath() (bleve.Index, error) {
	if err := ix.fault("open"); err != nil {
		return nil, err
	}
	return bleve.Open(ix.path)
}

// fault returns the error a test injected for a step of the on-disk swap
// (faults is nil outside tests): a full disk or a lost directory cannot
// be provoked for real in a test that runs as root.
func (ix *Index) fault(step string) error {
	if ix.faults == nil {
		return nil
	}
	return ix.faults(step)
}

func (ix *Index) buildPath() string { return ix.path + ".rebuild" }

// build makes a complete projection from one consistent read of the store
// and catches it up to the store's latest revision.
func (ix *Index) build(ctx context.Context, progress func(done, total int)) (_ *projection, err error) {
	start := time.Now()
	p := &projection{st: ix.st, postings: &postingsCache{}}
	dir := ""
	if ix.path != "" {
		dir = ix.buildPath()
		if err := os.RemoveAll(dir); err != nil {
			return nil, catalog.Internal(err)
		}
	}
	defer func() {
		if err != nil && p.bi != nil {
			p.bi.Close()
			if dir != "" {
				os.RemoveAll(dir)
			}
		}
	}()
	var docs int
	err = ix.st.View(ctx, func(tx *catalog.Tx) error {
		rev := tx.Revision()
		dict, dictDocs, err := compoundDictionary(tx)
		if err != nil {
			return err
		}
		m, err := newMapping(dict)
		if err != nil {
			return catalog.Internal(err)
		}
		// Scorch in both cases ("" keeps it in memory): Bleve's NewMemOnly
		// is the older upsidedown format, which lacks the fuzzy term
		// dictionary that typo correction reads.
		p.bi, err = bleve.NewUsing(dir, m, scorch.Name, scorch.Name, nil)
		if err != nil {
			return catalog.Internal(fmt.Errorf("create search index: %w", err))
		}
		p.dictDocs = dictDocs
		places, err := buildPlaces(tx, ix.st.Now())
		if err != nil {
			return err
		}
		p.places.Store(places)
		words, err := loadDictionary(tx)
		if err != nil {
			return err
		}
		p.dict.Store(words)
		total := tx.Count(catalog.KindService)
		batch := p.bi.NewBatch()
		done := 0
		flush := func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := p.bi.Batch(batch); err != nil {
				return catalog.Internal(err)
			}
			batch.Reset()
			if progress != nil {
				progress(done, total)
			}
			return nil
		}
		err = tx.Each(catalog.KindService, func(r catalog.Record) (bool, error) {
			s := r.(*catalog.Service)
			done++
			if s.Status == catalog.StatusPublished {
				d, err := newDocument(tx, s)
				if err != nil {
					return false, err
				}
				if d.bounded() {
					p.bounded.Store(true)
				}
				if err := batch.Index(s.ID, d); err != nil {
					return false, catalog.Internal(err)
				}
				docs++
			}
			if batch.Size() >= batchDocs {
				return true, flush()
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		mark, err := logMark(tx, rev)
		if err != nil {
			return catalog.Internal(err)
		}
		batch.SetInternal(keyCheckpoint, binary.BigEndian.AppendUint64(nil, rev))
		batch.SetInternal(keyLogMark, []byte(mark))
		batch.SetInternal(keyMapping, []byte(fmt.Sprint(MappingVersion)))
		batch.SetInternal(keyDictDocs, []byte(fmt.Sprint(dictDocs)))
		if err := flush(); err != nil {
			return err
		}
		p.rev.Store(rev)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := ix.catchUp(ctx, p); err != nil {
		return nil, err
	}
	if err := ix.mergeSegments(ctx, p.bi); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		ix.log.Warn("search index: merging the new index's segments failed; it serves with them", "err", err)
	}
	ix.reindexed.Store(0)
	ix.rebuilds.Add(1)
	ix.log.Info("search index built", "documents", docs, "revision", p.rev.Load(),
		"took", time.Since(start))
	return p, nil
}

// defaultRetry is Run's schedule after a failed catch-up or rebuild.
var defaultRetry = backoff.Policy{Min: time.Second, Max: time.Minute}

// Run keeps the index current: it catches up, then waits for the store's
// next commit, until ctx ends. A failed catch-up or rebuild (also one that
// left no index: a rebuilt index on disk that could not be swapped in) is
// retried with backoff until it succeeds; meanwhile Health reports the
// failures. When the catalogue has grown well beyond the vocabulary the
// compound dictionary was built from (an index opened on an empty store
// before the demo was loaded), Run rebuilds once so that the dictionary
// covers the new words. Run returns nil when ctx ends or the index is
// closed.
func (ix *Index) Run(ctx context.Context) error {
	for {
		changed := ix.st.Changed()
		err := ix.CatchUp(ctx)
		if err == nil && ix.vocabularyStale() {
			ix.log.Info("search index: rebuilding for the grown vocabulary")
			err = ix.Rebuild(ctx, nil)
		}
		if err == nil {
			ix.mergeIfDue(ctx)
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errClosed):
			return nil
		case err != nil:
			failures := ix.health.failed(err, ix.st.Now())
			ix.log.Error("search index: catch-up or rebuild failed; retrying", "err", err, "failures", failures)
			if !ix.retry.Wait(ctx, failures) {
				return nil
			}
			continue
		}
		if failures := ix.health.recovered(); failures > 0 {
			ix.log.Info("search index: following the change log again", "failures", failures)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

func (ix *Index) vocabularyStale() bool {
	p, release, err := ix.acquire()
	if err != nil {
		return false
	}
	defer release()
	n, err := p.bi.DocCount()
	return err == nil && int(n) > 2*p.dictDocs+50
}

// served returns a check of whether the catalogue has responsibilities in
// the state of a region key (the states the portal serves), read from the
// store once per state and query.
func (p *projection) served(ctx context.Context) func(ars string) bool {
	memo := map[string]bool{}
	return func(ars string) bool {
		if len(ars) != 12 || ars[:2] == catalog.Bund[:2] {
			return false
		}
		state := ars[:2] + "0000000000"
		v, ok := memo[state]
		if !ok {
			_ = p.st.View(ctx, func(tx *catalog.Tx) error { v = tx.HasResponsibilityIn(state); return nil })
			memo[state] = v
		}
		return v
	}
}

// compoundDictionary returns the words compounds are split into: the hand
// list plus the vocabulary of the published services' names, keywords and
// short texts (German, folded, at least four letters, no stop words), and
// the number of services it was built from.
func compoundDictionary(tx *catalog.Tx) ([]string, int, error) {
	words := map[string]bool{}
	nameWords := map[string]bool{} // of names and keywords, mostly nouns
	for w := range handParts {
		words[w] = true
	}
	n := 0
	err := tx.Each(catalog.KindService, func(r catalog.Record) (bool, error) {
		s := r.(*catalog.Service)
		if s.Status != catalog.StatusPublished {
			return true, nil
		}
		n++
		names := append([]string{s.Texts[catalog.ModuleName][i18n.DE].Value, s.Texts[catalog.ModuleCitizenName][i18n.DE].Value},
			s.Keywords[i18n.DE]...)
		for i, t := range append(names, plainText(s.Texts[catalog.ModuleShortText][i18n.DE].Value)) {
			for _, w := range queryWords(t) {
				if isVocabularyWord(w.folded) {
					words[w.folded] = true
					if i < len(names) {
						nameWords[w.folded] = true
					}
				}
			}
		}
		return true, nil
	})
	for _, w := range derivedParts(nameWords, words) {
		words[w] = true
	}
	out := make([]string, 0, len(words))
	for w := range words {
		out = append(out, w)
	}
	sort.Strings(out)
	return out, n, err
}

// derivedParts returns the modifiers of the compounds in names and
// keywords: when such a word ends in a dictionary word of four letters or
// more, what comes before it (without a Fugen-s) is a word too.
// "Insolvenzgeld" ends in "geld", so "insolvenz" is a part, and a search
// for Insolvenz finds Insolvenzgeld though the catalogue never writes the
// word alone. Only names and keywords, which are mostly nouns: in running
// text, "geltenden" would yield "gelt" + "enden". Only modifiers: a head
// derived from a known modifier ("erst" + "attung") would too often be a
// fragment.
func derivedParts(names, words map[string]bool) []string {
	var out []string
	for w := range names {
		r := []rune(w)
		for k := 4; k <= len(r)-4; k++ {
			head := string(r[k:])
			// A head from the hand list, or a long one: short words of
			// running text ("enden") end too many others by chance.
			if !words[head] || len(r)-k < 6 && !handParts[head] {
				continue
			}
			mod := string(r[:k])
			for _, fuge := range []string{"ungs", "heits", "keits", "schafts", "tions", "tats"} {
				if strings.HasSuffix(mod, fuge) {
					mod = strings.TrimSuffix(mod, "s")
					break
				}
			}
			if isVocabularyWord(mod) && strings.ContainsAny(mod, "aeiouy") && !words[mod] {
				out = append(out, mod)
			}
			break // the longest head decides
		}
	}
	return out
}

// handParts is compoundParts, folded.
var handParts = func() map[string]bool {
	m := make(map[string]bool, len(compoundParts))
	for _, w := range compoundParts {
		m[foldString(w, true)] = true
	}
	return m
}()

func isVocabularyWord(f string) bool {
	if len([]rune(f)) < 4 || stopDE[f] {
		return false
	}
	for _, r := range f {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}
