// Package i18n owns everything language-specific in Leistungsfinder that is
// not a search analyser: which languages exist, which one a caller gets,
// localized texts with their translation metadata, the fixed labels of the
// user interface, locale formatting and German sort order. It is a leaf: it
// imports only the standard library and golang.org/x/text, so every other
// package may use it.
//
// # Languages
//
// The catalogue stores German (DE, required, the fallback) and English (EN,
// optional, for the Bundesportal). The label and formatting functions treat
// any lang that is not English ("en", "EN", "en-GB") as German, so a bad
// value degrades to the language that always exists instead of failing; the
// Text methods look up the stored language code exactly.
//
// # Negotiation
//
// [Negotiate] picks the answer language from an explicit request (the
// GraphQL lang argument) or else the Accept-Language header, using
// x/text's language.Matcher. It never fails: a malformed or unsupported
// request yields German with Choice.Fallback set and a Choice.Reason a client
// can show or log. Invariant: Fallback is true exactly when Reason is not
// empty. An explicit value that cannot be served falls back to German, not to
// the header: a client that names a language gets a predictable answer.
// The header is parsed as a whole by language.ParseAcceptLanguage, so one
// malformed entry makes the whole header count as malformed.
//
// # Localized text
//
// [Text] holds one [Version] per language. A translation records the change
// revision of the German version it was made from; when German changes
// later, the translation is [Text.Stale] until an editor confirms it. This
// is what the translation coverage view of the Bundesportal is built on.
//
// # Labels
//
// Labels are the fixed words of the interface (module titles, enum values,
// error sentences). They live in one x/text message catalog, filled in code
// in labels.go, together with the patterns the formatting functions use.
// Keys are "group.VALUE" where VALUE is the catalog enum value, for example
// "fee.FIXED" or "module.10". [Label] returns the key itself for an unknown
// key, so a front end shows something and a test catches the gap.
//
// # Formatting
//
// [FormatMoney], [FormatDuration] and friends format through x/text
// (number, currency, plural) where it can. Where x/text has nothing (dates,
// list and interval joins, opening hours) the code is plain Go and says so.
// Outputs use ordinary spaces, never U+00A0, so that front ends and tests see
// the same bytes; ranges use the en dash U+2013.
//
// # Collation
//
// [Compare], [SortStrings] and [SortBy] order strings the German way
// (DIN 5007-1: Ä with A, ß with ss) using x/text/collate. Collators are
// not safe for concurrent use, so they are pooled.
package i18n
