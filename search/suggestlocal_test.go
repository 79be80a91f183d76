package search

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTermCompletes(t *testing.T) {
	for _, c := range []struct {
		term, typed string
		ok, start   bool
	}{
		{"Fundbüro am Obermarkt", "fundb", true, true},
		{"Fundbüro am Obermarkt", "Fundbü", true, true},
		{"Fundbüro am Obermarkt", "fundbuero am ob", true, true},
		{"Fundbüro am Obermarkt", "obermar", true, false},
		{"Fundbüro am Obermarkt", "büro", true, false},      // a part of a compound
		{"Fundbüro am Obermarkt", "fundbüros ", true, true}, // complete word, by its stem
		{"Fundbüro am Obermarkt", "rathaus fundb", false, false},
		{"Fundbüro am Obermarkt", "fundk", false, false},
		{"Fundbüro am Obermarkt", "fu", true, true},
		{"Fundbüro am Obermarkt", "ob", true, false},
	} {
		ok, start := termCompletes(c.term, queryWords(c.typed), strings.HasSuffix(c.typed, " "))
		assert.Equal(t, c.ok, ok, "%q completes %q", c.typed, c.term)
		assert.Equal(t, c.start, start, "%q starts %q", c.typed, c.term)
	}
}
