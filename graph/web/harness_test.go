package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/leistungsfinder/leistungsfinder/graph"
	"github.com/leistungsfinder/leistungsfinder/graph/web"
)

// The tests run a binary they build, which go test's cache cannot see;
// linking the packages it is built from makes a change to them run the
// tests again instead of answering from the cache.
var _, _ = web.Pages, graph.NewHandler

// The browser tests run the real binary, built here, on a fresh data
// directory, and drive headless Chromium against it. One server and one
// browser serve every test of the package; each test opens its own tabs.
// Chromium comes from Debian (apt-get install chromium; .ci/run does
// that); LF_CHROME names another binary. Without one the tests skip.

// server is the binary under test with the editors the scenarios sign in as.
type server struct {
	url    string
	tokens map[string]string // municipal (Eschwege), kassel, state, admin
	cmd    *exec.Cmd
	log    *syncBuffer
	dir    string
}

var (
	fixtureOnce sync.Once
	fixture     *server
	fixtureErr  error
	browserCtx  context.Context
	stopBrowser context.CancelFunc
)

func TestMain(m *testing.M) {
	code := m.Run()
	if stopBrowser != nil {
		stopBrowser()
	}
	if fixture != nil {
		fixture.stop()
	}
	os.Exit(code)
}

// chromePath finds Chromium: LF_CHROME, else the names Debian and others
// install it under.
func chromePath() string {
	if p := os.Getenv("LF_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// start returns the shared server and browser, starting them on first use.
func start(t *testing.T) *server {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	chrome := chromePath()
	if chrome == "" {
		t.Skip("no Chromium found (apt-get install chromium, or set LF_CHROME): browser tests skipped")
	}
	fixtureOnce.Do(func() {
		fixture, fixtureErr = startServer()
		if fixtureErr != nil {
			return
		}
		u, _ := url.Parse(fixture.url)
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chrome),
			chromedp.NoSandbox, // CI runs as root
			chromedp.DisableGPU,
			chromedp.WindowSize(1280, 900),
			// Every other host is unreachable: names do not resolve, and
			// the page would fail loudly if it asked for one.
			chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE "+u.Hostname()),
			chromedp.Flag("no-proxy-server", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-domain-reliability", true),
		)
		var allocCtx context.Context
		allocCtx, stopAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		var stop context.CancelFunc
		browserCtx, stop = chromedp.NewContext(allocCtx)
		stopBrowser = func() { stop(); stopAlloc() }
		fixtureErr = chromedp.Run(browserCtx) // starts the browser
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixture
}

var listening = regexp.MustCompile(`"msg":"listening","addr":"(http://[^"]+)"`)

func startServer() (*server, error) {
	dir, err := os.MkdirTemp("", "lf-browser-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, tokens: map[string]string{}, log: &syncBuffer{}}
	bin := filepath.Join(dir, "leistungsfinder")
	build := exec.Command("go", "build", "-o", bin, "github.com/leistungsfinder/leistungsfinder/cmd/leistungsfinder")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o750); err != nil {
		return nil, err
	}
	// The admin comes first, from the command line; the regions the other
	// editors' scopes name exist once the demo catalogue is loaded, so
	// the admin creates them through the API.
	out, err := exec.Command(bin, "editor", "add", "-data", data, "-name", "Betrieb", "-role", "ADMIN").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("editor add: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	s.tokens["admin"] = strings.TrimSpace(lines[len(lines)-1])
	s.cmd = exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-data", data)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.log.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			return nil, fmt.Errorf("the server stopped before listening:\n%s", s.log.String())
		}
		s.url = u
		if err := s.createEditors(); err != nil {
			s.stop()
			return nil, err
		}
	case <-time.After(2 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("the server did not listen within 2 minutes:\n%s", s.log.String())
	}
	return s, nil
}

func (s *server) createEditors() error {
	for _, e := range []struct{ key, name, role, scope string }{
		{"municipal", "Stadt Eschwege", "MUNICIPAL_EDITOR", "066360003003"},
		{"kassel", "Stadt Kassel", "MUNICIPAL_EDITOR", "066110000000"},
		{"state", "Landesredaktion", "STATE_EDITOR", ""},
	} {
		in := map[string]any{"name": e.name, "role": e.role}
		if e.scope != "" {
			in["scopes"] = []string{e.scope}
		}
		body, _ := json.Marshal(map[string]any{"query": `mutation($in: EditorInput!) { createEditor(input: $in) { token } }`,
			"variables": map[string]any{"in": in}})
		req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.tokens["admin"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		var out struct {
			Data struct {
				CreateEditor struct{ Token string }
			}
			Errors []any
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || out.Data.CreateEditor.Token == "" {
			return fmt.Errorf("createEditor %s: %v %v", e.name, err, out.Errors)
		}
		s.tokens[e.key] = out.Data.CreateEditor.Token
	}
	return nil
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Kill()
		}
	}
	os.RemoveAll(s.dir)
}

// gql sends a GraphQL request to the server, as a script would, with an
// editor's token when one is named.
func (s *server) gql(t *testing.T, who, query string, vars map[string]any) (data map[string]any, errs []map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[who])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any   `json:"data"`
		Errors []map[string]any `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Data, out.Errors
}

// tab is one browser tab on the server, which records every request to
// another host and every Content-Security-Policy violation.
type tab struct {
	t       *testing.T
	ctx     context.Context
	srv     *server
	mu      sync.Mutex
	foreign []string
}

// newTab opens a tab; the test fails if the tab asked any other host for
// anything or the page broke its CSP.
func newTab(t *testing.T, s *server) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	tb := &tab{t: t, ctx: ctx, srv: s}
	host := strings.TrimPrefix(s.url, "http://")
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			u, err := url.Parse(e.Request.URL)
			if err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "ws" || u.Scheme == "wss") && u.Host != host {
				tb.mu.Lock()
				tb.foreign = append(tb.foreign, e.Request.URL)
				tb.mu.Unlock()
			}
		}
	})
	err := chromedp.Run(ctx, network.Enable(), page.BringToFront(), chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));`).Do(ctx)
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tb.checkCSP()
		tb.mu.Lock()
		foreign := tb.foreign
		tb.mu.Unlock()
		if len(foreign) > 0 {
			t.Errorf("the page asked other hosts: %v", foreign)
		}
		cancelTimeout()
		cancel()
	})
	return tb
}

