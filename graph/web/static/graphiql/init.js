// Starts GraphiQL against this server's /graphql. A plain script, loaded
// after React, ReactDOM and GraphiQL's UMD bundle (all served from
// /static/vendor, see VERSIONS there).
'use strict';
(function () {
  const fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).href });
  const defaultQuery = `# Leistungsfinder: a service as a portal shows it for one place
# (Gewerbe anmelden in Eschwege). Press Ctrl-Enter to run it; the Docs
# button on the left shows the schema.
{
  localService(leikaKey: "99050012104000", ars: "066360003003") {
    name
    responsibleOffices { name address { street postalCode city } }
    onlineServices { title links { url } }
  }
}
`;
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: false }));
})();
