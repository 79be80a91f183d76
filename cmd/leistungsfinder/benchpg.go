package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// The PostgreSQL baselines of the benchmark: the same catalogue in
// PostgreSQL 15 on this machine, in a private cluster that the benchmark
// creates in a temporary directory and removes again.
//
//   - Full-text search: the services' German names, keywords, short and
//     full texts in a tsvector (configuration german, weights A to C) with
//     a GIN index, queried with websearch_to_tsquery and ranked by ts_rank,
//     first 20: what a team would build with PostgreSQL alone.
//   - The place lookup: one SQL function, local_service(leika, ars), that
//     finds the most specific level with responsible offices and returns
//     the answer as JSON; and the same function behind a GraphQL layer (a
//     minimal Go handler over database/sql and pgx that parses and
//     validates each query against a schema and calls the function), in
//     the role PostGraphile plays in front of PostgreSQL.
//
// It is skipped with a message where PostgreSQL is not installed.

// pgBinDirs are where Debian installs PostgreSQL 15.
var pgBinDirs = []string{"/usr/lib/postgresql/15/bin"}

func findPostgres(dir string) (string, error) {
	dirs := pgBinDirs
	if dir != "" {
		dirs = []string{dir}
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL 15 is not installed (looked in %s; Debian: apt-get install postgresql-15)", strings.Join(dirs, ", "))
}

// pgCluster is a private PostgreSQL cluster in a temporary directory.
type pgCluster struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
	asUser   string // run as this user when we are root (PostgreSQL refuses root)
	log      *slog.Logger
}

func startPostgres(ctx context.Context, bin string, log *slog.Logger) (*pgCluster, error) {
	dir, err := os.MkdirTemp("", "leistungsfinder-pg-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin, dir: dir, log: log}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, errors.New("running as root and there is no user postgres to run PostgreSQL as")
		}
		c.asUser = "postgres"
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	data := filepath.Join(dir, "data")
	if out, err := c.command(ctx, "initdb", "-D", data, "-U", "bench", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8").CombinedOutput(); err != nil {
		c.Stop()
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	// Settings for a benchmark on a shared 2-core machine: enough shared
	// buffers for the catalogue at L, no durability cost while loading.
	c.cmd = c.command(context.Background(), "postgres", "-D", data, "-k", dir, "-h", "127.0.0.1", "-p", strconv.Itoa(c.port),
		"-c", "shared_buffers=1GB", "-c", "max_connections=64", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "maintenance_work_mem=512MB", "-c", "work_mem=16MB", "-c", "jit=off")
	var logBuf bytes.Buffer
	c.cmd.Stdout, c.cmd.Stderr = &logBuf, &logBuf
	c.cmd.WaitDelay = 5 * time.Second // a server that outlived its runuser must not block Wait
	if err := c.cmd.Start(); err != nil {
		c.Stop()
		return nil, err
	}
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		db, err := sql.Open("pgx", c.dsn())
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		if err == nil {
			return c, nil
		}
		if time.Since(start) > 30*time.Second || ctx.Err() != nil {
			c.Stop()
			return nil, fmt.Errorf("PostgreSQL did not start: %v: %s", err, logBuf.String())
		}
	}
}

func (c *pgCluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.asUser != "" {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	}
	return exec.CommandContext(ctx, path, args...)
}

// cpu returns the CPU time the cluster's processes have used so far: every
// process below the one bench started, read from /proc (backends that
// have exited are not counted; the benchmark keeps its connections open).
func (c *pgCluster) cpu() time.Duration {
	if c.cmd == nil || c.cmd.Process == nil {
		return 0
	}
	parent := map[int]int{}
	ticks := map[int]int64{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command may contain spaces; the fields after it do not.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		parent[pid], ticks[pid] = ppid, ut+st
	}
	root := c.cmd.Process.Pid
	var sum int64
	for pid, t := range ticks {
		for p := pid; p > 1; p = parent[p] {
			if p == root {
				sum += t
				break
			}
		}
	}
	return time.Duration(sum) * time.Second / 100 // USER_HZ is 100 on Linux
}

func (c *pgCluster) dsn() string {
	return fmt.Sprintf("postgres://bench@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Stop stops the server (pg_ctl, fast mode: runuser does not pass a
// signal on to it) and removes the cluster.
func (c *pgCluster) Stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if out, err := c.command(ctx, "pg_ctl", "stop", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "bench: stopping PostgreSQL: %v: %s\n", err, out)
			c.cmd.Process.Kill()
		}
		cancel()
		c.cmd.Wait()
	}
	os.RemoveAll(c.dir)
}

const pgSchema = `
CREATE TABLE region (ars text PRIMARY KEY, name text NOT NULL, parent text);
CREATE TABLE service (id text PRIMARY KEY, leika text NOT NULL, name text NOT NULL, body text NOT NULL, tsv tsvector);
CREATE TABLE office (id text PRIMARY KEY, name text NOT NULL, street text, postal_code text, city text);
CREATE TABLE responsibility (id text PRIMARY KEY, leika text NOT NULL, ars text NOT NULL, office_id text, online_id text);
`

