// Package web serves the API's pages for people: GraphiQL at /graphiql (and
// / pointing there), the portal preview at /portal (what a citizen sees for
// a place) and the editor console at /console. Every page is plain HTML,
// CSS and ES modules embedded in the binary with go:embed; they call only
// the public GraphQL endpoint /graphql, like any other front end, and send
// no request to another host.
//
// Invariants:
//   - No inline script, no eval, no inline style: every page is served
//     with a strict Content-Security-Policy (default-src 'none',
//     script-src 'self', style-src 'self', connect-src 'self'). GraphiQL's
//     page differs only in font-src data:, for the fonts its stylesheet
//     embeds. The browser tests fail on any violation.
//   - Catalogue texts are put into the page as text (textContent), or,
//     for text modules and search highlights, through a whitelist of the
//     PVOG elements (p br h1-h6 b strong i em sup sub ul ol li a[href],
//     plus mark) that rebuilds the markup element by element.
//   - The console keeps an editor's token in sessionStorage only and sends
//     it only as the Authorization header of same-origin requests to
//     /graphql; never in a cookie, a URL or a log line.
//
// The third-party files (GraphiQL, React) are in static/vendor with their
// licence files and a VERSIONS list, written by vendor.sh from the npm
// registry. The browser tests (browser_test.go) drive headless Chromium
// against the real binary; they also vendor axe-core, into testdata/, for
// the accessibility check.
package web
