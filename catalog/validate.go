package catalog

import (
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// MaxTextLen is the longest language version of a text, in characters.
const MaxTextLen = 20000

// validator collects every broken rule of a record, so a caller sees all of
// them at once.
type validator struct{ errs Errors }

func (v *validator) add(field, rule, format string, args ...any) {
	v.errs = append(v.errs, Invalid(field, rule, format, args...))
}

func (v *validator) err() error { return v.errs.Err() }

func (v *validator) oneOf(field, value string, allowed ...any) {
	for _, a := range allowed {
		if fmt.Sprint(a) == value {
			return
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = fmt.Sprint(a)
	}
	v.add(field, "enum", "%q is not one of %s", value, strings.Join(names, ", "))
}

var leikaRE = regexp.MustCompile(`^[0-9]{14}$`)

// ValidLeika reports whether s has the form of a 14-digit LeiKa key.
func ValidLeika(s string) bool { return leikaRE.MatchString(s) }

func (v *validator) leika(field, s string) {
	if !ValidLeika(s) {
		v.add(field, "format", "%q is not a 14-digit LeiKa key", s)
	}
}

func (v *validator) ars(field, s string) {
	if !ValidARS(s) {
		v.add(field, "format", "%q is not a 12-digit region key (ARS)", s)
	}
}

var postalCodeRE = regexp.MustCompile(`^[0-9]{5}$`)

func (v *validator) postalCode(field, s string) {
	if !postalCodeRE.MatchString(s) {
		v.add(field, "format", "%q is not a five-digit German postcode", s)
	}
}

func (v *validator) maxLen(field, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		v.add(field, "length", "longer than %d characters", n)
	}
}

func (v *validator) fee(p string, f Fee) {
	v.oneOf(p+".kind", string(f.Kind), FeeFixed, FeeRange, FeeFree)
	if f.Amount < 0 {
		v.add(p+".amountCents", "range", "an amount must not be negative")
	}
	if f.Min < 0 || f.Max < 0 {
		v.add(p+".minCents", "range", "an amount must not be negative")
	}
	switch f.Kind {
	case FeeRange:
		if f.Max < f.Min || f.Max == 0 {
			v.add(p+".maxCents", "range", "the upper bound must be above the lower bound")
		}
	case FeeFree:
		if f.Amount != 0 || f.Min != 0 || f.Max != 0 {
			v.add(p+".amountCents", "range", "a free fee has no amount")
		}
	}
	if f.URL != "" {
		v.url(p+".url", f.URL)
	}
}

func (v *validator) duration(p string, d Duration) {
	v.oneOf(p+".unit", string(d.Unit), UnitMinute, UnitHour, UnitDay, UnitWorkday, UnitWeek, UnitMonth, UnitYear)
	if d.Value < 0 || d.Value > 10000 {
		v.add(p+".value", "range", "must be between 0 and 10000")
	}
	if d.ValueTo != 0 && d.ValueTo < d.Value {
		v.add(p+".valueTo", "range", "the upper bound must not be below the value")
	}
}

// validity checks a period; field names its end (validTo).
func (v *validator) validity(field string, val Validity) {
	if val.From != nil && val.To != nil && val.To.Before(*val.From) {
		v.add(field, "order", "the period ends before it starts")
	}
}

var hhmmRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$`)

func (v *validator) openingHours(p string, h OpeningHours) {
	byDay := map[Weekday][]Slot{}
	for i, s := range h.Slots {
		sp := fmt.Sprintf("%s[%d]", p, i)
		v.oneOf(sp+".day", string(s.Day), Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday)
		okOpen, okClose := hhmmRE.MatchString(s.Open), hhmmRE.MatchString(s.Close)
		if !okOpen {
			v.add(sp+".open", "format", "%q is not a time HH:MM", s.Open)
		}
		if !okClose {
			v.add(sp+".close", "format", "%q is not a time HH:MM", s.Close)
		}
		if okOpen && okClose && s.Close <= s.Open {
			v.add(sp+".close", "order", "closes (%s) before it opens (%s)", s.Close, s.Open)
			continue
		}
		for _, o := range byDay[s.Day] {
			if s.Open < o.Close && o.Open < s.Close {
				v.add(sp, "overlap", "overlaps %s–%s on the same day", o.Open, o.Close)
			}
		}
		byDay[s.Day] = append(byDay[s.Day], s)
	}
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()/\-]{4,30}$`)

func (v *validator) channel(p string, c Channel) {
	v.oneOf(p+".kind", string(c.Kind), ChannelPhone, ChannelFax, ChannelEmail, ChannelWeb)
	switch c.Kind {
	case ChannelPhone, ChannelFax:
		if !phoneRE.MatchString(c.Value) || strings.Count(c.Value, "+") > 1 {
			v.add(p+".value", "phone", "%q is not a phone number (digits, spaces, + ( ) / -)", c.Value)
		}
	case ChannelEmail:
		v.email(p+".value", c.Value)
	case ChannelWeb:
		v.url(p+".value", c.Value)
	}
}

func (v *validator) email(field, s string) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		v.add(field, "email", "%q is not an e-mail address", s)
	}
}

func (v *validator) url(field, s string) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2000 || strings.ContainsAny(s, " \t\n<>\"") {
		v.add(field, "url", "%q is not an http(s) address", s)
	}
}

// allowedTags is the PVOG whitelist. Only <a> may carry an attribute, href.
var allowedTags = map[string]bool{"p": true, "br": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "b": true, "strong": true, "i": true, "em": true, "sup": true, "sub": true,
	"ul": true, "ol": true, "li": true, "a": true}

// text checks a localized text: languages de and en only, German present
// whenever any language is, length, characters and the HTML whitelist.
// Nothing is cleaned silently: a text that breaks a rule is refused.
func (v *validator) text(field string, t i18n.Text) {
	if t.IsZero() {
		return
	}
	if strings.TrimSpace(t[i18n.DE].Value) == "" {
		v.add(field+".de", "required", "the German text is required")
	}
	for lang, ver := range t {
		f := field + "." + lang
		if lang != i18n.DE && lang != i18n.EN {
			v.add(f, "language", "only de and en are stored, not %q", lang)
			continue
		}
		v.markup(f, ver.Value)
	}
}

func (v *validator) markup(field, s string) {
	if !utf8.ValidString(s) {
		v.add(field, "encoding", "the text is not valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(s); n > MaxTextLen {
		v.add(field, "length", "%d characters, at most %d allowed", n, MaxTextLen)
		return
	}
	if !v.characters(field, s, "\n\t\r", "") || !strings.ContainsAny(s, "<>&") {
		return
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return
			}
			v.add(field, "html", "the HTML cannot be read: %v", z.Err())
			return
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if !allowedTags[tag] {
				v.add(field, "whitelist", "<%s> is not allowed; allowed are p br h1-h6 b strong i em sup sub ul ol li a[href]", tag)
				return
			}
			for hasAttr {
				var key, val []byte
				key, val, hasAttr = z.TagAttr()
				if tag != "a" || string(key) != "href" {
					v.add(field, "whitelist", "attribute %s on <%s> is not allowed; only a[href]", key, tag)
					return
				}
				href := strings.ToLower(strings.TrimSpace(string(val)))
				if !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "mailto:") {
					v.add(field, "whitelist", "link target %q must be an http(s) or mailto address", val)
					return
				}
			}
		case html.CommentToken, html.DoctypeToken:
			v.add(field, "whitelist", "comments and doctypes are not allowed in texts")
			return
		}
	}
}