// pgIndexes come after the load, as a bulk load does it.
const pgIndexes = `
UPDATE service SET tsv = setweight(to_tsvector('german', name), 'A') || setweight(to_tsvector('german', body), 'C');
CREATE INDEX service_tsv ON service USING gin (tsv);
CREATE INDEX service_leika ON service (leika);
CREATE INDEX responsibility_place ON responsibility (leika, ars);
ANALYZE;

-- The place lookup as one SQL function: the place and its ancestors by
-- the key's structure (municipality, association, district, region,
-- state, Bund), the most specific of them with a responsible office, and
-- the answer as JSON in the shape of the GraphQL answer.
CREATE FUNCTION local_service(p_leika text, p_ars text) RETURNS json LANGUAGE sql STABLE AS $$
WITH chain(ars, depth) AS (
  SELECT DISTINCT ON (k) k, d FROM (VALUES
    (p_ars, 0), (substr(p_ars, 1, 9) || '000', 1), (substr(p_ars, 1, 5) || '0000000', 2),
    (substr(p_ars, 1, 3) || '000000000', 3), (substr(p_ars, 1, 2) || '0000000000', 4), ('000000000000', 5)) AS v(k, d)
  ORDER BY k, d
), best AS (
  SELECT min(c.depth) AS depth FROM chain c JOIN responsibility z ON z.leika = p_leika AND z.ars = c.ars AND z.office_id IS NOT NULL
)
SELECT json_build_object(
  'name', (SELECT name FROM service WHERE leika = p_leika ORDER BY id LIMIT 1),
  'region', (SELECT json_build_object('name', name) FROM region WHERE ars = p_ars),
  'responsibleOffices', COALESCE((
    SELECT json_agg(json_build_object('name', o.name,
      'address', json_build_object('street', o.street, 'postalCode', o.postal_code, 'city', o.city)) ORDER BY o.id)
    FROM chain c JOIN best b ON c.depth = b.depth
    JOIN responsibility z ON z.leika = p_leika AND z.ars = c.ars
    JOIN office o ON o.id = z.office_id), '[]'::json))
$$;

-- The portal search as one SQL function: German full-text search ranked
-- by ts_rank, first n, as JSON.
CREATE FUNCTION search_services(p_query text, p_first int) RETURNS json LANGUAGE sql STABLE AS $$
SELECT json_build_object('hits', COALESCE(json_agg(json_build_object('service',
  json_build_object('leikaKeys', json_build_array(leika), 'name', name))), '[]'::json))
FROM (SELECT leika, name FROM service, websearch_to_tsquery('german', p_query) q
      WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id LIMIT p_first) hits
$$;
`

// pgSearchSQL is the full-text search as plain SQL, for the "SQL only" row.
const pgSearchSQL = `SELECT leika, name FROM service, websearch_to_tsquery('german', $1) q
WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id LIMIT 20`

