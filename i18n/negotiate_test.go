package i18n

import (
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name             string
		explicit, header string
		want             Choice
	}{
		{"Nothing", "", "", Choice{Lang: DE}},
		{"ExplicitUpperEN", "EN", "", Choice{Lang: EN, Requested: "EN"}},
		{"ExplicitUpperDE", "DE", "en", Choice{Lang: DE, Requested: "DE"}},
		{"ExplicitLower", "en", "", Choice{Lang: EN, Requested: "en"}},
		{"ExplicitRegional", "en-GB", "", Choice{Lang: EN, Requested: "en-GB"}},
		{"ExplicitUnderscore", "en_US", "", Choice{Lang: EN, Requested: "en_US"}},
		{"ExplicitSpaces", " en ", "", Choice{Lang: EN, Requested: " en "}},
		{"ExplicitWinsOverHeader", "de", "en-GB,en;q=0.9", Choice{Lang: DE, Requested: "de"}},
		{"ExplicitAustrian", "de-AT", "", Choice{Lang: DE, Requested: "de-AT"}},
		{"ExplicitUnsupportedIgnoresHeader", "fr", "en", Choice{Lang: DE, Requested: "fr", Fallback: true, Reason: "unsupported language: fr"}},
		{"ExplicitUnknownSubtag", "zz", "", Choice{Lang: DE, Requested: "zz", Fallback: true, Reason: "unsupported language: zz"}},
		{"ExplicitMalformed", "xx__", "en", Choice{Lang: DE, Requested: "xx__", Fallback: true, Reason: "malformed language tag: xx__"}},
		{"HeaderEnglishVariants", "", "en-GB,en;q=0.9", Choice{Lang: EN, Requested: "en-GB,en;q=0.9"}},
		{"HeaderSecondChoice", "", "fr-FR,en;q=0.5", Choice{Lang: EN, Requested: "fr-FR,en;q=0.5"}},
		{"HeaderQValuesOrder", "", "en;q=0.1,de;q=0.9", Choice{Lang: DE, Requested: "en;q=0.1,de;q=0.9"}},
		{"HeaderQValuesPreferEnglish", "", "de;q=0.5, en", Choice{Lang: EN, Requested: "de;q=0.5, en"}},
		{"HeaderUSBrowser", "", "en-US,en;q=0.9,de;q=0.8", Choice{Lang: EN, Requested: "en-US,en;q=0.9,de;q=0.8"}},
		{"HeaderSwissGerman", "", "de-CH", Choice{Lang: DE, Requested: "de-CH"}},
		{"HeaderUnsupported", "", "fr", Choice{Lang: DE, Requested: "fr", Fallback: true, Reason: "unsupported language: fr"}},
		{"HeaderAllUnsupported", "", "fr-FR, nl;q=0.8", Choice{Lang: DE, Requested: "fr-FR, nl;q=0.8", Fallback: true, Reason: "unsupported language: fr-FR, nl"}},
		{"HeaderWildcard", "", "*", Choice{Lang: DE, Requested: "*"}},
		{"HeaderWildcardAfterUnsupported", "", "fr,*;q=0.1", Choice{Lang: DE, Requested: "fr,*;q=0.1"}},
		{"HeaderOnlyRefusals", "", "en;q=0", Choice{Lang: DE, Requested: "en;q=0"}},
		{"HeaderRefusedEnglish", "", "en;q=0, fr", Choice{Lang: DE, Requested: "en;q=0, fr", Fallback: true, Reason: "unsupported language: fr"}},
		{"HeaderMalformed", "", "xx__", Choice{Lang: DE, Requested: "xx__", Fallback: true, Reason: "malformed language tag: xx__"}},
		{"HeaderPartlyMalformed", "", "en-GB,xx__", Choice{Lang: DE, Requested: "en-GB,xx__", Fallback: true, Reason: "malformed language tag: en-GB,xx__"}},
		{"HeaderBadWeight", "", "en;q=abc", Choice{Lang: DE, Requested: "en;q=abc", Fallback: true, Reason: "malformed language tag: en;q=abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Negotiate(tt.explicit, tt.header); got != tt.want {
				t.Errorf("Negotiate(%q, %q) = %+v, want %+v", tt.explicit, tt.header, got, tt.want)
			}
		})
	}
}

func TestNegotiateClipsReason(t *testing.T) {
	header := "fr-FR, " + strings.Repeat("nl, ", 100) + "it"
	got := Negotiate("", header)
	if !got.Fallback || got.Lang != DE {
		t.Fatalf("Negotiate(long header) = %+v, want German fallback", got)
	}
	if got.Requested != header {
		t.Errorf("Requested = %q, want the header unchanged", got.Requested)
	}
	if n := len(got.Reason); n > len("unsupported language: ")+maxReasonInput+len("…") {
		t.Errorf("len(Reason) = %d, want it clipped; Reason = %q", n, got.Reason)
	}
}

// The matcher answers with an index into supportedTags, which Negotiate
// reads from Supported: the two must list the same languages in one order.
func TestSupportedTagsMatchSupported(t *testing.T) {
	if len(supportedTags) != len(Supported) {
		t.Fatalf("len(supportedTags) = %d, want %d", len(supportedTags), len(Supported))
	}
	for i, tag := range supportedTags {
		if got, want := tag.String(), Supported[i]; got != want {
			t.Errorf("supportedTags[%d] = %q, want %q", i, got, want)
		}
	}
	if got, want := Supported[0], DE; got != want {
		t.Errorf("Supported[0] = %q, want the default %q", got, want)
	}
}

func TestBase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"de", DE}, {"en", EN}, {"EN", EN}, {"En-gb", EN}, {"en_US", EN},
		{"", DE}, {"fr", DE}, {"eng", DE}, {"e", DE}, {"german", DE},
	}
	for _, tt := range tests {
		if got := base(tt.in); got != tt.want {
			t.Errorf("base(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, s := range [][2]string{
		{"", ""}, {"EN", ""}, {"", "en-GB,en;q=0.9"}, {"", "fr-FR,en;q=0.5"},
		{"", "*"}, {"xx__", ""}, {"", "en;q=abc"}, {"de-u-co-phonebk", "x-foo"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, explicit, header string) {
		got := Negotiate(explicit, header)
		if got.Lang != DE && got.Lang != EN {
			t.Errorf("Lang = %q, want de or en", got.Lang)
		}
		if got.Fallback != (got.Reason != "") {
			t.Errorf("Fallback = %v with Reason %q, want Fallback exactly when there is a reason", got.Fallback, got.Reason)
		}
		if got.Fallback && got.Lang != DE {
			t.Errorf("fallback Lang = %q, want %q", got.Lang, DE)
		}
		want := header
		if strings.TrimSpace(explicit) != "" {
			want = explicit
		}
		if got.Requested != want {
			t.Errorf("Requested = %q, want %q", got.Requested, want)
		}
	})
}

func BenchmarkNegotiate(b *testing.B) {
	for b.Loop() {
		Negotiate("", "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7,de;q=0.6")
	}
}
