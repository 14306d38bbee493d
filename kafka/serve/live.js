// kafka serve: keeps the page in the frame in step with the case files.
//
// The server counts changes (a "generation") and announces each new count by
// server-sent events on /events. On a new count the current page is fetched
// and only what changed is changed on screen, in place: the reader keeps
// their place, the presentation its slide, and the browser lays out only the
// changed parts (a 100-step report is a megabyte; loading it whole takes the
// browser far longer than the change). When that cannot be done safely (the
// first page, another page, a change the page's own scripts would not
// survive), the page is loaded whole in the hidden second frame, scrolled to
// where the reader was, and the two frames swap: the projection never
// flashes white.
(function () {
  'use strict';

  var body = document.body;
  var shown = Number(body.dataset.generation);
  var front = document.getElementById('view-a');
  var back = document.getElementById('view-b');
  var status = document.getElementById('live-status');
  var loading = false;
  var again = false;

  // Only our own pages are ever put in the frame (the hash keeps the page across a browser reload).
  function ownPath(path) {
    return typeof path === 'string' && path.indexOf('/view/') === 0 && path.indexOf('//') === -1;
  }

  function framePath(frame) {
    try {
      var where = frame.contentWindow.location;
      return ownPath(where.pathname) ? where.pathname : '/view/';
    } catch (e) {
      return '/view/';
    }
  }

  // The frame's own #place (the slide of the presentation) is kept across reloads.
  function frameHash(frame) {
    try {
      var hash = frame.contentWindow.location.hash;
      return /^#[a-z0-9-]{0,40}$/.test(hash) ? hash : '';
    } catch (e) {
      return '';
    }
  }

  function remember() {
    var path = framePath(front);
    try {
      history.replaceState(null, '', path === '/view/' ? '/' : '/#' + path);
      document.title = front.contentDocument.title || document.title;
    } catch (e) { /* not loaded yet */ }
  }

  // --- changing the page on screen in place ---------------------------------------------
  //
  // The page on screen was made from `prev`: the HTML the server sent for it, parsed, never
  // shown (kept on the frame's document as `kafkaSource`). Its scripts may have changed the
  // screen since (the sorting buttons, the zoom, the slide shown, a focus). Only what differs
  // between `prev` and `next` is changed, and only where the screen still holds what `prev`
  // holds there. Everything is checked before anything is changed; when a check fails, the
  // page is loaded whole instead.

  function Unsafe(why) { this.why = why; }

  // Elements the pages' scripts hold on to (the report's zoom, step card and sortable tables,
  // the presentation's slides and controls): replaced by new ones, they would lose their
  // handlers, so a change that would replace one loads the page whole instead.
  var HELD = 'script, button, select, input, textarea, .slide, .map-tools, .map-frame, #map-card';

  function attributeChanges(live, prev, next, ops) {
    var i, a, was;
    for (i = 0; i < next.attributes.length; i++) {
      a = next.attributes[i];
      was = prev.getAttributeNS(a.namespaceURI, a.localName);
      if (was !== a.value) {
        if (live.getAttributeNS(a.namespaceURI, a.localName) !== was) {
          throw new Unsafe('attribute');
        }
        ops.push(live.setAttributeNS.bind(live, a.namespaceURI, a.name, a.value));
      }
    }
    for (i = 0; i < prev.attributes.length; i++) {
      a = prev.attributes[i];
      if (!next.hasAttributeNS(a.namespaceURI, a.localName)) {
        if (live.getAttributeNS(a.namespaceURI, a.localName) !== a.value) {
          throw new Unsafe('attribute');
        }
        ops.push(live.removeAttributeNS.bind(live, a.namespaceURI, a.localName));
      }
    }
  }

  function replaceable(live, prev) {
    if (!live.isEqualNode(prev)) {
      throw new Unsafe('changed on screen');
    }
    if (live.nodeType === 1 && (live.matches(HELD) || live.querySelector(HELD))) {
      throw new Unsafe('held by a script');
    }
  }

  function nodeChanges(live, prev, next, ops) {
    if (prev.nodeType !== next.nodeType || prev.nodeName !== next.nodeName || live.nodeName !== prev.nodeName) {
      replaceable(live, prev);
      var fresh = live.ownerDocument.importNode(next, true);
      ops.push(function () { live.parentNode.replaceChild(fresh, live); });
      return;
    }
    if (prev.nodeType === 3 || prev.nodeType === 8) {  // text, comment
      if (live.data !== prev.data) {
        throw new Unsafe('text');
      }
      ops.push(function () { live.data = next.data; });
      return;
    }
    if (prev.nodeType !== 1 || prev.nodeName === 'SCRIPT') {
      throw new Unsafe(prev.nodeName);
    }
    // A table's body row may have been moved by sorting: only a row still as sent is changed.
    if (prev.nodeName === 'TR' && prev.parentNode.nodeName === 'TBODY' && !live.isEqualNode(prev)) {
      throw new Unsafe('row');
    }
    attributeChanges(live, prev, next, ops);
    if (live.kafkaAside) {  // the print bands, held aside: the new ones are held aside instead
      var doc = live.ownerDocument;
      ops.push(function () {
        var aside = doc.createDocumentFragment();
        Array.prototype.forEach.call(next.childNodes, function (child) {
          aside.appendChild(doc.importNode(child, true));
        });
        live.kafkaAside = aside;
      });
      return;
    }
    childChanges(live, prev, next, ops);
  }

  function childChanges(live, prev, next, ops) {
    listChanges(live, live.childNodes, prev.childNodes, next.childNodes, null, ops);
  }

  // `L`, children of `parent` on screen followed there by `after`, were made from `P`: make them `N`.
  function listChanges(parent, L, P, N, after, ops) {
    var p = P.length;
    var n = N.length;
    var i;
    if (L.length !== p) {
      throw new Unsafe('children');
    }
    if (p === n) {
      for (i = 0; i < n; i++) {
        if (!P[i].isEqualNode(N[i])) {
          nodeChanges(L[i], P[i], N[i], ops);
        }
      }
      return;
    }
    // Children added or removed: keep the equal ones at both ends, replace the middle.
    var head = 0;
    while (head < p && head < n && P[head].isEqualNode(N[head])) {
      head++;
    }
    var tail = 0;
    while (tail < p - head && tail < n - head && P[p - 1 - tail].isEqualNode(N[n - 1 - tail])) {
      tail++;
    }
    var gone = [];
    for (i = head; i < p - tail; i++) {
      replaceable(L[i], P[i]);
      gone.push(L[i]);
    }
    var doc = parent.ownerDocument;
    var fresh = [];
    for (i = head; i < n - tail; i++) {
      fresh.push(doc.importNode(N[i], true));
    }
    var before = p - tail < p ? L[p - tail] : after;
    ops.push(function () {
      gone.forEach(function (node) { parent.removeChild(node); });
      fresh.forEach(function (node) { parent.insertBefore(node, before); });
    });
  }

  // The contents of <template> elements (the map's step cards) are not compared by
  // isEqualNode: they are brought up to date by id.
  function templatesIn(nodes) {
    var found = [];
    Array.prototype.forEach.call(nodes, function (node) {
      if (node.nodeType === 1) {
        if (node.nodeName === 'TEMPLATE' && node.id) {
          found.push(node);
        }
        Array.prototype.push.apply(found, node.querySelectorAll('template[id]'));
      }
    });
    return found;
  }

  function templateChanges(doc, prev, next, ops) {
    var before = {};
    templatesIn(prev).forEach(function (t) {
      before[t.id] = t.innerHTML;
    });
    templatesIn(next).forEach(function (t) {
      if (before[t.id] !== t.innerHTML) {
        var html = t.innerHTML;
        ops.push(function () {
          var live = doc.getElementById(t.id);
          if (live && live.nodeName === 'TEMPLATE') {
            live.innerHTML = html;
          }
        });
      }
    });
  }

  function apply(doc, ops) {
    ops.forEach(function (op) { op(); });
    holdBandsAside(doc);
  }

  function unsafe(e) {
    if (!(e instanceof Unsafe)) {
      throw e;
    }
    body.dataset.whole = e.why;  // for tests: why the last change loaded the page whole
    return false;
  }

  // Changes `doc` (on screen, made from `prev`) into `next`; false when that is not safe.
  function patch(doc, prev, next) {
    try {
      if (!prev.head.isEqualNode(next.head) ||
          prev.documentElement.getAttribute('lang') !== next.documentElement.getAttribute('lang')) {
        throw new Unsafe('head');
      }
      var ops = [];
      if (!prev.body.isEqualNode(next.body)) {
        nodeChanges(doc.body, prev.body, next.body, ops);
      }
      templateChanges(doc, [prev.body], [next.body], ops);
      apply(doc, ops);
      return true;
    } catch (e) {
      return unsafe(e);
    }
  }

  // A report is its sections (<section class="block" id="...">, children of <main>) between a
  // head and a foot. Most changes leave most sections as they were, to the letter: only the
  // sections whose text changed are parsed and compared, not the whole page (a megabyte for
  // 100 steps). The page's own markup never holds this text elsewhere (text is escaped).
  var PART = /(?=<section class="block[^"]*" id="[a-z0-9-]+">)|(?=<footer[ >])/;

  function source(path, page) {
    return {path: path, doc: parsed(page), parts: page.text.split(PART)};
  }

  // Changes `doc` (on screen, made from `kept`) section by section into the page `text`: true
  // when done, false when that is not safe, null when the page is not made of the same
  // sections (then the whole page is compared).
  function patchParts(doc, kept, text) {
    var before = kept.parts;
    var after = text.split(PART);
    var last = after.length - 1;
    if (!before || before.length !== after.length || last < 2 || before[0] !== after[0] || before[last] !== after[last]) {
      return null;
    }
    var prevMain = kept.doc.querySelector('main');
    var liveMain = doc.querySelector('main');
    if (!prevMain || !liveMain || liveMain.childNodes.length !== prevMain.childNodes.length) {
      return null;
    }
    var P = prevMain.childNodes;
    var starts = [];
    var foot = -1;
    for (var i = 0; i < P.length; i++) {
      if (P[i].nodeName === 'SECTION' && P[i].classList.contains('block')) {
        starts.push(i);
      } else if (P[i].nodeName === 'FOOTER' && foot < 0) {
        foot = i;
      }
    }
    if (starts.length !== last - 1 || foot < 0) {
      return null;
    }
    starts.push(foot);
    var ops = [];
    var moves = [];
    try {
      for (var k = 1; k < last; k++) {
        if (before[k] === after[k]) {
          continue;
        }
        var from = starts[k - 1];
        var to = starts[k];
        var holder = kept.doc.createElement('template');
        holder.innerHTML = after[k];
        var N = Array.prototype.slice.call(holder.content.childNodes);
        var Pk = Array.prototype.slice.call(P, from, to);
        if (!N.length || N[0].nodeName !== 'SECTION' || N[0].id !== Pk[0].id) {
          return null;
        }
        listChanges(liveMain, Array.prototype.slice.call(liveMain.childNodes, from, to), Pk, N,
                    liveMain.childNodes[to], ops);
        templateChanges(doc, Pk, N, ops);
        moves.push({gone: Pk, fresh: N, before: P[to]});
      }
      apply(doc, ops);
    } catch (e) {
      return unsafe(e);
    }
    // What the screen is made from now: the kept page with the new sections.
    moves.forEach(function (m) {
      m.gone.forEach(function (node) { prevMain.removeChild(node); });
      m.fresh.forEach(function (node) { prevMain.insertBefore(node, m.before); });
    });
    kept.parts = after;
    return true;
  }

  // The page at `path` as the server has it now: its text and its key, with which the frame
  // can load exactly this page (the server keeps the last few it sent).
  function fetchPage(path) {
    return fetch(path + '?g=' + shown, {cache: 'no-store', credentials: 'same-origin'}).then(function (answer) {
      return answer.text().then(function (text) {
        return {ok: answer.ok, key: answer.headers.get('X-Kafka-Page') || '', text: text, doc: null};
      });
    });
  }

  function parsed(page) {
    if (!page.doc) {
      page.doc = new DOMParser().parseFromString(page.text, 'text/html');
    }
    return page.doc;
  }

  var wanted = null;  // a page asked for by go(): loaded the same way, after any load under way

  function done() {
    loading = false;
    body.dataset.shown = String(shown);  // for tests: which generation is on screen
    if (again) {
      again = false;
      refresh();
    }
  }

  function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    var path = wanted || framePath(front);
    var place = wanted ? '' : frameHash(front);
    var win = front.contentWindow;
    var x = win && !wanted ? win.scrollX : 0;
    var y = win && !wanted ? win.scrollY : 0;
    var doc = null;
    try {
      doc = wanted ? null : front.contentDocument;
    } catch (e) { /* not ours */ }
    wanted = null;
    fetchPage(path).then(function (page) {
      var kept = doc && doc.kafkaSource;
      if (page.ok && kept && kept.path === path && front.contentDocument === doc) {
        var inPlace = patchParts(doc, kept, page.text);
        if (inPlace === null && patch(doc, kept.doc, parsed(page))) {
          doc.kafkaSource = source(path, page);
          inPlace = true;
        }
        if (inPlace) {
          body.dataset.patched = String(Number(body.dataset.patched || 0) + 1);  // for tests
          done();
          return;
        }
      }
      loadBehind(path, place, x, y, page);
    }).catch(function () {
      loadBehind(path, place, x, y, null);
    });
  }

  // The map's print bands (.map-print, hidden on screen) show the whole map again in each band
  // with <use>: the browser keeps a copy of the map per band (some fifty for 100 steps) and
  // rebuilds every copy at each change to the map, a second of work. On screen they are held
  // aside, out of the page, and put back only to print.
  var BANDS = '.map-print';

  // The browser lays out and paints only the sections of a long report that are in sight (and
  // those near); each keeps the size it had when last drawn. A change elsewhere in the page
  // (the appendix, the data table) then costs it next to nothing.
  var IN_SIGHT = 'main > section.block { content-visibility: auto; contain-intrinsic-size: auto 800px; }\n' +
    '@media print { main > section.block { content-visibility: visible; } }';

  function drawOnlyInSight(doc) {
    if (doc.head && !doc.getElementById('kafka-live-style')) {
      var style = doc.createElement('style');
      style.id = 'kafka-live-style';
      style.textContent = IN_SIGHT;
      doc.head.appendChild(style);
    }
  }

  function holdBandsAside(doc) {
    drawOnlyInSight(doc);
    Array.prototype.forEach.call(doc.querySelectorAll(BANDS), function (bands) {
      if (!bands.kafkaAside) {
        var aside = doc.createDocumentFragment();
        while (bands.firstChild) {
          aside.appendChild(bands.firstChild);
        }
        bands.kafkaAside = aside;
      }
    });
    var win = doc.defaultView;
    if (win && !doc.kafkaPrintHooks) {
      doc.kafkaPrintHooks = true;
      win.addEventListener('beforeprint', function () {
        Array.prototype.forEach.call(doc.querySelectorAll(BANDS), function (bands) {
          if (bands.kafkaAside) {
            bands.appendChild(bands.kafkaAside);
            bands.kafkaAside = null;
          }
        });
      });
      win.addEventListener('afterprint', function () { holdBandsAside(doc); });
    }
  }

  function loadBehind(path, place, x, y, page) {
    back.addEventListener('load', function arrived() {
      back.removeEventListener('load', arrived);
      try {
        holdBandsAside(back.contentDocument);
      } catch (e) { /* not ours */ }
      try {
        if (page && page.ok && page.key) {
          back.contentDocument.kafkaSource = source(path, page);
        }
      } catch (e) { /* not ours */ }
      try {
        back.contentWindow.scrollTo({left: x, top: y, behavior: 'instant'});
      } catch (e) { /* a page without scrolling */ }
      var old = front;
      front = back;
      back = old;
      front.classList.remove('behind');
      front.removeAttribute('aria-hidden');
      front.removeAttribute('tabindex');
      back.classList.add('behind');
      back.setAttribute('aria-hidden', 'true');
      back.setAttribute('tabindex', '-1');
      remember();
      showPresenting();
      if (presenting()) {
        front.contentWindow.focus();  // the arrow keys go to the slides
      }
      done();
    });
    // A new query each time: the frame always loads afresh, even for the same page. With the
    // key, the server sends the very page fetched above (the one the frame's changes start from).
    var key = page && page.key ? '&page=' + encodeURIComponent(page.key) : '';
    back.src = path + '?g=' + shown + key + place;
  }

  function onFrontNavigated(event) {
    if (event.target === front && !loading) {
      remember();
      showPresenting();
    }
  }

  // Presentation mode: the frame shows /view/present (one section at a time, big).
  var presentButton = document.getElementById('present-toggle');
  function presenting() {
    return framePath(front) === '/view/present';
  }
  function showPresenting() {
    var on = presenting();
    body.classList.toggle('presenting', on);
    if (presentButton) {
      presentButton.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }
  // Another page of ours (the presentation, or back): loaded behind and swapped in like a
  // refresh, so that a refresh under way cannot bring the old page back.
  function go(path) {
    wanted = path;
    refresh();
  }
  if (presentButton) {
    presentButton.addEventListener('click', function () {
      go(presenting() ? '/view/' : '/view/present');
    });
  }
  // Keys pressed on this page (after clicking a button) still move the slides.
  document.addEventListener('keydown', function (event) {
    if (!presenting() || event.target.closest && event.target.closest('input, select, textarea, .editor')) {
      return;
    }
    try {
      front.contentWindow.postMessage({kafkaKey: event.key}, location.origin);
    } catch (e) { /* not loaded yet */ }
  });
  window.kafkaLive = {go: go, presenting: presenting};
  front.addEventListener('load', onFrontNavigated);
  back.addEventListener('load', onFrontNavigated);

  // The first page: fetched first, so that the next change can be made in place, then loaded
  // in the front frame.
  var start = location.hash.slice(1);
  start = ownPath(start) ? start : '/view/';
  loading = true;
  function first(page) {
    front.addEventListener('load', function arrived() {
      front.removeEventListener('load', arrived);
      try {
        if (page && page.ok && page.key) {
          front.contentDocument.kafkaSource = source(start, page);
        }
        holdBandsAside(front.contentDocument);
      } catch (e) { /* not ours */ }
      showPresenting();
      done();
    });
    front.src = start + (page && page.key ? '?page=' + encodeURIComponent(page.key) : '');
  }
  fetchPage(start).then(first, function () { first(null); });
  body.dataset.shown = String(shown);

  function online(yes) {
    status.classList.toggle('offline', !yes);
    status.textContent = yes ? body.dataset.live : body.dataset.offline;
  }

  var events = new EventSource('/events');
  events.addEventListener('open', function () { online(true); });
  events.addEventListener('error', function () { online(false); });
  events.addEventListener('message', function (event) {
    online(true);
    var generation = Number(event.data);
    if (generation !== shown) {
      shown = generation;
      refresh();
    }
  });
}());
