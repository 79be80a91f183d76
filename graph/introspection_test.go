package graph_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/leistungsfinder/leistungsfinder/graph"
)

// testdata/introspection-query.graphql is the exact text of graphql-js 16's
// getIntrospectionQuery with every option on, as GraphiQL, GraphQL Code
// Generator, Apollo and Postman send it. It was written by
//
//	node -e 'process.stdout.write(require("graphql").getIntrospectionQuery({descriptions: true,
//	  specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true}))'
//
// with graphql@16.15.0.
func introspectionQuery(t *testing.T) string {
	t.Helper()
	q, err := os.ReadFile("testdata/introspection-query.graphql")
	require.NoError(t, err)
	return string(q)
}

// TestIntrospectionBuildsClientSchema sends the standard introspection
// query and builds a client schema from the answer, as a code generator
// does: the answer is turned into SDL and loaded with gqlparser, which
// checks that every type it refers to is there. Every type, field,
// argument and enum value of the schema files must come back.
func TestIntrospectionBuildsClientSchema(t *testing.T) {
	srv := demoServer(t)
	resp, body := postQuery(t, srv, introspectionQuery(t), nil, nil)
	require.Equal(t, 200, resp.StatusCode, "%s", body)
	r := decode(t, body)
	require.Empty(t, r.Errors, "%s", body)
	var data struct {
		Schema introspectionSchema `json:"__schema"`
	}
	require.NoError(t, json.Unmarshal(r.Data, &data))

	sdl := data.Schema.sdl()
	client, gerr := gqlparser.LoadSchema(&ast.Source{Name: "introspection", Input: sdl})
	require.Nil(t, gerr, "the introspection answer does not build a schema: %v\n%s", gerr, sdl)

	server := loadSchemaFiles(t)
	require.NotNil(t, client.Query)
	assert.Equal(t, server.Query.Name, client.Query.Name)
	require.NotNil(t, client.Mutation)
	assert.Equal(t, server.Mutation.Name, client.Mutation.Name)
	var names []string
	for name, def := range server.Types {
		if def.BuiltIn {
			continue
		}
		names = append(names, name)
		got := client.Types[name]
		if !assert.NotNil(t, got, "type %s is missing from the introspection answer", name) {
			continue
		}
		assert.Equal(t, def.Kind, got.Kind, "kind of %s", name)
		assert.Equal(t, strings.TrimSpace(def.Description), strings.TrimSpace(got.Description), "description of %s", name)
		for _, f := range def.Fields {
			gf := got.Fields.ForName(f.Name)
			if !assert.NotNil(t, gf, "field %s.%s is missing", name, f.Name) {
				continue
			}
			assert.Equal(t, f.Type.String(), gf.Type.String(), "type of %s.%s", name, f.Name)
			for _, a := range f.Arguments {
				ga := gf.Arguments.ForName(a.Name)
				if assert.NotNil(t, ga, "argument %s.%s(%s) is missing", name, f.Name, a.Name) {
					assert.Equal(t, a.Type.String(), ga.Type.String(), "type of %s.%s(%s)", name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			assert.NotNil(t, got.EnumValues.ForName(v.Name), "enum value %s.%s is missing", name, v.Name)
		}
	}
	sort.Strings(names)
	assert.Contains(t, names, "LocalService")
	assert.Greater(t, len(names), 50, "the schema files name more types than that")
}

// loadSchemaFiles parses the API's schema files: schema.graphql at the
// root and the domain files graph/*.graphqls.
func loadSchemaFiles(t *testing.T) *ast.Schema {
	t.Helper()
	var files []string
	for _, pattern := range []string{"../*.graphql", "*.graphqls"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	s, gerr := gqlparser.LoadSchema(sources...)
	require.Nil(t, gerr, "%v", gerr)
	return s
}

func TestIntrospectionTurnedOff(t *testing.T) {
	st, ix := sharedDemo(t)
	srv := serve(t, graph.Options{Store: st, Search: ix, DisableIntrospection: true})
	for name, q := range map[string]string{
		"Schema":   introspectionQuery(t),
		"Type":     `{ __type(name: "Service") { name } }`,
		"Fragment": `query { ...F } fragment F on Query { __schema { queryType { name } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			_, body := postQuery(t, srv, q, nil, nil)
			r := decode(t, body)
			require.NotEmpty(t, r.Errors, "%s", body)
			assert.Equal(t, "INTROSPECTION_DISABLED", r.Errors[0].Extensions["code"])
			assert.Nil(t, r.Data)
		})
	}
	t.Run("TypenameStillWorks", func(t *testing.T) {
		_, body := postQuery(t, srv, `{ __typename region(ars: "066360003003") { __typename name } }`, nil, nil)
		r := decode(t, body)
		require.Empty(t, r.Errors, "%s", body)
		assert.JSONEq(t, `{"__typename":"Query","region":{"__typename":"Region","name":"Eschwege, Kreisstadt"}}`, string(r.Data))
	})
}

func TestIntrospectionNestingBounded(t *testing.T) {
	srv := demoServer(t)
	// fields { type { fields { type { fields { type { fields ... multiplies
	// the schema with itself: refused by validation, as graphql-js does.
	q := `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`
	_, body := postQuery(t, srv, q, nil, nil)
	r := decode(t, body)
	require.NotEmpty(t, r.Errors, "%s", body)
	assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", r.Errors[0].Extensions["code"], "%s", body)
	assert.Equal(t, "Maximum introspection depth exceeded", r.Errors[0].Message)
}

// The introspection answer, as much of it as a client schema needs.
type introspectionSchema struct {
	Description  *string
	QueryType    *struct{ Name string }
	MutationType *struct{ Name string }
	Types        []struct {
		Kind, Name     string
		Description    *string
		SpecifiedByURL *string `json:"specifiedByURL"`
		Fields         []struct {
			Name        string
			Description *string
			Args        []introspectionInput
			Type        typeRef
		}
		InputFields   []introspectionInput
		Interfaces    []typeRef
		EnumValues    []struct{ Name string }
		PossibleTypes []typeRef
	}
	Directives []struct {
		Name         string
		IsRepeatable bool
		Locations    []string
		Args         []introspectionInput
	}
}

type introspectionInput struct {
	Name         string
	Type         typeRef
	DefaultValue *string
}

type typeRef struct {
	Kind   string
	Name   *string
	OfType *typeRef
}

func (r typeRef) String() string {
	switch r.Kind {
	case "NON_NULL":
		return r.OfType.String() + "!"
	case "LIST":
		return "[" + r.OfType.String() + "]"
	}
	return *r.Name
}

func quote(s *string) string {
	if s == nil || *s == "" {
		return ""
	}
	b, _ := json.Marshal(*s)
	return string(b) + "\n"
}

// sdl writes the introspection answer as SDL, leaving out what gqlparser
// declares itself (built-in scalars, introspection types and directives).
func (s introspectionSchema) sdl() string {
	var b strings.Builder
	builtin := map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}
	fmt.Fprintf(&b, "schema { query: %s", s.QueryType.Name)
	if s.MutationType != nil {
		fmt.Fprintf(&b, " mutation: %s", s.MutationType.Name)
	}
	b.WriteString(" }\n")
	inputs := func(args []introspectionInput) string {
		var parts []string
		for _, a := range args {
			p := a.Name + ": " + a.Type.String()
			if a.DefaultValue != nil {
				p += " = " + *a.DefaultValue
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, ", ")
	}
	for _, d := range s.Directives {
		switch d.Name {
		case "skip", "include", "deprecated", "specifiedBy", "defer", "oneOf":
			continue
		}
		fmt.Fprintf(&b, "directive @%s", d.Name)
		if len(d.Args) > 0 {
			fmt.Fprintf(&b, "(%s)", inputs(d.Args))
		}
		if d.IsRepeatable {
			b.WriteString(" repeatable")
		}
		fmt.Fprintf(&b, " on %s\n", strings.Join(d.Locations, " | "))
	}
	for _, t := range s.Types {
		if strings.HasPrefix(t.Name, "__") || builtin[t.Name] {
			continue
		}
		b.WriteString(quote(t.Description))
		switch t.Kind {
		case "SCALAR":
			fmt.Fprintf(&b, "scalar %s\n", t.Name)
		case "UNION":
			var members []string
			for _, p := range t.PossibleTypes {
				members = append(members, p.String())
			}
			fmt.Fprintf(&b, "union %s = %s\n", t.Name, strings.Join(members, " | "))
		case "ENUM":
			fmt.Fprintf(&b, "enum %s {", t.Name)
			for _, v := range t.EnumValues {
				b.WriteString(" " + v.Name)
			}
			b.WriteString(" }\n")
		case "INPUT_OBJECT":
			fmt.Fprintf(&b, "input %s {\n", t.Name)
			for _, f := range t.InputFields {
				fmt.Fprintf(&b, "  %s\n", inputs([]introspectionInput{f}))
			}
			b.WriteString("}\n")
		case "OBJECT", "INTERFACE":
			kw := "type"
			if t.Kind == "INTERFACE" {
				kw = "interface"
			}
			fmt.Fprintf(&b, "%s %s", kw, t.Name)
			if len(t.Interfaces) > 0 {
				var is []string
				for _, i := range t.Interfaces {
					is = append(is, i.String())
				}
				fmt.Fprintf(&b, " implements %s", strings.Join(is, " & "))
			}
			b.WriteString(" {\n")
			for _, f := range t.Fields {
				b.WriteString(quote(f.Description))
				if len(f.Args) > 0 {
					fmt.Fprintf(&b, "  %s(%s): %s\n", f.Name, inputs(f.Args), f.Type)
				} else {
					fmt.Fprintf(&b, "  %s: %s\n", f.Name, f.Type)
				}
			}
			b.WriteString("}\n")
		}
	}
	return b.String()
}
