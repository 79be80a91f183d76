package graph

// gqlgen reads ../gqlgen.yml, whose paths are relative to the repository root.
//go:generate go run -C .. github.com/99designs/gqlgen generate