// loadPostgres copies the catalogue of st into the cluster with COPY and
// builds the indexes and functions.
func loadPostgres(ctx context.Context, c *pgCluster, st *catalog.Store, log io.Writer) error {
	conn, err := pgx.Connect(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, pgSchema); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	start := time.Now()
	err = st.View(ctx, func(tx *catalog.Tx) error {
		tables := []struct {
			name string
			cols []string
			kind catalog.Kind
			row  func(catalog.Record) []any
		}{
			{"region", []string{"ars", "name", "parent"}, catalog.KindRegion, func(r catalog.Record) []any {
				g := r.(*catalog.Region)
				return []any{g.ID, g.Name, g.ParentKey}
			}},
			{"service", []string{"id", "leika", "name", "body"}, catalog.KindService, func(r catalog.Record) []any {
				s := r.(*catalog.Service)
				if s.Status != catalog.StatusPublished || len(s.LeikaKeys) == 0 {
					return nil
				}
				body := []string{s.Texts[catalog.ModuleName].String(), strings.Join(s.Keywords[i18n.DE], " "),
					plainHTML(s.Texts[catalog.ModuleShortText].String()), plainHTML(s.Texts[catalog.ModuleFullText].String())}
				return []any{s.ID, s.LeikaKeys[0], s.Name().String(), strings.Join(body, "\n")}
			}},
			{"office", []string{"id", "name", "street", "postal_code", "city"}, catalog.KindOffice, func(r catalog.Record) []any {
				o := r.(*catalog.Office)
				var a catalog.Address
				if len(o.Addresses) > 0 {
					a = o.Addresses[0]
				}
				return []any{o.ID, o.Name.String(), a.Street, a.PostalCode, a.City}
			}},
			{"responsibility", []string{"id", "leika", "ars", "office_id", "online_id"}, catalog.KindResponsibility, func(r catalog.Record) []any {
				z := r.(*catalog.Responsibility)
				return []any{z.ID, z.LeikaKey, z.RegionKey, nullable(z.OfficeID), nullable(z.OnlineServiceID)}
			}},
		}
		for _, t := range tables {
			src := &recordRows{tx: tx, kind: t.kind, row: t.row}
			src.start()
			n, err := conn.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, src)
			src.stop()
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			fmt.Fprintf(log, "  postgres: %d rows into %s (%s)\n", n, t.name, time.Since(start).Round(time.Second))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, pgIndexes); err != nil {
		return fmt.Errorf("indexes: %w", err)
	}
	fmt.Fprintf(log, "  postgres: loaded and indexed in %s\n", time.Since(start).Round(time.Second))
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// plainHTML drops the tags of a text for the full-text index.
func plainHTML(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// recordRows feeds the records of a kind to COPY (pgx.CopyFromSource)
// one at a time, so memory does not grow with the catalogue.
type recordRows struct {
	tx   *catalog.Tx
	kind catalog.Kind
	row  func(catalog.Record) []any
	next chan []any
	done chan struct{}
	err  error
	cur  []any
	wg   sync.WaitGroup
}

func (s *recordRows) start() {
	s.next, s.done = make(chan []any, 1024), make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(s.next)
		s.err = s.tx.Each(s.kind, func(r catalog.Record) (bool, error) {
			v := s.row(r)
			if v == nil {
				return true, nil
			}
			select {
			case s.next <- v:
				return true, nil
			case <-s.done:
				return false, nil
			}
		})
	}()
}

func (s *recordRows) stop() {
	close(s.done)
	for range s.next {
	}
	s.wg.Wait()
}

func (s *recordRows) Next() bool {
	v, ok := <-s.next
	s.cur = v
	return ok
}

func (s *recordRows) Values() ([]any, error) { return s.cur, nil }
func (s *recordRows) Err() error             { return s.err }

// pgGraphQLSchema is the part of the API the GraphQL layer over PostgreSQL
// serves: the benchmark's two queries.
const pgGraphQLSchema = `
type Query {
  localService(leikaKey: String!, ars: String!): LocalService
  search(query: String!, first: Int): SearchResult!
}
type LocalService { name: String! region: Region responsibleOffices: [Office!]! }
type Region { name: String! }
type Office { name: String! address: Address }
type Address { street: String postalCode: String city: String }
type SearchResult { hits: [SearchHit!]! }
type SearchHit { service: Service! }
type Service { leikaKeys: [String!]! name: String! }
`

// pgGraphQL is a minimal GraphQL layer over PostgreSQL: it parses and
// validates each request against the schema (parsed documents are kept by
// query text, as PostGraphile keeps them) and answers each top-level field
// with one call of its SQL function, whose JSON has the shape of the
// benchmark's selection.
type pgGraphQL struct {
	db     *sql.DB
	schema *ast.Schema
	mu     sync.RWMutex
	docs   map[string]*ast.QueryDocument
}

func newPGGraphQL(db *sql.DB) (*pgGraphQL, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "pg.graphql", Input: pgGraphQLSchema})
	if err != nil {
		return nil, err
	}
	return &pgGraphQL{db: db, schema: s, docs: map[string]*ast.QueryDocument{}}, nil
}

func (g *pgGraphQL) document(q string) (*ast.QueryDocument, error) {
	g.mu.RLock()
	d := g.docs[q]
	g.mu.RUnlock()
	if d != nil {
		return d, nil
	}
	d, errs := gqlparser.LoadQuery(g.schema, q)
	if errs != nil {
		return nil, errs
	}
	g.mu.Lock()
	g.docs[q] = d
	g.mu.Unlock()
	return d, nil
}

func (g *pgGraphQL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	doc, err := g.document(req.Query)
	if err != nil || len(doc.Operations) != 1 {
		http.Error(w, fmt.Sprint("invalid query: ", err), http.StatusBadRequest)
		return
	}
	var out bytes.Buffer
	out.WriteString(`{"data":{`)
	for i, sel := range doc.Operations[0].SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok {
			continue
		}
		args := f.ArgumentMap(req.Variables)
		var js []byte
		switch f.Name {
		case "localService":
			err = g.db.QueryRowContext(r.Context(), "SELECT local_service($1, $2)", args["leikaKey"], args["ars"]).Scan(&js)
		case "search":
			first := int64(20)
			if v, ok := args["first"].(int64); ok {
				first = v
			}
			err = g.db.QueryRowContext(r.Context(), "SELECT search_services($1, $2)", args["query"], first).Scan(&js)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if i > 0 {
			out.WriteByte(',')
		}
		fmt.Fprintf(&out, "%q:", f.Alias)
		out.Write(js)
	}
	out.WriteString(`}}`)
	w.Header().Set("Content-Type", "application/json")
	w.Write(out.Bytes())
}
