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

  function remember() {
    var path = framePath(front);
    try {
      history.replaceState(null, '', path === '/view/' ? '/' : '/#' + path);
      document.title = front.contentDocument.title || document.title;
    } catch (e) { /* not loaded yet */ }
  }

  function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    var win = front.contentWindow;
    var x = win ? win.scrollX : 0;
    var y = win ? win.scrollY : 0;
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
      loading = false;
      body.dataset.shown = String(shown);  // for tests: which generation is on screen
      if (again) {
        again = false;
        refresh();
      }
    });
    // A new query each time: the frame always loads afresh, even for the same page.
    back.src = framePath(front) + '?g=' + shown;
  }

  function onFrontNavigated(event) {
    if (event.target === front && !loading) {
      remember();
    }
  }
  front.addEventListener('load', onFrontNavigated);
  back.addEventListener('load', onFrontNavigated);

  var start = location.hash.slice(1);
  front.src = ownPath(start) ? start : '/view/';
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
