package graph

import "github.com/leistungsfinder/leistungsfinder/catalog"

// Resolver holds what the resolvers need; one per server.
type Resolver struct {
	Store *catalog.Store
}
