package graph

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// The language of an answer is negotiated once per request from the
// Accept-Language header (HTTP middleware) and again for a top-level field
// that has a `lang` argument (field middleware); the result travels in the
// context, which gqlgen hands from a field to its children.

type langKey struct{}

type langState struct {
	choice i18n.Choice
	header string
	report *langReport
}

// langReport collects, for the whole request, why a language asked for
// could not be used; the response carries it in extensions.language.
type langReport struct {
	mu      sync.Mutex
	reasons []string
}

func (r *langReport) add(c i18n.Choice) {
	if c.Reason == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.reasons, c.Reason) {
		r.reasons = append(r.reasons, c.Reason)
	}
}

func withLang(ctx context.Context, acceptLanguage string) context.Context {
	s := langState{choice: i18n.Negotiate("", acceptLanguage), header: acceptLanguage, report: &langReport{}}
	s.report.add(s.choice)
	return context.WithValue(ctx, langKey{}, s)
}

// langResponseMiddleware reports language fallbacks in the response's
// extensions; readers never get an error for a language tag.
func langResponseMiddleware(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	s, ok := ctx.Value(langKey{}).(langState)
	if resp == nil || !ok || s.report == nil {
		return resp
	}
	s.report.mu.Lock()
	defer s.report.mu.Unlock()
	if len(s.report.reasons) > 0 {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["language"] = map[string]any{"used": i18n.DE, "fallback": true, "reasons": s.report.reasons}
	}
	return resp
}

func langOf(ctx context.Context) i18n.Choice {
	if s, ok := ctx.Value(langKey{}).(langState); ok {
		return s.choice
	}
	return i18n.Choice{Lang: i18n.DE}
}

// langRootMiddleware applies a top-level field's `lang` argument to the
// field's subtree. It runs once per top-level field, not per field: a
// middleware on every field cost a tenth of a service page's time.
func langRootMiddleware(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc != nil {
		if arg := rfc.Field.Arguments.ForName("lang"); arg != nil {
			oc := graphql.GetOperationContext(ctx)
			if v, err := arg.Value.Value(oc.Variables); err == nil {
				if l, ok := v.(string); ok && l != "" {
					s, _ := ctx.Value(langKey{}).(langState)
					s.choice = i18n.Negotiate(l, s.header)
					if s.report != nil {
						s.report.add(s.choice)
					}
					ctx = context.WithValue(ctx, langKey{}, s)
				}
			}
		}
	}
	return next(ctx)
}

func langEnum(code string) Lang {
	if code == i18n.EN {
		return LangEn
	}
	return LangDe
}

// localize picks the version of t for the request's language; nil for an
// empty text.
func localize(ctx context.Context, t i18n.Text) *LocalizedText {
	if t.IsZero() {
		return nil
	}
	c := langOf(ctx)
	v, actual, fallback := t.Pick(c.Lang)
	return localizedText(v, actual, fallback || c.Fallback, t)
}

func localizedText(v i18n.Version, actual string, fallback bool, t i18n.Text) *LocalizedText {
	lt := &LocalizedText{
		Text:              v.Value,
		Language:          langEnum(actual),
		IsFallback:        fallback,
		MachineTranslated: v.MachineTranslated,
		Stale:             t.Stale(actual),
		Translator:        optString(v.Translator),
	}
	if v.SourceRevision != 0 {
		lt.SourceRevision = intPtr(int(v.SourceRevision))
	}
	return lt
}

// plain returns the text of t in the request's language, German as fallback.
func plain(ctx context.Context, t i18n.Text) string {
	v, _, _ := t.Pick(langOf(ctx).Lang)
	return v.Value
}

// localization summarises whether any of texts falls back to German.
func localization(ctx context.Context, texts ...i18n.Text) *Localization {
	c := langOf(ctx)
	l := &Localization{Requested: langEnum(c.Lang), Language: langEnum(c.Lang), IsFallback: c.Fallback}
	for _, t := range texts {
		if t.IsZero() {
			continue
		}
		if _, _, fb := t.Pick(c.Lang); fb {
			l.IsFallback = true
			l.Language = LangDe
		}
	}
	return l
}

func label(ctx context.Context, key string) string { return i18n.Label(langOf(ctx).Lang, key) }

func moduleLabel(ctx context.Context, m catalog.Module) string {
	return label(ctx, "module."+string(m))
}

func serviceTexts(s *catalog.Service) []i18n.Text {
	out := make([]i18n.Text, 0, len(s.Texts))
	for _, m := range catalog.Modules {
		if t, ok := s.Texts[m]; ok {
			out = append(out, t)
		}
	}
	return out
}

func officeTexts(o *catalog.Office) []i18n.Text {
	return []i18n.Text{o.Name, o.OpeningHours.Notes, o.Accessibility}
}

// weekdays maps the catalogue's weekdays to time.Weekday for formatting.
var weekdays = map[catalog.Weekday]time.Weekday{catalog.Monday: time.Monday, catalog.Tuesday: time.Tuesday,
	catalog.Wednesday: time.Wednesday, catalog.Thursday: time.Thursday, catalog.Friday: time.Friday,
	catalog.Saturday: time.Saturday, catalog.Sunday: time.Sunday}

func openingHours(ctx context.Context, h catalog.OpeningHours) []string {
	slots := make([]i18n.Slot, 0, len(h.Slots))
	for _, s := range h.Slots {
		slots = append(slots, i18n.Slot{Day: weekdays[s.Day], Open: s.Open, Close: s.Close})
	}
	lines := i18n.FormatOpeningHours(langOf(ctx).Lang, slots)
	if lines == nil {
		lines = []string{}
	}
	return lines
}

func primaryAddress(o *catalog.Office) *catalog.Address {
	for i := range o.Addresses {
		if o.Addresses[i].Kind == catalog.AddressVisitor {
			return &o.Addresses[i]
		}
	}
	if len(o.Addresses) > 0 {
		return &o.Addresses[0]
	}
	return nil
}

func langCode(l *Lang) string {
	if l == nil {
		return ""
	}
	return strings.ToLower(string(*l))
}
