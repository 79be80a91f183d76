package search

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Queries are free text: the caches of query rewriting must not grow with
// every new word.
func TestLookupsBounded(t *testing.T) {
	var c lookups[fieldTerm, uint64]
	for i := range maxLookups + 10 {
		c.put(fieldTerm{"name_de", fmt.Sprint("wort", i)}, uint64(i))
	}
	assert.LessOrEqual(t, len(c.m), maxLookups)
	n, ok := c.get(fieldTerm{"name_de", fmt.Sprint("wort", maxLookups+9)})
	assert.True(t, ok, "the last word put is kept")
	assert.Equal(t, uint64(maxLookups+9), n)
}
