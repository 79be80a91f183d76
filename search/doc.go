// Package search is the portal search of the catalogue: a Bleve index that
// is a projection of the catalogue store, German and English analysis,
// query rewriting for the way people ask, and the relevance measurement.
// It imports catalog and i18n only; results are service IDs and LeiKa keys,
// and callers read texts from the store, so that they are always current.
//
// # Projection and checkpoint
//
// The index holds one document per published service (drafts and archived
// services are removed): German and English name (modules 02 and 03),
// keywords, terms in context (weighted between the name and the body text),
// the published local terms of municipalities and districts (searched, with
// the same weight, only for places of their region; local.go), short text (05) and full text (06, without HTML), each language in its own
// fields with its own analysis; its life situations (a facet and a filter),
// the languages it has a name in (a hit for a query in another language is
// a fallback, Hit.Fallback); LeiKa keys, categories,
// addressees, implementation bundles, origin, hasOnline (a responsibility
// for one of its keys is an online service) and ars, the region keys where
// its keys have a responsibility.
//
// The index follows the store's change log. [Index.CatchUp] reads the
// entries after its checkpoint a page at a time and writes each page's
// documents and the new checkpoint in one Bleve batch (SetInternal), so the
// two cannot disagree: after a crash the index resumes at the last batch.
// A service change re-indexes that service; a responsibility change
// re-indexes the services of its previous and its new LeiKa key, both read
// from the catalogue's history ([catalog.Tx.VersionBefore]), and so does a
// change of a local addition of terms; when
// compaction has removed the previous version, the index rebuilds. The
// index keeps no copy of catalogue data: a document's places and online
// flag come from [catalog.Tx.ResponsibilityPlaces], and whether a state is
// served from [catalog.Tx.HasResponsibilityIn]. [Index.Run] catches up after
// every commit ([catalog.Store.Changed]).
//
// [Open] rebuilds when there is no index, when it was written with another
// [MappingVersion], when its checkpoint is ahead of the store or when the
// store's log entry at the checkpoint is not the one the index saw (another
// or a restored store). [Index.Rebuild] builds a new index from one
// consistent read of the store beside the old one, catches it up and swaps
// it in; searches use the old one until then. On disk the new index is
// built in <path>.rebuild and renamed; a half-built index has no
// checkpoint and is rebuilt at the next Open. When the swap fails, the old
// index is reopened and serves on; if that fails too, searches answer
// INTERNAL until [Index.Run] has rebuilt it, retrying with backoff
// ([Index.Health], /readyz and the leistungsfinder_search_* metrics show
// it). The place table that recognises place names in a query holds the
// regions valid at one time and is rebuilt when the store's clock
// ([catalog.Store.Now]) passes a region's validity boundary. Scorch is used in memory
// too: Bleve's NewMemOnly is the older format without the fuzzy term
// dictionary that typo correction reads.
//
// # Analysis
//
// German text goes through one token filter of this package (lf_fold)
// after Bleve's unicode tokenizer: lower case, diacritic folding (ä→a,
// ß→ss, é→e, combining marks dropped), the German normalisation of ae, oe
// and ue (Lucene's rules, so "Fuehrerschein" is "Führerschein"), the stop
// words of Bleve's de package, and dictionary decompounding; then Bleve's
// Snowball German stemmer (Anmeldung and anmelden meet). Decompounding
// accepts only segmentations that cover the whole word with dictionary
// words and German linking elements (Hund+e+steuer, Staat+s+angehörigkeit),
// fewest parts first, and splits the parts again. The dictionary is a hand
// list (compoundParts), the vocabulary of the published services' names,
// keywords and short texts, and the modifiers derived from compounds in
// names ("Insolvenzgeld" → insolvenz); it is stored with the index mapping,
// so an index always analyses with the dictionary it was built with, and it
// grows with a rebuild (Run rebuilds once when the catalogue has grown well
// beyond the services it was built from). Because the filter sees the
// original bytes, every part carries the byte offsets of its own letters,
// and highlights are right after umlauts; Bleve's dict_compound filter
// adds rune counts to byte offsets. Parts share their word's position; stop
// words leave no gaps, so phrases ignore them. English text uses the same
// filter without the German rules and with English stop words, then
// Bleve's Snowball English stemmer. Names and keywords are indexed a
// second time unstemmed (vocab_de, vocab_en) for autocomplete and
// corrections.
//
// Autocomplete (Suggest) completes to service names through vocab_<lang>;
// with a place it offers first the published local terms of that place and
// the regions above it (suggestlocal.go): local_ars says which services
// have some there, the store which terms those are, so only published
// additions of that place are ever offered.
//
// # Queries
//
// A query is cleaned (invalid UTF-8 and control characters become spaces,
// NFC), split into words, and read as concepts:
//
//   - A place: a municipality, association or district name, or a
//     postcode, of a state the catalogue has responsibilities in ("ummelden
//     kassel", "hundesteuer 37269") is removed from the words and becomes
//     the region filter when the request has none. A name that is also a
//     word of service names is not taken as a place.
//   - The language: the request's, or detected from stop words, umlauts,
//     synonym triggers and the words the index knows in one language only.
//   - The search dictionary: the catalogue's dictionary entries
//     (catalog.Concept, which the editorial office edits; loaded with the
//     projection and reloaded when an entry changes, dictionary.go) are the
//     only synonym table; no rule is built into the code (the demo brings
//     its entries as catalogue data). An entry's phrases are triggers, its
//     words the expansions; its life
//     situations add an alternative that matches every service assigned to
//     them (weightSituation), and a generic entry ("beantragen",
//     "verloren", "neu", "mein") marks its concept as generic: beside a
//     specific concept it counts weightGeneric of its weight and does not
//     select in requiredFilter, so that "gesundheitskarte verloren" ranks
//     the health card above lost property.
//   - Synonyms (synonyms.go) are query rewriting, never index-time: a
//     trigger phrase of the query's language, matched on stems in any word
//     order, becomes one concept whose alternatives are the words as typed
//     and every expansion (Perso → Personalausweis, Hartz IV → Bürgergeld,
//     "register my address" → Wohnsitz Anmeldung). Expansions in the other
//     language serve services described only in it ("child benefit" finds
//     Kindergeld).
//   - Typo tolerance: a word the index does not know gets up to two
//     corrections from the vocabulary field: same first letter, Damerau
//     distance 1 up to nine letters and 2 beyond, the closest and most
//     frequent first, weighted below exact matches. They make DidYouMean,
//     spelled as in the catalogue ("fuhrerschien" → Führerschein).
//   - A compound typed as one word also matches its parts side by side
//     (Wohnsitzanmeldung finds Wohnsitz Anmeldung) and, when the catalogue
//     lacks the compound, its head. A separable verb's particle is
//     re-attached ("melde meinen Hund an").
//
// Each word of an alternative matches any text field of its language with
// field weights (name, keywords, short text, full text) through a "max"
// query (dismax: the best field plus a tie-breaker, see maxQuery), and the
// words of a phrase add a phrase bonus in names and keywords. The concepts
// are combined in Bleve's disjunction, whose coordination factor ranks a
// service higher for every further concept it satisfies.
//
// The result set is the services with a concept in a name, keyword or short
// text, or in a full text where the word is not common; when the words would
// match thousands of services, generic words ("beantragen") stop selecting
// and only the specific ones do. Without hits the plain query runs. The
// region filter is a disjunction of term queries on ars for the place and
// its ancestors ([catalog.Ancestors]); facet filters are term queries; a
// service outside its validity period is excluded at query time (a
// version entered ahead becomes searchable on its day, without a write).
// All filters have boost 0: they select, they do not score. Several valid
// descriptions of one key (a local and a mirrored one) are separate hits;
// the caller resolves a key for a place with catalog's ServiceForPlace.
//
// # Speed
//
// A query has some 30 to 80 scored term clauses. Scored clauses without
// highlights or Explain step through decoded postings that the projection
// keeps per index snapshot (postings.go), scored by Bleve's own term scorer,
// so answers are exactly Bleve's (TestDecodedPostingsScoreAsBleve). The
// index on disk is merged into one segment after a build and after every
// thousand re-indexed documents (compact.go), so that each clause opens one
// term reader, not one per segment. Filters run without scores, as bitmaps.
//
// A search that asks for no highlights (a result list, the GraphQL search
// unless highlights are selected) does not run Bleve's searcher tree at
// all: the evaluator (evaluator.go) compiles the plan's query into cursors
// over the decoded postings, computes Bleve's scores with the same float
// operations in the same order, restricts the term clauses to the postings
// the root's filters let through, counts term facets from bitmaps and
// collects the page as Bleve's collector would, hits, order, scores and
// totals identical to the bit (TestEvaluatorScoresAsBleve). Highlights,
// Explain and query shapes it does not model run through Bleve.
//
// # Safety
//
// Queries are built from analysed terms only; nothing reaches Bleve's query
// string syntax, so *, ~, :, quotes, brackets and +/- are plain text. A
// query is at most MaxQueryLen characters (else INVALID) and its first
// maxWords words are searched; at most maxTypoWords words get corrections
// and a prefix expands to at most prefixTerms terms; pages are at most
// MaxFirst hits and start before maxOffset; every search has a deadline.
// Cursors are opaque and bound to their query. Errors are catalog errors:
// INVALID, NOT_FOUND (unknown region key), INTERNAL.
//
// # Search log
//
// QueryLog (querylog.go) records what people search for, anonymously: the
// normalised query text (lower case, symbols dropped, long digit runs and
// e-mail addresses removed) and per day how often it was asked, found
// nothing and had a hit opened (Feedback) — no address, token, user agent
// or time of day. It gathers counts in memory and writes them to its own
// bbolt file on Flush, deleting the days past the retention. Insights lists
// the most asked queries without results and without opened hits, showing a
// query only once it reached MinRequests searches on MinDays days. A query
// of only stop words or without letters and digits is answered with a
// Notice instead of hits.
//
// # Relevance
//
// [Evaluate] measures nDCG@10, MRR@10, recall@10 and the zero-result rate of
// a judged query set (format: [ParseQueries]); testdata/search/queries.tsv
// holds the set over the demo catalogue in the catalogue's own words and
// TestRelevance fails when nDCG@10 drops more than 0.02 below
// testdata/search/baseline.json. testdata/search/citizen.tsv is the set in
// citizens' words (life situations, English as expats write it, slang, two
// intents, places, double typos; graded before the search ran on it), and
// TestCitizenRelevance guards it overall and per category
// (citizen-baseline.json).
package search
