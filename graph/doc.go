// Package graph is the GraphQL API: the schema-first gqlgen resolvers over
// the catalogue, and the HTTP handler around them. The schema is split by
// domain: ../schema.graphql holds the root types and the overview, and each
// domain's graph/<domain>.graphqls sits beside its <domain>.resolvers.go and
// generated <domain>.generated.go (gqlgen's follow-schema layout, configured
// in ../gqlgen.yml; regenerate with go generate, which runs the gqlgen
// version go.mod names as a tool).
//
// Resolvers are thin: they convert arguments, make one store read and return
// catalogue types (autobind; no parallel models). What a front end must not
// have to do itself is done here: language negotiation (lang argument, else
// Accept-Language, else German, and every localized field says which
// language it came from), labels, and locale formatting of amounts, hours
// and durations through package i18n.
//
// The handler enforces the limits in handler.go (request size, depth,
// complexity with list fields weighted by their page size, lexer tokens),
// presents errors with a stable extensions.code and never an internal
// message (errors.go), recovers panics, speaks GraphQL over HTTP (POST, and
// GET for queries with ETag and Cache-Control for anonymous readers), and
// supports automatic persisted queries. Lists are Relay connections with
// opaque cursors (paging.go). Fields of list elements that need more records
// are gqlgen batch resolvers (batch.go, `batch: true` in gqlgen.yml): one
// call and one store read per list, not one per element, and no timer
// waiting for the siblings to ask.
package graph
