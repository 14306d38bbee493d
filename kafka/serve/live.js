// kafka serve: keeps the page in the frame in step with the case files.
//
// The server counts changes (a "generation") and announces each new count by
// server-sent events on /events. On a new count the current page is loaded
// again in the hidden second frame, scrolled to where the reader was, and the
// two frames swap: the projected page never flashes white.
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

  var wanted = null;  // a page asked for by go(): loaded the same way, after any load under way

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
    wanted = null;
    back.addEventListener('load', function arrived() {
      back.removeEventListener('load', arrived);
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
      loading = false;
      body.dataset.shown = String(shown);  // for tests: which generation is on screen
      if (again) {
        again = false;
        refresh();
      }
    });
    // A new query each time: the frame always loads afresh, even for the same page.
    back.src = path + '?g=' + shown + place;
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

  var start = location.hash.slice(1);
  front.src = ownPath(start) ? start : '/view/';
  front.addEventListener('load', function first() {
    front.removeEventListener('load', first);
    showPresenting();
  });
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
