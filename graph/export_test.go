package graph

import "net/http"

// NewGqlgenOnlyHandler is NewHandler without the service page's writer:
// every field is marshalled by gqlgen's executor.
func NewGqlgenOnlyHandler(cfg Options) http.Handler {
	cfg.gqlgenOnly = true
	return NewHandler(cfg)
}
