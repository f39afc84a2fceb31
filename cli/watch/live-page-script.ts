/**
 * The live view's script, as text inlined after uPlot and the report's script: polls
 * `/api/state` every second, swaps the report body in when the journal changed (and
 * redraws its charts with `promoteReport.draw`), fills the sticky header — status, step,
 * weight, time left in the bake, the last verdict — and posts the abort form. Journal
 * text reaches the page only as `textContent` or as the server's escaped HTML. Sets
 * `window.__live` (updates, key, view) for the browser test. Plain ES2019 in a string.
 */
export const LIVE_PAGE_SCRIPT = `
(function () {
  'use strict';
  var since = '';
  var live = { updates: 0, key: '', view: null, abortable: false };
  window.__live = live;
  function $(id) { return document.getElementById(id); }
  function text(id, value) { var el = $(id); if (el) el.textContent = value; }
  function left(s) { var m = Math.floor(s / 60); return (m ? m + ' min ' : '') + (s % 60) + ' s'; }

  function header(state) {
    var v = state.view;
    var status = $('live-status');
    if (!v) {
      status.textContent = 'no run yet';
      status.className = 'status status-planned';
      ['live-step', 'live-weight', 'live-left', 'live-verdict'].forEach(function (id) { text(id, ''); });
    } else {
      status.textContent = v.status.replace('_', ' ') + ' — run ' + v.runId;
      status.className = 'status status-' + v.status;
      text('live-step', v.step ? 'step: ' + v.step.title + ' (' + v.step.state + ')' : '');
      var c = v.canary;
      text('live-weight', c ? 'version ' + c.candidate + ' at ' + c.weightPct + '% (' +
        c.steps.map(function (w) { return w + '%'; }).join(' → ') + ' → 100%)' : '');
      var when = '';
      if (c && c.secondsLeft !== undefined) {
        when = c.secondsLeft > 0 ? left(c.secondsLeft) + ' left in the ' + c.weightPct + '% bake'
          : 'bake time is up: last analysis';
      } else if (c && c.pausedBefore !== undefined) {
        when = 'paused before ' + c.pausedBefore + '%';
      }
      text('live-left', when);
      var verdict = '';
      if (v.error) verdict = v.error.code + ': ' + v.error.message;
      else if (c && c.lastVerdict) {
        var lv = c.lastVerdict;
        verdict = 'last analysis ' + lv.at.slice(11, 19) + ' UTC at ' + lv.weightPct + '%: ' +
          lv.verdict.toUpperCase() + (lv.reasons.length ? ' — ' + lv.reasons.join('; ') : '');
      }
      text('live-verdict', verdict);
    }
    var button = $('abort-button');
    live.abortable = Boolean(v && v.abortable && state.abort.offered && !state.abort.used && !state.abort.locked);
    if (button) {
      button.disabled = !live.abortable;
      if (state.abort.used) button.textContent = 'abort requested';
      if (state.abort.locked) button.textContent = 'abort locked';
    }
  }

  function tick() {
    fetch('/api/state?since=' + encodeURIComponent(since), { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (state) {
        if (state.html !== undefined) {
          $('report').innerHTML = state.html || '<p class="legend-note">waiting for a run of ' +
            state.env + '…</p>';
          since = state.key;
          window.promoteReport.draw(state.data || {});
        }
        header(state);
        var conn = $('live-conn');
        conn.className = state.readError ? 'lost' : 'muted';
        conn.textContent = state.readError ? 'journals unreadable: ' + state.readError
          : 'updated ' + state.at.slice(11, 19) + ' UTC';
        live.updates += 1;
        live.key = state.key;
        live.view = state.view || null;
      })
      .catch(function (error) {
        var conn = $('live-conn');
        conn.className = 'lost';
        conn.textContent = 'promote watch is not answering (' + error.message + ')';
      })
      .then(function () { setTimeout(tick, 1000); });
  }

  var form = $('abort');
  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var result = $('abort-result');
      result.className = '';
      result.textContent = 'asking…';
      fetch('/api/abort', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: $('abort-token').value, reason: $('abort-reason').value }),
      })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (answer) {
          result.className = answer.ok ? 'ok' : 'error';
          result.textContent = answer.ok ? answer.body.message : answer.body.error;
        })
        .catch(function (error) {
          result.className = 'error';
          result.textContent = error.message;
        });
    });
  }
  tick();
})();
`;
