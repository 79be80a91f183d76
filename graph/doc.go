// Package graph is the GraphQL API: the schema-first gqlgen resolvers over
// the catalogue, and the HTTP handler around them. The schema is split by
// domain: ../schema.graphql holds the root types and the overview, and each
// domain's graph/<domain>.graphqls sits beside its <domain>.resolvers.go and
// generated <domain>.generated.go (gqlgen's follow-schema layout, configured
// in ../gqlgen.yml; regenerate with go generate, which runs the gqlgen
// version go.mod names as a tool).
//
// Resolvers are thin: they convert arguments, make one store read and return
// catalogue types (autobind; no parallel models). A mutation builds one
// catalogue command (inputs.go turns inputs into commands and patches;
// omittable input fields tell a field left out from an explicit null) and
// hands it to catalog.Store.Apply; the rules of what a write does, and of
// who reads what, are the catalogue's. What a front end must not
// have to do itself is done here: language negotiation (lang argument, else
// Accept-Language, else German, and every localized field says which
// language it came from), labels, and locale formatting of amounts, hours
// and durations through package i18n.
//
// The handler (handler.go) speaks GraphQL over HTTP itself on gqlgen's
// executor (transport.go: POST and GET for queries, media types, a status
// and an extensions.code for every refusal, no "data" when GraphQL did not
// run), enforces the limits (limits.go: request size, lexer tokens, depth
// with introspection counted as one level, complexity with list fields
// weighted by their page size, reported in extensions.cost), presents
// errors with a stable extensions.code and never an internal message
// (errors.go), recovers panics, answers anonymous reads from the response
// cache only after the transport checks (respcache.go), gives GET answers
// an ETag and Cache-Control, supports automatic persisted queries, and
// records Prometheus metrics (metrics.go). CORS (cors.go) wraps it. A lookup
// of one object by its key answers null when nothing has the key (lookup
// in helpers.go). Lists are Relay connections with
// opaque cursors (paging.go). Fields of list elements that need more records
// are gqlgen batch resolvers (batch.go, `batch: true` in gqlgen.yml): one
// call and one store read per list, not one per element, and no timer
// waiting for the siblings to ask.
//
// The service page for a place (localService) is answered from plain view
// models (views.go) that pagewriter.go writes as JSON itself, byte for byte
// what gqlgen's executor would write, at a third of its cost; selections it
// does not cover go to gqlgen. A search is answered the same way
// (searchwriter.go): the resolver's own code, then the result list written
// as gqlgen would write it, with the services its hits showed kept while
// the store's revision is the same (hitservices.go). The answer's envelope
// is written without a second pass over the data (encode.go).
package graph
