// kafka serve --edit: the workshop editor beside the live report.
//
// The case comes from /edit/state as JSON; every change is one small request
// to /edit/apply (a step's field, a new step, a branch...), checked by the
// server -- the field first, then kafka's loader on the whole would-be file
// -- and written only when valid. What is wrong is shown next to the field.
// Each request names the version of the file it was made on; when the file
// changed meanwhile (a text editor), the server writes nothing and the
// editor shows both changes and asks.
//
// The token that allows writing comes in the facilitator's address
// (?edit=...) and is kept for this tab only (sessionStorage); the address bar
// drops it. Every text is set with textContent: nothing from the case is
// ever read as HTML.
(function () {
  'use strict';

  var body = document.body;
  var panel = document.getElementById('editor');
  var toggle = document.getElementById('editor-toggle');
  var TEXTS = JSON.parse(document.getElementById('editor-texts').textContent || '{}');
  var TOKEN_KEY = 'kafka-edit-token:' + location.host;
  var token = body.dataset.token || null;
  try {
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
    } else {
      token = sessionStorage.getItem(TOKEN_KEY);
    }
  } catch (e) { /* private mode: the token lives as long as the page */ }
  if (/[?&]edit=/.test(location.search)) {
    history.replaceState(null, '', location.pathname + location.hash);  // not on the projected address bar
  }
  if (!token || !panel || !toggle) {
    return;  // a read-only screen: it only follows
  }
  toggle.hidden = false;

  var NUMBER_FIELDS = ['client_minutes', 'staff_minutes', 'wait_days', 'duration_days'];
  var LIST_FIELDS = ['asks', 'brings', 'provides', 'uses'];

  var state = null;       // the last state from the server
  var selected = null;    // the id of the step being edited, or null: the list
  var adding = null;      // {after: id|null} while the new-step form is open
  var queue = Promise.resolve();
  var pendingConflict = null;

  // --- small helpers ----------------------------------------------------------------------

  function t(key, params) {
    var text = TEXTS[key];
    if (text === undefined) {
      return key;
    }
    Object.keys(params || {}).forEach(function (name) {
      text = text.split('{' + name + '}').join(String(params[name]));
    });
    return text;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (name === 'text') {
        node.textContent = value;
      } else if (name === 'className') {
        node.className = value;
      } else if (name.slice(0, 2) === 'on') {
        node.addEventListener(name.slice(2), value);
      } else if (value === true) {
        node.setAttribute(name, '');
      } else {
        node.setAttribute(name, String(value));
      }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function numberText(value) {
    if (value === null || value === undefined || value === 0) {
      return value === 0 ? '0' : '';
    }
    return String(value).replace('.', TEXTS['ui.decimal'] || ',');
  }

  function stepById(id) {
    return (state && state.steps || []).filter(function (s) { return s.id === id; })[0] || null;
  }

  function actorName(id) {
    var actor = (state.actors || []).filter(function (a) { return a.id === id; })[0];
    return actor ? actor.name : id;
  }

  // --- talking to the server -----------------------------------------------------------

  var lastStatus = {text: '', kind: ''};  // kept across re-drawing the panel

  function setStatus(text, kind) {
    lastStatus = {text: text, kind: kind || ''};
    var status = panel.querySelector('.ed-status');
    if (status) {
      status.textContent = text;
      status.className = 'ed-status' + (kind ? ' ' + kind : '');
    }
  }

  function post(path, payload) {
    return fetch(path, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-Kafka-Token': token},
      body: JSON.stringify(payload),
      cache: 'no-store'
    }).then(function (response) {
      return response.json().then(function (answer) {
        answer.httpStatus = response.status;
        return answer;
      });
    });
  }

  // Changes go one after the other, each on the version the previous one made.
  function send(path, change, onOk) {
    var run = function () {
      setStatus(t('ui.saving'), 'busy');
      var payload = {version: state.version};
      if (change) {
        payload.change = change;
      }
      return post(path, payload).then(function (answer) {
        handleAnswer(answer, path, change, onOk);
      }, function () {
        setStatus(t('ui.offline'), 'error');
      });
    };
    queue = queue.then(run, run);
    return queue;
  }

  function handleAnswer(answer, path, change, onOk) {
    clearErrors();
    if (answer.status === 'ok') {
      var before = state;
      if (answer.state) {
        state = answer.state;
      }
      pendingConflict = null;
      setStatus(t('ui.saved') + (answer.label ? ': ' + answer.label : ''), 'ok');
      if (onOk) {
        onOk(before, state);
      }
      render();
      body.dataset.editVersion = state.version;  // for tests: the version the editor shows
    } else if (answer.status === 'invalid') {
      showProblems(answer.problems || []);
      setStatus(t('ui.invalid_title'), 'error');
      body.dataset.editInvalid = String(Number(body.dataset.editInvalid || 0) + 1);
    } else if (answer.status === 'conflict') {
      pendingConflict = {path: path, change: change, answer: answer, onOk: onOk};
      renderBanner();
      setStatus(t('ui.conflict_title'), 'error');
    } else {
      showProblems([{field: '', message: answer.error || String(answer.httpStatus)}]);
      setStatus(t('ui.invalid_title'), 'error');
    }
  }

  function loadState(force) {
    return fetch('/edit/state', {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (fresh) {
      if (!state || force || fresh.version !== state.version) {
        if (!force && isTyping()) {
          // Someone changed the file while a field is being typed in: keep the field and the
          // version it was typed on, so that its change meets the new file and is asked about.
          body.dataset.editSeen = fresh.version;
          return;
        }
        state = fresh;
        render();
        body.dataset.editVersion = state.version;
      }
    }, function () {
      setStatus(t('ui.offline'), 'error');
    });
  }

  function isTyping() {
    var active = document.activeElement;
    return !!(active && panel.contains(active) && active.matches('input[type=text], textarea') &&
              active.dataset.original !== undefined && active.value !== active.dataset.original);
  }

  // --- errors next to their field ----------------------------------------------------------

  function clearErrors() {
    Array.prototype.forEach.call(panel.querySelectorAll('.ed-error'), function (node) {
      node.textContent = '';
      node.hidden = true;
    });
    Array.prototype.forEach.call(panel.querySelectorAll('.invalid'), function (node) {
      node.classList.remove('invalid');
      node.removeAttribute('aria-invalid');
    });
    var general = panel.querySelector('.ed-problems');
    if (general) {
      general.replaceChildren();
      general.hidden = true;
    }
  }

  function fieldKey(field) {
    // "next[1].to" -> "next"; "client_minutes" -> "client_minutes"
    return String(field || '').split(/[.[]/)[0];
  }

  function showProblems(problems) {
    var general = panel.querySelector('.ed-problems');
    problems.forEach(function (problem) {
      var key = fieldKey(problem.field);
      var slot = key ? panel.querySelector('.ed-error[data-for="' + CSS.escape(key) + '"]') : null;
      var text = problem.message + (problem.from_loader && problem.line ? ' (' + t('ui.line', {line: problem.line}) + ')' : '');
      if (slot) {
        slot.textContent = slot.textContent ? slot.textContent + ' ' + text : text;
        slot.hidden = false;
        var input = panel.querySelector('[data-key="' + CSS.escape(key) + '"]');
        if (input) {
          input.classList.add('invalid');
          input.setAttribute('aria-invalid', 'true');
        }
      } else if (general) {
        general.hidden = false;
        general.appendChild(el('p', {text: (problem.from_loader ? t('ui.loader_says') + ' ' : '') + text}));
      }
    });
    if (general && !general.hidden) {
      general.insertBefore(el('strong', {text: t('ui.invalid_title')}), general.firstChild);
    }
  }

  // --- rendering --------------------------------------------------------------------------

  function render() {
    var focusKey = document.activeElement && panel.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    var scroll = panel.querySelector('.ed-body') ? panel.querySelector('.ed-body').scrollTop : 0;
    panel.replaceChildren(header(), banner(), el('div', {className: 'ed-body'}, [content()]));
    renderBanner();
    panel.querySelector('.ed-body').scrollTop = scroll;
    if (focusKey) {
      var again = panel.querySelector('[data-key="' + CSS.escape(focusKey) + '"]');
      if (again && again.focus) {
        again.focus({preventScroll: true});
      }
    }
  }

  function header() {
    var undo = el('button', {type: 'button', className: 'ed-undo', text: '↶ ' + t('ui.undo'),
      title: state.undo.label || '', disabled: !state.undo.count, onclick: function () { send('/edit/undo'); }});
    var redo = el('button', {type: 'button', className: 'ed-redo', text: '↷ ' + t('ui.redo'),
      title: state.redo.label || '', disabled: !state.redo.count, onclick: function () { send('/edit/redo'); }});
    var close = el('button', {type: 'button', className: 'ed-close', text: '×', title: t('ui.close'),
      'aria-label': t('ui.close'), onclick: function () { open(false); }});
    return el('header', {className: 'ed-head'}, [
      el('div', {className: 'ed-title-row'}, [el('h2', {text: t('ui.panel_title')}), close]),
      el('div', {className: 'ed-tools'}, [undo, redo, el('span', {
        className: 'ed-status' + (lastStatus.kind ? ' ' + lastStatus.kind : ''), role: 'status',
        text: lastStatus.text, title: lastStatus.text})])
    ]);
  }

  function banner() {
    return el('div', {className: 'ed-banner', hidden: true});
  }

  function renderBanner() {
    var box = panel.querySelector('.ed-banner');
    if (!box) {
      return;
    }
    box.replaceChildren();
    box.hidden = true;
    if (pendingConflict) {
      var conflict = pendingConflict.answer.conflict || {};
      box.hidden = false;
      box.className = 'ed-banner conflict';
      box.appendChild(el('strong', {text: t('ui.conflict_title')}));
      box.appendChild(el('p', {text: t('ui.conflict_theirs')}));
      box.appendChild(el('pre', {className: 'ed-diff', text: conflict.theirs || '…'}));
      box.appendChild(el('p', {text: t('ui.conflict_mine') + ' ' + (conflict.mine_label || pendingConflict.answer.label || '')}));
      if (conflict.mine) {
        box.appendChild(el('pre', {className: 'ed-diff', text: conflict.mine}));
      }
      var again = pendingConflict;
      box.appendChild(el('div', {className: 'ed-actions'}, [
        el('button', {type: 'button', className: 'primary', text: t('ui.conflict_apply'), onclick: function () {
          state = again.answer.state || state;
          state.version = again.answer.version;
          pendingConflict = null;
          send(again.path, again.change, again.onOk);
        }}),
        el('button', {type: 'button', text: t('ui.conflict_drop'), onclick: function () {
          pendingConflict = null;
          loadState(true);
        }})
      ]));
    } else if (!state.valid) {
      box.hidden = false;
      box.className = 'ed-banner errors';
      box.appendChild(el('strong', {text: t('ui.file_has_errors')}));
      (state.problems || []).slice(0, 8).forEach(function (p) {
        box.appendChild(el('p', {text: (p.line ? t('ui.line', {line: p.line}) + ': ' : '') + (p.path ? p.path + ': ' : '') + p.message}));
      });
    }
  }

  function content() {
    if (!state.valid) {
      return el('div');
    }
    if (adding) {
      return newStepForm();
    }
    var step = selected ? stepById(selected) : null;
    if (step) {
      return stepForm(step);
    }
    selected = null;
    return el('div', {className: 'ed-list-view'}, [
      el('h3', {text: t('ui.steps')}),
      el('div', {className: 'ed-problems', hidden: true, role: 'alert'}),
      stepList(),
      el('button', {type: 'button', className: 'ed-add primary', text: '+ ' + t('ui.add_step'), onclick: function () {
        adding = {after: null};
        render();
      }})
    ]);
  }

  function stepList() {
    var list = el('ol', {className: 'ed-steps'});
    state.steps.forEach(function (step, index) {
      var marks = [];
      if (step.tells_story) { marks.push(el('span', {className: 'mark story', title: t('ui.story'), text: '↻'})); }
      if (step.wait_days) { marks.push(el('span', {className: 'mark wait', text: numberText(step.wait_days) + ' d'})); }
      if (step.quote) { marks.push(el('span', {className: 'mark quote', title: step.quote, text: '”'})); }
      if (step.feeling !== null && step.feeling !== undefined) {
        marks.push(el('span', {className: 'mark feeling f' + step.feeling, title: t('feelings.' + step.feeling), text: (step.feeling > 0 ? '+' : '') + step.feeling}));
      }
      if (step.next && step.next.some(function (b) { return indexOf(b.to) <= index; })) {
        marks.push(el('span', {className: 'mark loop', text: '⟲'}));
      }
      var open = el('button', {type: 'button', className: 'ed-step-open', 'data-step': step.id, onclick: function () {
        selected = step.id;
        render();
      }}, [
        el('span', {className: 'n', text: String(index + 1)}),
        el('span', {className: 'ed-step-text'}, [
          el('span', {className: 'ed-step-name', text: step.name}),
          el('span', {className: 'ed-step-actor', text: actorName(step.actor)})
        ]),
        el('span', {className: 'marks'}, marks)
      ]);
      var up = el('button', {type: 'button', className: 'ed-move', text: '↑', title: t('ui.move_up'), 'aria-label': t('ui.move_up'),
        disabled: index === 0, onclick: function () { send('/edit/apply', {op: 'move_step', step: step.id, to: index - 1}); }});
      var down = el('button', {type: 'button', className: 'ed-move', text: '↓', title: t('ui.move_down'), 'aria-label': t('ui.move_down'),
        disabled: index === state.steps.length - 1, onclick: function () { send('/edit/apply', {op: 'move_step', step: step.id, to: index + 1}); }});
      list.appendChild(el('li', {className: selected === step.id ? 'current' : null}, [open, up, down]));
    });
    return list;
  }

  function indexOf(stepId) {
    for (var i = 0; i < state.steps.length; i += 1) {
      if (state.steps[i].id === stepId) {
        return i;
      }
    }
    return -1;
  }

  // --- one step's form ------------------------------------------------------------------

  function field(key, label, control, wide) {
    return el('div', {className: 'ed-field' + (wide ? ' wide' : '')}, [
      el('label', {'for': 'ed-' + key, text: label}),
      control,
      el('p', {className: 'ed-error', 'data-for': key, role: 'alert', hidden: true})
    ]);
  }

  function setStep(step, key, value) {
    var values = {};
    values[key] = value;
    send('/edit/apply', {op: 'set_step', step: step.id, values: values}, key === 'id' ? function () { selected = value; } : null);
  }

  function textInput(step, key, value, extra) {
    var input = el('input', Object.assign({type: 'text', id: 'ed-' + key, 'data-key': key, value: value}, extra || {}));
    input.dataset.original = value;
    input.addEventListener('change', function () { setStep(step, key, input.value); });
    return input;
  }

  function select(step, key, options, value, extraOption) {
    var control = el('select', {id: 'ed-' + key, 'data-key': key});
    options.forEach(function (option) {
      control.appendChild(el('option', {value: option.id, text: option.label, selected: option.id === value}));
    });
    if (extraOption) {
      control.appendChild(el('option', {value: '__new__', text: extraOption}));
    }
    control.addEventListener('change', function () {
      if (control.value === '__new__') {
        control.value = value;
        showNewActor(step);
        return;
      }
      setStep(step, key, control.value);
    });
    return control;
  }

  function stepForm(step) {
    var index = indexOf(step.id);
    var none = {id: '', label: t('ui.nothing')};
    var actors = state.actors.map(function (a) { return {id: a.id, label: a.name + (a.organisation !== a.name ? ' — ' + a.organisation : '')}; });
    var form = el('form', {className: 'ed-form', 'data-step': step.id, onsubmit: function (e) { e.preventDefault(); }});
    form.appendChild(el('div', {className: 'ed-form-head'}, [
      el('button', {type: 'button', className: 'ed-back', text: '← ' + t('ui.steps'), onclick: function () { selected = null; render(); }}),
      el('h3', {text: t('ui.step_n', {n: index + 1})})
    ]));
    form.appendChild(el('div', {className: 'ed-problems', hidden: true, role: 'alert'}));
    form.appendChild(field('name', t('fields.name'), textInput(step, 'name', step.name), true));
    form.appendChild(field('actor', t('fields.actor'), select(step, 'actor', actors, step.actor, t('ui.new_actor')), true));
    form.appendChild(el('div', {className: 'ed-new-actor', hidden: true}));
    var grid = el('div', {className: 'ed-grid'});
    grid.appendChild(field('kind', t('fields.kind'), select(step, 'kind', [none].concat(state.kinds), step.kind)));
    grid.appendChild(field('channel', t('fields.channel'), select(step, 'channel', [none].concat(state.channels), step.channel)));
    NUMBER_FIELDS.forEach(function (key) {
      grid.appendChild(field(key, t('fields.' + key), textInput(step, key, numberText(step[key]), {inputmode: 'decimal', className: 'num'})));
    });
    form.appendChild(grid);
    var story = el('input', {type: 'checkbox', id: 'ed-tells_story', 'data-key': 'tells_story', checked: step.tells_story});
    story.addEventListener('change', function () { setStep(step, 'tells_story', story.checked); });
    form.appendChild(el('div', {className: 'ed-field ed-check wide'}, [
      el('label', {}, [story, ' ' + t('ui.story')]),
      el('p', {className: 'ed-error', 'data-for': 'tells_story', role: 'alert', hidden: true})
    ]));
    form.appendChild(dataPicker(step));
    form.appendChild(nextEditor(step, index));
    form.appendChild(voiceEditor(step));
    form.appendChild(field('note', t('fields.note'), textArea(step, 'note', step.note), true));
    form.appendChild(field('id', t('fields.id'), textInput(step, 'id', step.id, {spellcheck: 'false', className: 'mono'}), true));
    form.appendChild(el('div', {className: 'ed-actions'}, [
      el('button', {type: 'button', className: 'primary', text: '+ ' + t('ui.add_step_after'), onclick: function () {
        adding = {after: step.id};
        render();
      }}),
      removeButton(step)
    ]));
    return form;
  }

  function textArea(step, key, value) {
    var area = el('textarea', {id: 'ed-' + key, 'data-key': key, rows: 2});
    area.value = value || '';
    area.dataset.original = area.value;
    area.addEventListener('change', function () { setStep(step, key, area.value); });
    return area;
  }

  function removeButton(step) {
    var armed = false;
    var button = el('button', {type: 'button', className: 'danger', text: t('ui.remove')});
    button.addEventListener('click', function () {
      if (!armed) {
        armed = true;
        button.textContent = t('ui.remove_confirm');
        return;
      }
      send('/edit/apply', {op: 'remove_step', step: step.id}, function () { selected = null; });
    });
    return button;
  }

  function showNewActor(step, onAdded) {
    var box = panel.querySelector('.ed-new-actor');
    box.hidden = false;
    var name = el('input', {type: 'text', 'data-key': 'new-actor-name', id: 'ed-new-actor-name'});
    var level = el('select', {'data-key': 'new-actor-level'});
    state.levels.forEach(function (lv) {
      level.appendChild(el('option', {value: lv.id, text: lv.label, selected: lv.id === 'local'}));
    });
    var organisation = el('input', {type: 'text', 'data-key': 'new-actor-organisation'});
    box.replaceChildren(
      el('label', {text: t('ui.actor_name')}), name,
      el('label', {text: t('ui.actor_level')}), level,
      el('label', {text: t('ui.actor_organisation')}), organisation,
      el('p', {className: 'ed-error', 'data-for': 'name', role: 'alert', hidden: true}),
      el('div', {className: 'ed-actions'}, [
        el('button', {type: 'button', className: 'primary', text: t('ui.add'), onclick: function () {
          var known = state.actors.map(function (a) { return a.id; });
          send('/edit/apply', {op: 'add_actor', name: name.value, level: level.value, organisation: organisation.value}, function (before, after) {
            var added = after.actors.filter(function (a) { return known.indexOf(a.id) < 0; })[0];
            if (added && onAdded) {
              onAdded(added.id);
            } else if (added && step) {
              setStep(step, 'actor', added.id);
            }
          });
        }}),
        el('button', {type: 'button', text: t('ui.cancel'), onclick: function () { box.hidden = true; }})
      ])
    );
    name.focus();
  }

  function dataPicker(step) {
    var box = el('details', {className: 'ed-data', open: true});
    box.appendChild(el('summary', {text: t('ui.data_section')}));
    LIST_FIELDS.forEach(function (key) {
      var chips = el('div', {className: 'ed-chips', 'data-key': key, role: 'group', 'aria-label': t('fields.' + key)});
      state.data.forEach(function (item) {
        var box2 = el('input', {type: 'checkbox', value: item.id, checked: step[key].indexOf(item.id) >= 0});
        box2.addEventListener('change', function () {
          var chosen = Array.prototype.filter.call(chips.querySelectorAll('input'), function (i) { return i.checked; })
            .map(function (i) { return i.value; });
          setStep(step, key, chosen);
        });
        chips.appendChild(el('label', {className: 'chip', title: item.source ? item.source : null}, [box2, ' ' + item.name]));
      });
      box.appendChild(el('div', {className: 'ed-field wide'}, [
        el('span', {className: 'ed-label', text: t('fields.' + key)}), chips,
        el('p', {className: 'ed-error', 'data-for': key, role: 'alert', hidden: true})
      ]));
    });
    var newBox = el('div', {className: 'ed-new-data', hidden: true});
    box.appendChild(el('button', {type: 'button', className: 'ed-small', text: t('ui.new_data'), onclick: function () {
      showNewData(step, newBox);
    }}));
    box.appendChild(newBox);
    return box;
  }

  function showNewData(step, box) {
    box.hidden = false;
    var name = el('input', {type: 'text', 'data-key': 'new-data-name'});
    var source = el('input', {type: 'text', 'data-key': 'new-data-source', spellcheck: 'false'});
    var into = el('select', {'data-key': 'new-data-into'});
    into.appendChild(el('option', {value: '', text: t('ui.nothing')}));
    LIST_FIELDS.forEach(function (key) { into.appendChild(el('option', {value: key, text: t('fields.' + key), selected: key === 'asks'})); });
    box.replaceChildren(
      el('label', {text: t('ui.data_name')}), name,
      el('label', {text: t('ui.data_source')}), source,
      el('label', {text: t('ui.data_into')}), into,
      el('p', {className: 'ed-error', 'data-for': 'name', role: 'alert', hidden: true}),
      el('p', {className: 'ed-error', 'data-for': 'source', role: 'alert', hidden: true}),
      el('div', {className: 'ed-actions'}, [
        el('button', {type: 'button', className: 'primary', text: t('ui.add'), onclick: function () {
          var known = state.data.map(function (d) { return d.id; });
          send('/edit/apply', {op: 'add_data', name: name.value, source: source.value}, function (before, after) {
            var added = after.data.filter(function (d) { return known.indexOf(d.id) < 0; })[0];
            var current = stepById(step.id);
            if (added && into.value && current) {
              setStep(current, into.value, current[into.value].concat([added.id]));
            }
          });
        }}),
        el('button', {type: 'button', text: t('ui.cancel'), onclick: function () { box.hidden = true; }})
      ])
    );
    name.focus();
  }

  function nextEditor(step, index) {
    var mode = step.next === null ? 'follow' : step.next.length === 0 ? 'end' : 'branches';
    var box = el('fieldset', {className: 'ed-next'});
    box.appendChild(el('legend', {text: t('fields.next')}));
    var radios = el('div', {className: 'ed-radios', 'data-key': 'next'});
    [['follow', t('ui.next_follow')], ['end', t('ui.next_end')], ['branches', t('ui.next_branches')]].forEach(function (pair) {
      var radio = el('input', {type: 'radio', name: 'ed-next-mode', value: pair[0], checked: mode === pair[0]});
      radio.addEventListener('change', function () {
        if (pair[0] === 'branches') {
          var following = state.steps[index + 1] || state.steps[0];
          sendNext(step, 'branches', [{to: following.id, when: '', chance: ''}]);
        } else {
          sendNext(step, pair[0], []);
        }
      });
      radios.appendChild(el('label', {}, [radio, ' ' + pair[1]]));
    });
    box.appendChild(radios);
    if (mode === 'branches') {
      var rows = el('div', {className: 'ed-branches'});
      var collect = function () {
        return Array.prototype.map.call(rows.querySelectorAll('.ed-branch'), function (row) {
          return {to: row.querySelector('select').value, when: row.querySelector('.when').value,
                  chance: row.querySelector('.chance').value};
        });
      };
      step.next.forEach(function (branch, i) {
        var target = el('select', {'aria-label': t('ui.branch_to'), 'data-key': 'next-' + i + '-to'});
        state.steps.forEach(function (s, j) {
          target.appendChild(el('option', {value: s.id, text: (j + 1) + '. ' + s.name + (j <= index ? ' ⟲' : ''), selected: s.id === branch.to}));
        });
        var when = el('input', {type: 'text', className: 'when', placeholder: t('ui.branch_when'), 'aria-label': t('ui.branch_when'),
          value: branch.when || '', 'data-key': 'next-' + i + '-when'});
        var chance = el('input', {type: 'text', className: 'chance', inputmode: 'decimal', placeholder: t('ui.branch_chance'),
          'aria-label': t('ui.branch_chance'), value: branch.chance === null ? '' : numberText(branch.chance), 'data-key': 'next-' + i + '-chance'});
        [target, when, chance].forEach(function (control) {
          control.addEventListener('change', function () { sendNext(step, 'branches', collect()); });
        });
        var remove = el('button', {type: 'button', className: 'ed-small', text: '×', title: t('ui.remove_branch'), 'aria-label': t('ui.remove_branch'),
          onclick: function () {
            var all = collect();
            all.splice(i, 1);
            sendNext(step, all.length ? 'branches' : 'follow', all);
          }});
        rows.appendChild(el('div', {className: 'ed-branch'}, [target, when, chance, remove]));
      });
      box.appendChild(rows);
      box.appendChild(el('button', {type: 'button', className: 'ed-small', text: t('ui.add_branch'), onclick: function () {
        var all = collect();
        all.push({to: step.id, when: '', chance: ''});
        sendNext(step, 'branches', all);
      }}));
      box.appendChild(el('p', {className: 'ed-hint', text: t('ui.loop_hint')}));
    }
    box.appendChild(el('p', {className: 'ed-error', 'data-for': 'next', role: 'alert', hidden: true}));
    return box;
  }

  function sendNext(step, mode, branches) {
    send('/edit/apply', {op: 'set_next', step: step.id, mode: mode, branches: branches});
  }

  function voiceEditor(step) {
    var box = el('fieldset', {className: 'ed-voice'});
    box.appendChild(el('legend', {text: t('ui.voice')}));
    box.appendChild(field('quote', t('fields.quote'), textArea(step, 'quote', step.quote), true));
    var feelings = el('div', {className: 'ed-feelings', role: 'radiogroup', 'aria-label': t('fields.feeling'), 'data-key': 'feeling'});
    [-2, -1, 0, 1, 2].forEach(function (value) {
      var button = el('button', {type: 'button', className: 'feeling f' + value, role: 'radio',
        'aria-checked': step.feeling === value ? 'true' : 'false', 'data-feeling': String(value),
        text: (value > 0 ? '+' : '') + value + ' ' + t('feelings.' + value)});
      button.addEventListener('click', function () {
        setStep(step, 'feeling', step.feeling === value ? '' : String(value));
      });
      feelings.appendChild(button);
    });
    box.appendChild(el('div', {className: 'ed-field wide'}, [
      el('span', {className: 'ed-label', text: t('fields.feeling')}), feelings,
      el('p', {className: 'ed-error', 'data-for': 'feeling', role: 'alert', hidden: true})
    ]));
    return box;
  }

  // --- a new step --------------------------------------------------------------------------

  function newStepForm() {
    var actors = state.actors.map(function (a) { return {id: a.id, label: a.name}; });
    // What is typed is kept in `adding`: adding an actor on the way re-draws the form.
    var draft = adding;
    var name = el('input', {type: 'text', id: 'ed-name', 'data-key': 'name', value: draft.name || ''});
    name.addEventListener('input', function () { draft.name = name.value; });
    var actor = el('select', {id: 'ed-actor', 'data-key': 'actor'});
    actor.appendChild(el('option', {value: '', text: t('ui.none_chosen')}));
    actors.forEach(function (a) { actor.appendChild(el('option', {value: a.id, text: a.label, selected: a.id === draft.actor})); });
    actor.appendChild(el('option', {value: '__new__', text: t('ui.new_actor')}));
    actor.addEventListener('change', function () {
      if (actor.value === '__new__') {
        actor.value = draft.actor || '';
        showNewActor(null, function (id) { draft.actor = id; });
      } else {
        draft.actor = actor.value;
      }
    });
    var kind = el('select', {id: 'ed-kind', 'data-key': 'kind'});
    [{id: '', label: t('ui.nothing')}].concat(state.kinds).forEach(function (k) { kind.appendChild(el('option', {value: k.id, text: k.label, selected: k.id === draft.kind})); });
    kind.addEventListener('change', function () { draft.kind = kind.value; });
    var channel = el('select', {id: 'ed-channel', 'data-key': 'channel'});
    [{id: '', label: t('ui.nothing')}].concat(state.channels).forEach(function (c) { channel.appendChild(el('option', {value: c.id, text: c.label, selected: c.id === draft.channel})); });
    channel.addEventListener('change', function () { draft.channel = channel.value; });
    var after = adding.after;
    var form = el('form', {className: 'ed-form ed-new-step', onsubmit: function (event) {
      event.preventDefault();
      var known = state.steps.map(function (s) { return s.id; });
      var values = {name: name.value, actor: actor.value, kind: kind.value, channel: channel.value};
      send('/edit/apply', {op: 'add_step', after: after, values: values}, function (before, fresh) {
        var added = fresh.steps.filter(function (s) { return known.indexOf(s.id) < 0; })[0];
        adding = null;
        selected = added ? added.id : null;
      });
    }}, [
      el('div', {className: 'ed-form-head'}, [
        el('button', {type: 'button', className: 'ed-back', text: '← ' + t('ui.steps'), onclick: function () { adding = null; render(); }}),
        el('h3', {text: t('ui.new_step')})
      ]),
      el('div', {className: 'ed-problems', hidden: true, role: 'alert'}),
      field('name', t('fields.name'), name, true),
      field('actor', t('fields.actor'), actor, true),
      el('div', {className: 'ed-new-actor', hidden: true}),
      el('div', {className: 'ed-grid'}, [field('kind', t('fields.kind'), kind), field('channel', t('fields.channel'), channel)]),
      el('div', {className: 'ed-actions'}, [
        el('button', {type: 'submit', className: 'primary', text: t('ui.save_step')}),
        el('button', {type: 'button', text: t('ui.cancel'), onclick: function () { adding = null; render(); }})
      ])
    ]);
    if (!draft.actor) {
      setTimeout(function () { name.focus(); }, 0);
    }
    return form;
  }

  // --- opening, keys, following the file ------------------------------------------------

  function open(yes) {
    panel.hidden = !yes;
    body.classList.toggle('editing', yes);
    toggle.setAttribute('aria-pressed', yes ? 'true' : 'false');
    try {
      sessionStorage.setItem('kafka-edit-open', yes ? '1' : '');
    } catch (e) { /* private mode */ }
    if (yes && !state) {
      loadState(true);
    }
  }

  toggle.addEventListener('click', function () { open(panel.hidden); });

  document.addEventListener('keydown', function (event) {
    if (panel.hidden || !(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z') {
      return;
    }
    if (event.target.closest && event.target.closest('input[type=text], textarea')) {
      return;  // the field's own undo
    }
    event.preventDefault();
    send(event.shiftKey ? '/edit/redo' : '/edit/undo');
  });

  // Another screen or a text editor changed the file: show the new version.
  var events = new EventSource('/events');
  events.addEventListener('message', function () {
    if (state && !panel.hidden && !pendingConflict) {
      queue = queue.then(function () { return loadState(false); });
    }
  });

  var wasOpen = '1';
  try {
    wasOpen = sessionStorage.getItem('kafka-edit-open');
    wasOpen = wasOpen === null ? '1' : wasOpen;
  } catch (e) { /* private mode */ }
  loadState(true).then(function () {
    open(wasOpen === '1');
  });
}());
