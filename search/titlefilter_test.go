package search

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A word in few full texts admits the services that mention it there; a
// word in many full texts ("Antrag") admits only the services that have
// it in a name, keyword or short text. The search leaves the second,
// narrower search out when no word of the query is common in the full
// texts; this guards both sides.
func TestFullTextMentions(t *testing.T) {
	_, ix := demoIndex(t)
	const (
		keyKfzSteuer = "99102015111000" // "Antrag" only in its full text
		keyHalter    = "99036008007001" // "Personalausweis" only in its full text
		keyEinbuerg  = "99099002067000" // "Antrag" in its short text
	)
	assert.False(t, found(t, ix, "antrag", "", keyKfzSteuer), "Antrag is in many full texts: a mention there does not admit")
	assert.True(t, found(t, ix, "antrag", "", keyEinbuerg), "Antrag in a short text admits")
	assert.True(t, found(t, ix, "personalausweis", "", keyHalter), "Personalausweis is in few full texts: a mention there admits")
}
