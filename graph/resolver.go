package graph

import "github.com/leistungsfinder/leistungsfinder/catalog"

// Resolver holds what the resolvers need; one per server.
type Resolver struct {
	Store *catalog.Store
	// StateKey is the region key of the state this portal serves; new
	// central descriptions belong to it.
	StateKey string
}
