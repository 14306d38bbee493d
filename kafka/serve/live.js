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

  // --- within a changed section: only the elements whose text changed ------------------------
  //
  // A save usually changes a few words (a step's name, a number) in several sections; parsing
  // each changed section whole costs the browser far more than the change (the map alone is a
  // third of a megabyte). So the old and the new text of a section are compared as text: at each
  // place they differ, a small scanner that follows the tags from the section's start tells
  // which element holds the difference, and only that element's contents (or, for a difference
  // inside a start tag, that tag) are parsed, in that element's own context. Whatever the
  // scanner cannot follow (markup it does not expect, an element the screen does not hold as
  // the page was sent) throws Coarse: that section is then compared whole, as before. Every
  // piece is checked before it is used: the old text of the piece, parsed the same way, must
  // give exactly what the page was made from there.

  function Coarse(why) { this.why = why; }

  // Elements without an end tag (HTML only), and those whose text holds no tags.
  var VOID = {area: 1, base: 1, br: 1, col: 1, embed: 1, hr: 1, img: 1, input: 1, link: 1, meta: 1,
              param: 1, source: 1, track: 1, wbr: 1, keygen: 1};
  var RAW = {script: 1, style: 1, textarea: 1, title: 1, xmp: 1, iframe: 1, noembed: 1, noframes: 1};
  var START_TAG = /<([A-Za-z][^\t\n\f\r \/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>/y;
  var END_TAG = /<\/([A-Za-z][^\t\n\f\r \/>]*)[^>]*>/y;
  var CHUNK = 1024;
  // Each piece changed costs about as much as parsing this many characters of a section (two
  // small parses, a comparison): a change all over a section (the map laid out anew) is
  // cheaper to parse whole, so a section whose pieces would cost more than that is.
  var PIECE_COST = 2000;

  // How many characters a[i...] and b[j...] have in common at their start.
  function common(a, i, b, j) {
    var n = Math.min(a.length - i, b.length - j);
    var k = 0;
    while (k + CHUNK <= n && a.slice(i + k, i + k + CHUNK) === b.slice(j + k, j + k + CHUNK)) {
      k += CHUNK;
    }
    while (k < n && a.charCodeAt(i + k) === b.charCodeAt(j + k)) {
      k++;
    }
    return k;
  }

  // The markup token at text[i] ('<'): {kind: 'start'|'end'|'other'|'text', name, end, closed}.
  function token(text, i) {
    var next = text.charCodeAt(i + 1);
    var end;
    if (next === 33) {  // '!': a comment or a doctype
      end = text.startsWith('<!--', i) ? text.indexOf('-->', i + 4) : text.indexOf('>', i);
      if (end < 0) {
        throw new Coarse('comment');
      }
      return {kind: 'other', end: end + (text.charCodeAt(end) === 62 ? 1 : 3)};
    }
    var match;
    if (next === 47) {  // '/'
      END_TAG.lastIndex = i;
      match = END_TAG.exec(text);
      if (!match) {
        throw new Coarse('end tag');
      }
      return {kind: 'end', name: match[1].toLowerCase(), end: END_TAG.lastIndex};
    }
    START_TAG.lastIndex = i;
    match = START_TAG.exec(text);
    if (!match) {
      return {kind: 'text', end: i + 1};  // a '<' that starts no tag is text
    }
    end = START_TAG.lastIndex;
    return {kind: 'start', name: match[1].toLowerCase(), end: end, closed: text.charCodeAt(end - 2) === 47};
  }

  // The frame of an element the scanner is in: its name, namespace, index among its parent's
  // elements, how many elements it has seen inside, where its contents start in the old and the
  // new text, whether it is (inside) a <template>.
  function frame(parent, tok, innerOld, innerNew, mark) {
    var ns = parent ? parent.ns : 'html';
    if (ns === 'html' && (tok.name === 'svg' || tok.name === 'math')) {
      ns = 'foreign';
    } else if (parent && parent.ns === 'foreign' && parent.name === 'foreignobject') {
      ns = 'html';
    }
    return {name: tok.name, ns: ns, index: parent ? parent.kids : 0, kids: 0,
            innerOld: innerOld, innerNew: innerNew, template: tok.name === 'template' && ns === 'html',
            mark: mark};
  }

  // An element with no contents: void in HTML, self-closed in SVG.
  function empty(f, tok) {
    return f.ns === 'html' ? VOID[tok.name] === 1 : tok.closed;
  }

  function rawEnd(text, f, from) {
    var end = text.indexOf('</' + f.name, from);
    if (end < 0) {
      throw new Coarse('raw');
    }
    return end;
  }

  // Follows the tokens of text[pos...] that end by `limit` (those the old and the new text share),
  // keeping `stack` up to date; `shift`: where the same text starts in the new text, minus pos.
  // Returns where it stopped and the token that crosses `limit`, if any.
  function follow(text, pos, limit, stack, shift, mark) {
    while (pos < limit) {
      var at = text.indexOf('<', pos);
      if (at < 0 || at >= limit) {
        return {pos: limit, across: null};
      }
      var tok = token(text, at);
      if (tok.end > limit) {
        return {pos: at, across: tok, at: at};
      }
      pos = step(text, tok, stack, shift, mark);
      if (pos > limit) {  // inside an element of raw text that differs: go on from the difference
        return {pos: limit, across: null};
      }
    }
    return {pos: pos, across: null};
  }

  // Takes one token into the stack; where the next token may start.
  function step(text, tok, stack, shift, mark) {
    var top = stack[stack.length - 1];
    if (tok.kind === 'start') {
      if (!top) {
        throw new Coarse('outside');
      }
      var f = frame(top, tok, tok.end, tok.end + shift, mark);
      top.kids++;
      if (empty(f, tok)) {
        return tok.end;
      }
      stack.push(f);
      if (f.ns === 'html' && RAW[tok.name] === 1) {
        return rawEnd(text, f, tok.end);  // its end tag is the next token
      }
    } else if (tok.kind === 'end') {
      if (!top || top.name !== tok.name) {
        throw new Coarse('unbalanced');
      }
      stack.pop();
    }
    return tok.end;
  }

  // Where the element of stack[depth] ends in text, following it from `pos` (inside it, with
  // stack[depth...] open there): [start of its end tag, end of it].
  function closing(text, pos, stack, depth) {
    var open = stack.slice(depth).map(function (f) { return {name: f.name, ns: f.ns, kids: 0}; });
    for (;;) {
      var inner = open[open.length - 1];
      var at = inner.ns === 'html' && RAW[inner.name] === 1 ? rawEnd(text, inner, pos) : text.indexOf('<', pos);
      if (at < 0) {
        throw new Coarse('unclosed');
      }
      var tok = token(text, at);
      if (tok.kind === 'end' && open.length === 1) {
        if (tok.name !== open[0].name) {
          throw new Coarse('unbalanced');
        }
        return [at, tok.end];
      }
      pos = step(text, tok, open, 0, null);
    }
  }

  // The elements of the path `stack[1...depth]` under `root` (element indices), checked by name.
  function resolve(root, stack, depth) {
    var found = [root];
    for (var d = 1; d <= depth; d++) {
      var el = found[d - 1].children[stack[d].index];
      if (!el || el.localName.toLowerCase() !== stack[d].name) {
        throw new Coarse('path');
      }
      found.push(el);
    }
    return found;
  }

  // The same path on screen: each element the one of the page it was made from (same name, id,
  // as many elements beside it). Stops at print bands held aside (their contents are not there).
  function resolveLive(root, prev, stack, depth) {
    var found = [root];
    for (var d = 1; d <= depth; d++) {
      if (found[d - 1].kafkaAside) {
        return found;
      }
      var parent = found[d - 1];
      if (parent.children.length !== prev[d - 1].children.length) {
        throw new Coarse('children on screen');
      }
      var el = parent.children[stack[d].index];
      if (el.localName !== prev[d].localName || el.id !== prev[d].id || movedRow(el, prev[d])) {
        throw new Coarse('path on screen');
      }
      found.push(el);
    }
    return found;
  }

  // A table's body row the reader's sorting may have moved: the one on screen is another row.
  function movedRow(live, prev) {
    return prev.nodeName === 'TR' && prev.parentNode.nodeName === 'TBODY' && !live.isEqualNode(prev);
  }

  // `html` parsed as the contents of an element like `like` (same name, namespace, attributes).
  function parsedIn(like, html) {
    var holder = like.cloneNode(false);
    holder.innerHTML = html;
    return holder;
  }

  function sameNodes(a, b) {
    if (a.length !== b.length) {
      return false;
    }
    for (var i = 0; i < a.length; i++) {
      if (!a[i].isEqualNode(b[i])) {
        return false;
      }
    }
    return true;
  }

  // Adds to `ops` the changes that make the section on screen (`live`, made from `prev`, the
  // text `oldText`) show `newText`, and to `keep` those that make `prev` the new text's.
  function sectionChanges(doc, live, prev, oldText, newText, ops, keep) {
    if (live.nodeName !== 'SECTION' || prev.nodeName !== 'SECTION') {
      throw new Coarse('section');
    }
    var first = token(oldText, 0);
    if (first.kind !== 'start' || first.name !== 'section') {
      throw new Coarse('section');
    }
    var po = first.end;
    var pn = first.end;
    if (common(oldText, 0, newText, 0) < first.end) {  // the section's own start tag differs
      var newFirst = token(newText, 0);
      if (newFirst.kind !== 'start' || newFirst.name !== 'section') {
        throw new Coarse('section');
      }
      startTagChanges(live, prev, [], null, oldText.slice(0, first.end), newText.slice(0, newFirst.end), ops, keep);
      pn = newFirst.end;
    }
    var stack = [frame(null, first, po, pn, [ops.length, keep.length])];
    var budget = oldText.length;  // work at most as much as parsing the whole section would
    for (;;) {
      var same = common(oldText, po, newText, pn);
      if (po + same === oldText.length && pn + same === newText.length) {
        return;
      }
      var shift = pn - po;
      var went = follow(oldText, po, po + same, stack, shift, [ops.length, keep.length]);
      var across = went.across;
      if (across && across.kind === 'start' && went.at < po + same && !inTemplate(stack)) {
        // The difference is in a start tag: its attributes, then on inside the element.
        var newTok = token(newText, went.at + shift);
        if (newTok.kind === 'start' && newTok.name === across.name) {
          budget -= PIECE_COST;
          if (budget < 0) {
            throw new Coarse('large');
          }
          var f = frame(stack[stack.length - 1], across, across.end, newTok.end);
          if (empty(f, across) !== empty(f, newTok) || (f.ns === 'html' && RAW[f.name] === 1)) {
            throw new Coarse('tag');
          }
          if (startTagChanges(live, prev, stack, f, oldText.slice(went.at, across.end),
                              newText.slice(went.at + shift, newTok.end), ops, keep)) {
            stack[stack.length - 1].kids++;
            f.mark = [ops.length, keep.length];  // the changes inside it start here
            po = across.end;
            pn = newTok.end;
            if (!empty(f, across)) {
              stack.push(f);
            }
            continue;
          }
        }
      }
      // The difference is in the contents of an element: those are parsed anew (of the template
      // around it, or of the print bands it is in, when it is).
      if (!stack.length) {
        throw new Coarse('outside');
      }
      var depth = unitDepth(stack);
      var prevPath = resolve(prev, stack, depth);
      var livePath = resolveLive(live, prevPath, stack, depth);
      depth = livePath.length - 1;
      var unit = stack[depth];
      var scanFrom = went.pos;
      var endOld = closing(oldText, scanFrom, stack, depth);
      var endNew = closing(newText, scanFrom + shift, stack, depth);
      budget -= PIECE_COST + (endOld[0] - unit.innerOld) + (endNew[0] - unit.innerNew);
      if (budget < 0) {
        throw new Coarse('large');
      }
      // Its contents are compared whole: changes found inside it before are dropped (they
      // were made against the screen as it was, and the comparison starts from that).
      ops.length = unit.mark[0];
      keep.length = unit.mark[1];
      contentChanges(doc, livePath[depth], prevPath[depth], oldText.slice(unit.innerOld, endOld[0]),
                     newText.slice(unit.innerNew, endNew[0]), ops, keep);
      stack.length = depth + 1;
      po = endOld[0];
      pn = endNew[0];
    }
  }

  function inTemplate(stack) {
    return stack.some(function (f) { return f.template; });
  }

  // The element whose contents are parsed for a difference inside the innermost one: the
  // outermost <template> around it (its contents are a fragment of their own), else itself.
  function unitDepth(stack) {
    for (var d = 0; d < stack.length; d++) {
      if (stack[d].template) {
        return d;
      }
    }
    return stack.length - 1;
  }

  function startTagChanges(live, prev, stack, f, oldTag, newTag, ops, keep) {
    var prevPath;
    var livePath;
    var prevEl;
    var liveEl;
    var parentLike;
    if (!stack.length) {  // the section itself
      prevEl = prev;
      liveEl = live;
      parentLike = prev.parentNode;
    } else {
      prevPath = resolve(prev, stack, stack.length - 1);
      livePath = resolveLive(live, prevPath, stack, stack.length - 1);
      if (livePath.length !== prevPath.length || livePath[livePath.length - 1].kafkaAside) {
        return false;  // in the print bands held aside: their contents are compared whole
      }
      parentLike = prevPath[prevPath.length - 1];
      prevEl = parentLike.children[f.index];
      liveEl = livePath[livePath.length - 1].children[f.index];
      if (!prevEl || !liveEl || prevEl.localName.toLowerCase() !== f.name || liveEl.localName !== prevEl.localName ||
          livePath[livePath.length - 1].children.length !== parentLike.children.length || movedRow(liveEl, prevEl)) {
        throw new Coarse('path');
      }
    }
    var close = !f ? '</section>' : empty(f, {name: f.name, closed: true}) ? '' : '</' + f.name + '>';
    var was = parsedIn(parentLike, oldTag + close).firstChild;
    var now = parsedIn(parentLike, newTag + close).firstChild;
    if (!was || !now || !was.isEqualNode(prevEl.cloneNode(false)) || now.localName !== prevEl.localName) {
      throw new Coarse('tag');
    }
    attributeChanges(liveEl, prevEl, now, ops);
    attributeChanges(prevEl, prevEl, now, keep);
    return true;
  }

  function contentChanges(doc, live, prev, oldHtml, newHtml, ops, keep) {
    if (prev.nodeName === 'TEMPLATE') {
      var was = parsedIn(prev, oldHtml);
      if (live.nodeName !== 'TEMPLATE' || !was.content.isEqualNode(prev.content)) {
        throw new Coarse('template');
      }
      ops.push(function () { live.innerHTML = newHtml; });
      keep.push(function () { prev.innerHTML = newHtml; });
      return;
    }
    var old = parsedIn(prev, oldHtml);
    if (!sameNodes(old.childNodes, prev.childNodes)) {
      throw new Coarse('contents');
    }
    var now = parsedIn(prev, newHtml);
    var P = Array.prototype.slice.call(prev.childNodes);
    var N = Array.prototype.slice.call(now.childNodes);
    if (live.kafkaAside) {  // print bands held aside: the new ones are held aside instead
      ops.push(function () {
        var aside = doc.createDocumentFragment();
        N.forEach(function (child) { aside.appendChild(doc.importNode(child, true)); });
        live.kafkaAside = aside;
      });
    } else {
      listChanges(live, live.childNodes, P, N, null, ops);
      templateChanges(doc, P, N, ops);
    }
    keep.push(function () {
      P.forEach(function (node) { prev.removeChild(node); });
      N.forEach(function (node) { prev.appendChild(node); });
    });
  }

  // A report is its sections (<section class="block" id="...">, children of <main>) between a
  // head and a foot. Most changes leave most sections as they were, to the letter: only the
  // sections whose text changed are parsed and compared, not the whole page (a megabyte for
  // 100 steps). The page's own markup never holds this text elsewhere (text is escaped).
  var PART = /(?=<section class="block[^"]*" id="[a-z0-9-]+">)|(?=<footer[ >])/;

  // What a page on screen was made from: the page parsed, cut in parts, and its key.
  function source(path, page) {
    return {path: path, key: page.key, doc: parsed(page), parts: pageParts(page)};
  }

  // Changes `doc` (on screen, made from `kept`) section by section into the page made of the
  // parts `after`: true when done, false when that is not safe, null when the page is not made
  // of the same sections (then the whole page is compared).
  function patchParts(doc, kept, after) {
    var before = kept.parts;
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
    var keep = [];
    var fine = 0;
    try {
      for (var k = 1; k < last; k++) {
        if (before[k] === after[k]) {
          continue;
        }
        var from = starts[k - 1];
        var to = starts[k];
        var sectionOps = [];
        var sectionKeep = [];
        try {
          sectionChanges(doc, liveMain.childNodes[from], P[from], before[k], after[k], sectionOps, sectionKeep);
          Array.prototype.push.apply(ops, sectionOps);
          Array.prototype.push.apply(keep, sectionKeep);
          fine++;
          continue;
        } catch (e) {
          if (!(e instanceof Coarse)) {
            throw e;
          }
          body.dataset.coarse = e.why + ' (#' + P[from].id + ')';  // for tests: why the last section was compared whole
        }
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
    keep.forEach(function (op) { op(); });
    body.dataset.fine = String(Number(body.dataset.fine || 0) + fine);  // for tests: sections changed finely
    moves.forEach(function (m) {
      m.gone.forEach(function (node) { prevMain.removeChild(node); });
      m.fresh.forEach(function (node) { prevMain.insertBefore(node, m.before); });
    });
    kept.parts = after;
    return true;
  }

  // The page at `path` as the server has it now: its text (or parts) and its key, with which the
  // frame can load exactly this page (the server keeps the last few it sent). With `since` (what
  // the screen was made from), the server sends only the parts that changed since that page
  // (kafka.serve.pages.page_delta): a save changes a few sections of a megabyte.
  function fetchPage(path, since) {
    var url = path + '?g=' + shown + (since && since.key ? '&since=' + encodeURIComponent(since.key) : '');
    return fetch(url, {cache: 'no-store', credentials: 'same-origin'}).then(function (answer) {
      return answer.text().then(function (text) {
        var page = {ok: answer.ok, key: answer.headers.get('X-Kafka-Page') || '', text: text, parts: null, doc: null};
        if (answer.headers.get('X-Kafka-Delta') === '1') {
          page.parts = fromDelta(text, since.parts);
          page.text = null;
        }
        return page;
      });
    });
  }

  // The parts of a page sent as the parts that changed since `before`; throws when they do not
  // fit `before` (the page is then loaded whole).
  function fromDelta(text, before) {
    var line = text.indexOf('\n');
    var layout = JSON.parse(text.slice(0, line));
    var at = line + 1;
    var parts = layout.map(function (part) {
      if (typeof part.same === 'number') {
        if (!before || typeof before[part.same] !== 'string' || before[part.same].length !== part.length) {
          throw new Error('the page on screen is not the one the server compared with');
        }
        return before[part.same];
      }
      var piece = text.substr(at, part.text);
      at += part.text;
      if (typeof part.from === 'number') {  // the part it was, with its middle changed
        var was = before && before[part.from];
        if (typeof was !== 'string' || was.length !== part.length || part.head + part.tail > was.length) {
          throw new Error('the page on screen is not the one the server compared with');
        }
        return was.slice(0, part.head) + piece + was.slice(was.length - part.tail);
      }
      return piece;
    });
    if (at !== text.length) {
      throw new Error('the parts do not add up');
    }
    return parts;
  }

  function pageText(page) {
    if (page.text === null) {
      page.text = page.parts.join('');
    }
    return page.text;
  }

  function pageParts(page) {
    if (!page.parts) {
      page.parts = page.text.split(PART);
    }
    return page.parts;
  }

  function parsed(page) {
    if (!page.doc) {
      page.doc = new DOMParser().parseFromString(pageText(page), 'text/html');
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
    var kept = doc && doc.kafkaSource && doc.kafkaSource.path === path ? doc.kafkaSource : null;
    fetchPage(path, kept).then(function (page) {
      var started = performance.now();
      if (page.ok && kept && front.contentDocument === doc && doc.kafkaSource === kept) {
        var inPlace = patchParts(doc, kept, pageParts(page));
        if (inPlace) {
          kept.key = page.key;
        }
        if (inPlace === null && patch(doc, kept.doc, parsed(page))) {
          doc.kafkaSource = source(path, page);
          inPlace = true;
        }
        if (inPlace) {
          body.dataset.patched = String(Number(body.dataset.patched || 0) + 1);  // for tests
          // For benchmarks: the milliseconds this screen took to change itself (before layout and paint).
          body.dataset.changeMs = String(Math.round(performance.now() - started));
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
  window.kafkaLive = {go: go, presenting: presenting, source: source,  // source and changeInPlace: for tests
                     changeInPlace: function (doc, kept, text) { return patchParts(doc, kept, text.split(PART)); }};
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
