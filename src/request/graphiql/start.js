// Starts GraphiQL on the query page. Plain browser JavaScript, served as it is: React, ReactDOM
// and GraphiQL are the UMD globals the page's earlier scripts define.
/* global React, ReactDOM, GraphiQL */
'use strict';

// The style element GraphiQL's dialogs add (react-remove-scroll) takes its nonce from here;
// the page's policy admits no other inline style.
globalThis.__webpack_nonce__ = document.currentScript.nonce;

const tabs = JSON.parse(document.getElementById('example-tabs').textContent);
// Relative to the page, so a gateway served under a path prefix still finds its endpoint.
const endpoint = new URL('graphql', document.baseURI).href;
const newFetcher = () => GraphiQL.createFetcher({ url: endpoint, enableIncrementalDelivery: false });

// GraphiQL introspects when its fetcher changes, with the headers in the Headers pane: a new
// fetcher once the pasted headers are valid JSON and differ makes the Docs and autocompletion
// those of the role the headers authenticate.
let fetcher = newFetcher();
let introspectedHeaders = '{}';
let pending;

function headersChanged(text) {
  clearTimeout(pending);
  pending = setTimeout(() => {
    let canonical;
    try {
      canonical = JSON.stringify(text.trim() === '' ? {} : JSON.parse(text));
    } catch {
      return; // still being typed
    }
    if (canonical === introspectedHeaders) return;
    introspectedHeaders = canonical;
    fetcher = newFetcher();
    render();
  }, 300);
}

const root = ReactDOM.createRoot(document.getElementById('graphiql'));

function render() {
  root.render(
    React.createElement(
      GraphiQL,
      {
        fetcher,
        defaultTabs: tabs,
        defaultEditorToolsVisibility: 'headers',
        // GraphiQL keeps headers (tokens) out of the browser's storage unless the user turns
        // that on; the switch is in its settings.
        showPersistHeadersSettings: true,
        onEditHeaders: headersChanged,
      },
      React.createElement(GraphiQL.Logo, null, 'CivicGraph'),
    ),
  );
}

render();
