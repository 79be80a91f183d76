package graph

// gqlgen reads ../gqlgen.yml, whose paths are relative to the repository
// root; gqlgen is a tool of the module (go.mod's tool line), so the version
// that generates is the version the code compiles against.
//go:generate go -C .. tool gqlgen generate
