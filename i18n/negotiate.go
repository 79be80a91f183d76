package i18n

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Choice is the outcome of language negotiation for one request.
type Choice struct {
	// Lang is the language to answer in: DE or EN.
	Lang string
	// Requested is what the caller asked for, unchanged: the explicit value
	// if there was one, else the Accept-Language header.
	Requested string
	// Fallback reports that Lang is not a language the caller asked for.
	Fallback bool
	// Reason says why Fallback is set, for example
	// "unsupported language: fr" or "malformed language tag: xx__".
	// It is empty exactly when Fallback is false.
	Reason string
}

// supportedTags mirrors Supported; the matcher returns indexes into it, and
// the index, not the matched tag (which carries -u-rg- extensions such as
// "de-u-rg-atzzzz"), decides the answer.
var supportedTags = []language.Tag{language.German, language.English}

var matcher = language.NewMatcher(supportedTags)

// wildcard is what language.ParseAcceptLanguage makes of "*".
var wildcard = language.MustParse("mul")

// maxReasonInput bounds how much caller input is echoed in Choice.Reason,
// which may end up in a GraphQL response or a log line.
const maxReasonInput = 64

// Negotiate chooses the answer language. explicit (a GraphQL lang argument
// such as "EN", "de" or "en-GB", case-insensitive) wins over acceptLanguage
// (an HTTP Accept-Language header, q-values honoured). With neither, the
// answer is German without fallback. It never fails; see Choice.
func Negotiate(explicit, acceptLanguage string) Choice {
	if e := strings.TrimSpace(explicit); e != "" {
		tag, err := language.Parse(e)
		if err != nil {
			return fallback(explicit, reason(err, e))
		}
		return match(explicit, []language.Tag{tag})
	}
	h := strings.TrimSpace(acceptLanguage)
	if h == "" {
		return Choice{Lang: DE, Requested: acceptLanguage}
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil {
		return fallback(acceptLanguage, reason(err, h))
	}
	if len(tags) == 0 {
		// Only q=0 entries: the caller refused some languages and asked for
		// none, so German is not a fallback.
		return Choice{Lang: DE, Requested: acceptLanguage}
	}
	return match(acceptLanguage, tags)
}

// match runs the matcher over tags, which are in order of preference.
func match(requested string, tags []language.Tag) Choice {
	_, i, conf := matcher.Match(tags...)
	if conf != language.No {
		return Choice{Lang: Supported[i], Requested: requested}
	}
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		if t == wildcard {
			// "*" accepts any language, so the default is what was asked for.
			return Choice{Lang: DE, Requested: requested}
		}
		names = append(names, t.String())
	}
	return fallback(requested, "unsupported language: "+clip(strings.Join(names, ", ")))
}

func fallback(requested, reason string) Choice {
	return Choice{Lang: DE, Requested: requested, Fallback: true, Reason: reason}
}

// reason turns a parse error into a Choice.Reason. x/text reports a
// well-formed tag with an unknown subtag ("zz") as a ValueError: the caller
// asked for a language we do not have rather than for nonsense.
func reason(err error, input string) string {
	var ve language.ValueError
	if errors.As(err, &ve) {
		return "unsupported language: " + clip(input)
	}
	return "malformed language tag: " + clip(input)
}

// clip shortens s to at most maxReasonInput bytes on a rune boundary.
func clip(s string) string {
	if len(s) <= maxReasonInput {
		return s
	}
	n := maxReasonInput
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// base maps any lang argument to DE or EN: English for "en" and its
// regional variants in any case, German for everything else. Package
// functions use it so that a bad lang degrades to German.
func base(lang string) string {
	if len(lang) >= 2 && strings.EqualFold(lang[:2], EN) &&
		(len(lang) == 2 || lang[2] == '-' || lang[2] == '_') {
		return EN
	}
	return DE
}