// run runs browser actions and fails the test on error, with a screenshot
// of the moment for the artifacts.
func (tb *tab) run(actions ...chromedp.Action) {
	tb.t.Helper()
	// Only the tab in front renders: bring this one forward, as a user
	// switching tabs would, so that its frames and screenshots come.
	if err := chromedp.Run(tb.ctx, append([]chromedp.Action{page.BringToFront()}, actions...)...); err != nil {
		tb.screenshot("failure")
		tb.t.Fatalf("%v\npage text:\n%s", err, tb.text("body"))
	}
}

func (tb *tab) text(sel string) string {
	var s string
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	chromedp.Run(ctx, chromedp.Evaluate(`(document.querySelector(`+jsString(sel)+`)||{}).innerText||''`, &s))
	return s
}

// eval evaluates JavaScript and awaits its promise.
func (tb *tab) eval(expr string, out any) {
	tb.t.Helper()
	tb.run(chromedp.Evaluate(expr, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
}

// waitText waits until the element sel contains want.
func (tb *tab) waitText(sel, want string) {
	tb.t.Helper()
	tb.run(chromedp.Poll(`(() => { const e = document.querySelector(`+jsString(sel)+`); return !!e && e.innerText.includes(`+jsString(want)+`); })()`, nil,
		chromedp.WithPollingTimeout(20*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
}

func (tb *tab) checkCSP() {
	var v []string
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.__csp || []`, &v)); err == nil && len(v) > 0 {
		tb.t.Errorf("Content-Security-Policy violations: %v", v)
	}
}

// screenshot saves the page at its current size to the artifacts folder:
// $LF_ARTIFACTS, else a folder of the test's own.
func (tb *tab) screenshot(name string) {
	var buf []byte
	ctx, cancel := context.WithTimeout(tb.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Run(ctx, page.BringToFront(), chromedp.FullScreenshot(&buf, 100)); err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	dir := artifactDir(tb.t)
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		tb.t.Error(err)
	}
}

var (
	artifactsOnce sync.Once
	artifacts     string
)

func artifactDir(t *testing.T) string {
	artifactsOnce.Do(func() {
		artifacts = os.Getenv("LF_ARTIFACTS")
		if artifacts == "" {
			artifacts, _ = os.MkdirTemp("", "lf-screenshots-")
		}
		os.MkdirAll(artifacts, 0o755)
		t.Logf("screenshots in %s", artifacts)
	})
	return artifacts
}

// shots takes a screenshot at phone (360 px) and desktop (1280 px) width.
func (tb *tab) shots(name string) {
	tb.t.Helper()
	for _, w := range []int64{360, 1280} {
		tb.run(chromedp.EmulateViewport(w, 900))
		tb.settle()
		tb.screenshot(fmt.Sprintf("%s-%d", name, w))
	}
}

// settle waits until the page has laid out and painted twice, after a
// change of the viewport.
func (tb *tab) settle() {
	tb.t.Helper()
	tb.eval(`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, new(bool))
}

// signIn opens the console and signs in with an editor's token, as an
// editor pastes it.
func (tb *tab) signIn(who, path string) {
	tb.t.Helper()
	tb.run(
		chromedp.Navigate(tb.srv.url+"/console"),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		chromedp.SendKeys(`#token`, tb.srv.tokens[who], chromedp.ByQuery),
		chromedp.Click(`#signin button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#whoami`, chromedp.ByQuery),
	)
	if path != "" {
		tb.run(chromedp.Navigate(tb.srv.url + path))
	}
}

// fill sets a form control's value as a user's choice would, with the
// change event.
func fill(sel, value string) chromedp.Action {
	return chromedp.Evaluate(`(() => { const e = document.querySelector(`+jsString(sel)+`); e.value = `+jsString(value)+`; e.dispatchEvent(new Event('change', {bubbles: true})); })()`, nil)
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	b.b.WriteString(s)
	b.mu.Unlock()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
