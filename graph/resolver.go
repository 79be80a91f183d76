package graph

import (
	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// Resolver holds what the resolvers need; one per server.
type Resolver struct {
	Store *catalog.Store
	// Index is the portal search index; nil disables the search fields.
	Index *search.Index
	// QueryLog is the anonymous search log behind searchFeedback and
	// searchInsights; nil disables them (and nothing is logged).
	QueryLog *search.QueryLog
	// Mirror and FanOut are the federation with peer portals; nil when
	// no peers are configured.
	Mirror *federation.Mirror
	FanOut *federation.FanOut

	// hits keeps the services search hits showed (hitservices.go); nil
	// reads every hit from the store.
	hits *hitServices
}
