/* The query page, enhanced: YASQE (the editor) and YASR (the result views) from the vendored YASGUI release,
 * completions from this data set (never from a remote service), a timeline and a network view of results,
 * and download links in every format the endpoint offers. Without scripts, the form works as it is. */
(function () {
  "use strict";

  var Yasqe = window.Yasqe, Yasr = window.Yasr;
  var form = document.getElementById("sparql-form");
  if (!form || !Yasqe || !Yasr) { return; }

  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var DATE_TYPES = ["date", "dateTime", "dateTimeStamp", "gYearMonth", "gYear"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"];
  var textarea = document.getElementById("query");
  var endpoint = form.getAttribute("action");
  var base = form.getAttribute("data-base") || "";
  var views = document.getElementById("sparql-views");
  var note = document.getElementById("sparql-note");
  var prefixes = {};

  // --- Helpers for the views -------------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function svg(tag, attributes) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }

  /** Our prefixes, and one per kind of thing the results name (`person:` for {base}id/person/), as the
   *  Turtle documents declare them. */
  function withKinds(yasr) {
    var all = {}, root = base + "id/";
    Object.keys(prefixes).forEach(function (p) { all[p] = prefixes[p]; });
    (bindings(yasr) || []).slice(0, 2000).forEach(function (row) {
      Object.keys(row).forEach(function (v) {
        var term = row[v];
        if (!term || term.type !== "uri" || term.value.indexOf(root) !== 0) { return; }
        var kind = term.value.slice(root.length).split("/")[0];
        if (!/^[A-Za-z][\w-]*$/.test(kind)) { return; }
        var name = prefixes[kind] === undefined ? kind : kind + "-id";
        if (all[name] === undefined) { all[name] = root + kind + "/"; }
      });
    });
    return all;
  }

  /** An IRI as a reader reads it: prefixed where a prefix fits, our own ones relative to the base. */
  function shortIri(iri) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && (!best || ns.length > prefixes[best].length)) { best = p; }
    });
    if (best !== null && /^[\w.-]*$/.test(iri.slice(prefixes[best].length))) {
      return best + ":" + iri.slice(prefixes[best].length);
    }
    var own = base ? /^id\/([A-Za-z][\w-]*)\/([\w.-]+)$/.exec(iri.slice(base.length)) : null;
    if (own && iri.indexOf(base) === 0) {
      return (prefixes[own[1]] === undefined ? own[1] : own[1] + "-id") + ":" + own[2];
    }
    if (base && iri.indexOf(base) === 0) { return iri.slice(base.length); }
    return iri;
  }

  /** Where a link to an IRI goes: our own IRIs to this server's pages; other http(s) IRIs as they are. */
  function href(iri) {
    if (base && iri.indexOf(base) === 0) { return "/" + iri.slice(base.length); }
    return /^https?:\/\//i.test(iri) ? iri : null;
  }

  function termNode(term) {
    if (!term) { return el("span", "unbound", ""); }
    if (term.type === "uri") {
      var target = href(term.value);
      var node = el(target ? "a" : "span", "iri", shortIri(term.value));
      if (target) { node.href = target; }
      node.title = term.value;
      return node;
    }
    return el("span", "literal", term.value);
  }

  /** The words shown for a binding: a sibling ?xName or ?xLabel when the query has one. */
  function named(row, variable) {
    var label = row[variable + "Name"] || row[variable + "Label"];
    if (label) { return label.value; }
    var term = row[variable];
    return term ? (term.type === "uri" ? shortIri(term.value) : term.value) : "";
  }

  function isDate(term) {
    return !!term && (term.type === "literal" || term.type === "typed-literal") && !!term.datatype &&
      term.datatype.indexOf(XSD) === 0 && DATE_TYPES.indexOf(term.datatype.slice(XSD.length)) >= 0;
  }

  /** A date at the precision its datatype gives: a year, a month of a year, a day. */
  function showDate(term) {
    var m = /^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?(T[\d:.]+)?/.exec(term.value);
    if (!m) { return term.value; }
    var type = term.datatype.slice(XSD.length);
    if (type === "gYear") { return m[1]; }
    var month = MONTHS[parseInt(m[2], 10) - 1] || m[2];
    if (type === "gYearMonth") { return month + " " + m[1]; }
    var day = parseInt(m[3], 10) + " " + month + " " + m[1];
    return m[4] ? day + ", " + m[4].slice(1) : day;
  }

  /** A small icon for a view's button, drawn in SVG (no icon font, no inline style). */
  function icon(shapes) {
    var root = svg("svg", {viewBox: "0 0 16 16", width: "16", height: "16", "class": "lodpub-icon", "aria-hidden": "true"});
    shapes.forEach(function (shape) { root.appendChild(svg(shape[0], shape[1])); });
    return root;
  }

  function bindings(yasr) {
    return (yasr.results && yasr.results.getBindings && yasr.results.getBindings()) || null;
  }

  // --- Timeline: rows in date order, when a variable holds dates -----------------------------------------

  function dateVariable(yasr) {
    var rows = bindings(yasr);
    if (!rows || !rows.length) { return null; }
    var vars = yasr.results.getVariables();
    for (var i = 0; i < vars.length; i++) {
      if (rows.some(function (row) { return isDate(row[vars[i]]); })) { return vars[i]; }
    }
    return null;
  }

  function Timeline(yasr) {
    this.yasr = yasr;
    this.label = "Timeline";
    this.priority = 5;
  }
  Timeline.prototype.canHandleResults = function () { return !!dateVariable(this.yasr); };
  Timeline.prototype.getIcon = function () {
    return icon([["line", {x1: 2, y1: 8, x2: 14, y2: 8}], ["circle", {cx: 4, cy: 8, r: 2}], ["circle", {cx: 11, cy: 8, r: 2}]]);
  };
  Timeline.prototype.draw = function () {
    var yasr = this.yasr, variable = dateVariable(yasr), rows = bindings(yasr).slice();
    var others = yasr.results.getVariables().filter(function (v) {
      return v !== variable && !/^inferred$/i.test(v) && !/(Name|Label)$/.test(v);
    });
    rows.sort(function (a, b) {
      var x = isDate(a[variable]) ? a[variable].value : "\uffff", y = isDate(b[variable]) ? b[variable].value : "\uffff";
      return x < y ? -1 : (x > y ? 1 : 0);
    });
    var list = el("ol", "lodpub-timeline");
    rows.forEach(function (row) {
      var date = row[variable], item = el("li", isDate(date) ? "dated" : "undated");
      var when = el("span", "when", isDate(date) ? showDate(date) : "no date given");
      if (row.inferred && row.inferred.value === "true") {
        when.appendChild(el("span", "inferred", "(year inferred, not stated)"));
      }
      item.appendChild(when);
      var what = el("span", "what");
      others.forEach(function (v, i) {
        if (!row[v]) { return; }
        if (what.childNodes.length) { what.appendChild(document.createTextNode(" \u00b7 ")); }
        var node = termNode(row[v]);
        if (row[v + "Name"] || row[v + "Label"]) { node.textContent = named(row, v); }
        what.appendChild(node);
      });
      item.appendChild(what);
      list.appendChild(item);
    });
    yasr.resultsEl.appendChild(el("p", "lodpub-view-note", "By ?" + variable + ", at the precision each date has."));
    yasr.resultsEl.appendChild(list);
  };

  // --- Network: ?sender -> ?addressee, agents as nodes and communications as edges -----------------------

  var SOURCE = /^(sender|from|source|speaker)$/i, TARGET = /^(addressee|recipient|to|target)$/i;

  function networkVariables(yasr) {
    var rows = bindings(yasr);
    if (!rows || !rows.length) { return null; }
    var vars = yasr.results.getVariables();
    var source = vars.filter(function (v) { return SOURCE.test(v); })[0];
    var target = vars.filter(function (v) { return TARGET.test(v); })[0];
    if (!source || !target) { return null; }
    return rows.some(function (row) { return row[source] && row[target]; }) ? [source, target] : null;
  }

  function Network(yasr) {
    this.yasr = yasr;
    this.label = "Network";
    this.priority = 4;
  }
  Network.prototype.canHandleResults = function () { return !!networkVariables(this.yasr); };
  Network.prototype.getIcon = function () {
    return icon([["line", {x1: 4, y1: 4, x2: 12, y2: 12}], ["line", {x1: 4, y1: 4, x2: 12, y2: 4}],
                 ["circle", {cx: 4, cy: 4, r: 2}], ["circle", {cx: 12, cy: 12, r: 2}], ["circle", {cx: 12, cy: 4, r: 2}]]);
  };
  Network.prototype.draw = function () {
    var yasr = this.yasr, pair = networkVariables(yasr), vars = yasr.results.getVariables();
    var nodes = {}, order = [], edges = [];
    function node(row, variable) {
      var key = row[variable].value;
      if (!nodes[key]) { nodes[key] = {term: row[variable], label: named(row, variable)}; order.push(key); }
      return key;
    }
    var medium = vars.filter(function (v) { return /^medium$/i.test(v); })[0];
    var through = vars.filter(function (v) { return /^intermediary$/i.test(v); })[0];
    var relays = [];
    var when = vars.filter(function (v) { return /^(when|date)$/i.test(v); })[0];
    bindings(yasr).forEach(function (row) {
      if (!row[pair[0]] || !row[pair[1]]) { return; }
      var words = [];
      if (medium && row[medium]) { words.push(named(row, medium)); }
      if (when && row[when]) { words.push(isDate(row[when]) ? showDate(row[when]) : row[when].value); }
      edges.push({from: node(row, pair[0]), to: node(row, pair[1]), label: words.join(", ")});
      if (through && row[through]) {   // the message went through someone: a dashed path by way of them
        var via = node(row, through);
        relays.push({from: node(row, pair[0]), to: via}, {from: via, to: node(row, pair[1])});
      }
    });
    // Agents on an ellipse, leaving room at the sides for their names.
    var width = 900, height = Math.max(460, Math.min(900, 160 + order.length * 36));
    var cx = width / 2, cy = height / 2, rx = cx - 230, ry = cy - 50;
    order.forEach(function (key, i) {
      var angle = 2 * Math.PI * i / order.length - Math.PI / 2;
      nodes[key].x = cx + rx * Math.cos(angle);
      nodes[key].y = cy + ry * Math.sin(angle);
    });
    var root = svg("svg", {"class": "lodpub-network", viewBox: "0 0 " + width + " " + height, role: "img",
                           "aria-label": "Network of ?" + pair[0] + " to ?" + pair[1]});
    var defs = svg("defs"), marker = svg("marker", {id: "lodpub-arrow", viewBox: "0 0 10 10", refX: "16", refY: "5",
                                                     markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse"});
    marker.appendChild(svg("path", {d: "M 0 0 L 10 5 L 0 10 z", "class": "arrow"}));
    defs.appendChild(marker);
    root.appendChild(defs);
    var seen = {};
    edges.forEach(function (edge) {
      var a = nodes[edge.from], b = nodes[edge.to], pairKey = edge.from + "\u0000" + edge.to;
      var k = seen[pairKey] = (seen[pairKey] || 0) + 1;
      var mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2, dx = b.x - a.x, dy = b.y - a.y;
      var length = Math.sqrt(dx * dx + dy * dy) || 1, bend = 18 * k;
      var qx = mx - dy / length * bend, qy = my + dx / length * bend;
      var group = svg("g", {"class": "link"});
      var title = svg("title");
      title.textContent = a.label + " \u2192 " + b.label + (edge.label ? " (" + edge.label + ")" : "");
      group.appendChild(title);
      group.appendChild(svg("path", {"class": "edge", d: "M " + a.x + " " + a.y + " Q " + qx + " " + qy + " " + b.x +
                                      " " + b.y, "marker-end": "url(#lodpub-arrow)"}));
      if (edge.label && edges.length <= 40) {
        var text = svg("text", {"class": "edge-label", x: (mx + qx) / 2, y: (my + qy) / 2, "text-anchor": "middle"});
        text.textContent = edge.label;
        group.appendChild(text);
      }
      root.appendChild(group);
    });
    relays.forEach(function (relay) {
      var a = nodes[relay.from], b = nodes[relay.to];
      var title = svg("title");
      title.textContent = a.label + " \u2192 " + b.label + " (passing a message on)";
      var path = svg("path", {"class": "via", d: "M " + a.x + " " + a.y + " L " + b.x + " " + b.y,
                              "marker-end": "url(#lodpub-arrow)"});
      path.appendChild(title);
      root.appendChild(path);
    });
    order.forEach(function (key) {
      var n = nodes[key], target = n.term.type === "uri" ? href(n.term.value) : null;
      var group = svg(target ? "a" : "g", {"class": "node"});
      if (target) { group.setAttribute("href", target); }
      var title = svg("title");
      title.textContent = n.term.value;
      group.appendChild(title);
      group.appendChild(svg("circle", {cx: n.x, cy: n.y, r: 7}));
      var right = n.x >= cx;
      var label = svg("text", {x: n.x + (right ? 11 : -11), y: n.y + 4, "text-anchor": right ? "start" : "end"});
      label.textContent = n.label;
      group.appendChild(label);
      root.appendChild(group);
    });
    yasr.resultsEl.appendChild(el("p", "lodpub-view-note", order.length + " agents, " + edges.length +
      " communications: ?" + pair[0] + " \u2192 ?" + pair[1] +
      (relays.length ? "; dashed: by way of ?" + through : "") + "."));
    yasr.resultsEl.appendChild(root);
  };

  Yasr.registerPlugin("timeline", Timeline);
  Yasr.registerPlugin("network", Network);

  // --- The editor -------------------------------------------------------------------------------------------

  // YASQE merges its defaults into every editor's settings: its completers of properties and classes ask
  // a remote service (LOV), so they go from the defaults before the editor is made.
  Yasqe.defaults.autocompleters = ["variables"];
  var holder = document.getElementById("yasqe");
  var yasqe = new Yasqe(holder, {
    value: textarea.value,
    persistenceId: null,
    showQueryButton: false,
    resizeable: true,
    editorHeight: "320px",
    consumeShareLink: null,
    createShareableLink: null,
    requestConfig: {endpoint: endpoint, method: "POST"}
  });
  textarea.hidden = true;
  document.getElementById("sparql-help").hidden = false;

  var yasr = new Yasr(document.getElementById("yasr"), {
    persistenceId: null,
    prefixes: function (self) { return withKinds(self); },
    pluginOrder: ["table", "timeline", "network", "response"],
    defaultPlugin: "table"
  });

  // Completions from our own data; Yasqe's own completers ask remote services, so they stay off.
  fetch(form.getAttribute("data-completions"), {headers: {Accept: "application/json"}})
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
    .then(function (found) {
      prefixes = found.prefixes || {};
      var declarations = Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; });
      Yasqe.forkAutocompleter("prefixes", {name: "lodpub-prefixes", get: declarations, persistenceId: null,
                                           onInitialize: declareOnUse}, false);
      Yasqe.forkAutocompleter("property", {name: "lodpub-properties", get: found.properties || [], bulk: true,
                                           autoShow: true, persistenceId: null}, false);
      Yasqe.forkAutocompleter("class", {name: "lodpub-classes", get: found.classes || [], bulk: true,
                                        autoShow: true, persistenceId: null}, false);
      return Promise.all(["lodpub-prefixes", "lodpub-classes", "lodpub-properties"].map(function (name) {
        return yasqe.enableCompleter(name);
      }));
    })
    .then(function () { form.setAttribute("data-completions-ready", "true"); },
          function (error) { form.setAttribute("data-completions-ready", "failed: " + error); });

  /** Typing `schema:` declares `PREFIX schema:` when the query lacks it: at once, so never twice. */
  function declareOnUse(editor) {
    editor.on("change", function () {
      var cursor = editor.getDoc().getCursor(), token = editor.getTokenAt(cursor);
      var colon = token.string.indexOf(":");
      if (token.type !== "string-2" || colon < 0) { return; }   // not a prefixed name in YASQE's SPARQL mode
      var name = token.string.slice(0, colon), previous = editor.getPreviousNonWsToken(cursor.line, token);
      if (previous && previous.string && previous.string.toUpperCase() === "PREFIX") { return; }
      if (prefixes[name] && editor.getPrefixesFromQuery()[name] === undefined) {
        var declaration = {};
        declaration[name] = prefixes[name];
        editor.addPrefixes(declaration);
      }
    });
  }

  // --- Running a query --------------------------------------------------------------------------------------

  function kindOf(query) {
    var type = (yasqe.getQueryType() || "").toUpperCase();
    return type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : "results";
  }

  function showDownloads(query, kind) {
    var nav = document.getElementById("sparql-downloads");
    while (nav.firstChild) { nav.removeChild(nav.firstChild); }
    var links = document.getElementById("sparql-download-" + kind).content.cloneNode(true);
    Array.prototype.forEach.call(links.querySelectorAll("a"), function (a) {
      a.href = endpoint + "?" + new URLSearchParams({query: query, format: a.getAttribute("data-format")});
    });
    nav.appendChild(links);
  }

  function errorText(text, contentType) {
    if (contentType.indexOf("html") < 0) { return text; }
    var doc = new DOMParser().parseFromString(text, "text/html");
    var main = doc.querySelector("pre") || doc.querySelector("main") || doc.body;
    return main ? main.textContent.trim() : text;
  }

  function run() {
    var query = yasqe.getValue(), kind = kindOf(query), started = performance.now();
    textarea.value = query;
    views.hidden = false;
    var server = document.getElementById("sparql-answer");
    if (server) { server.hidden = true; }
    form.setAttribute("data-running", "true");
    fetch(endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                Accept: kind === "graph" ? "text/turtle" : "application/sparql-results+json"},
      body: new URLSearchParams({query: query})
    }).then(function (response) {
      return response.text().then(function (text) {
        var elapsed = Math.round(performance.now() - started);
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok) {
          yasr.setResponse({error: {status: response.status, text: errorText(text, type)}}, elapsed);
          document.getElementById("sparql-downloads").textContent = "";
        } else {
          yasr.setResponse({data: text, contentType: type, status: response.status}, elapsed);
          showDownloads(query, kind);
        }
        var cut = response.headers.get("Warning");
        note.hidden = !response.headers.get("X-Lodpub-Truncated");
        note.textContent = cut ? cut.replace(/^199 lodpub "|"$/g, "") : "";
        history.replaceState(null, "", endpoint + "?" + new URLSearchParams({query: query}));
      });
    }, function (error) {
      yasr.setResponse({error: {text: "the query could not be sent: " + error}}, 0);
    }).then(function () { form.setAttribute("data-running", "done"); });
  }

  form.addEventListener("submit", function (event) {
    var format = form.querySelector("select[name=format]");
    textarea.value = yasqe.getValue();
    if (format && format.value !== "html") { return; }   // a file in a format: the browser fetches it
    event.preventDefault();
    run();
  });
  yasqe.addKeyMap({"Ctrl-Enter": run, "Cmd-Enter": run});

  // An example sets the editor and runs; its link still works as a plain link without scripts.
  Array.prototype.forEach.call(document.querySelectorAll("a[data-example]"), function (link) {
    link.addEventListener("click", function (event) {
      var query = new URL(link.href).searchParams.get("query");
      if (!query) { return; }
      event.preventDefault();
      yasqe.setValue(query);
      window.scrollTo(0, form.offsetTop);
      run();
    });
  });

  // A page that arrived with results (a shared link, a reload) shows them in the views as well.
  if (document.getElementById("sparql-answer")) { run(); }
})();
