/**
 * The report page's own script, as text inlined after uPlot: reads the chart groups from
 * `#run-data` (chart-group.ts: `canary`, `load`) and draws one uPlot chart per chart, with
 * the group's bands shaded (weight or rate steps), the threshold as a dashed line and the
 * failing point as a red marker. It sets `window.__reportCharts` (id, series and point
 * counts per drawn chart) so a browser test can check what was drawn, and exposes
 * `window.promoteReport.draw(data)` so the live view (`promote watch`) redraws as a run
 * grows. Plain ES2019 in a string, because it runs in the browser, not in Node: no
 * TypeScript or bundler step stands between this text and the page.
 */
export const REPORT_PAGE_SCRIPT = `
(function () {
  'use strict';
  var COLORS = { canary: '#d9480f', stable: '#1c7ed6' };
  var PALETTE = ['#1c7ed6', '#d9480f', '#2b8a3e', '#7048e8', '#e67700', '#495057'];
  var BAND_FILLS = ['rgba(250, 176, 5, 0.10)', 'rgba(250, 176, 5, 0.24)', 'rgba(250, 176, 5, 0.38)'];
  var GROUPS = ['canary', 'load'];
  var drawn = [];
  var plots = [];
  window.__reportCharts = drawn;

  function bandsPlugin(group, chart) {
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
          ctx.save();
          group.bands.forEach(function (band, i) {
            var x0 = u.valToPos(band.from, 'x', true), x1 = u.valToPos(band.to, 'x', true);
            ctx.fillStyle = BAND_FILLS[Math.min(i, BAND_FILLS.length - 1)];
            ctx.fillRect(x0, top, x1 - x0, height);
            ctx.fillStyle = '#5c3c00';
            ctx.font = Math.round(11 * devicePixelRatio) + 'px sans-serif';
            ctx.fillText(band.label, x0 + 4 * devicePixelRatio, top + 12 * devicePixelRatio);
          });
          ctx.restore();
        }],
        draw: [function (u) {
          var ctx = u.ctx, b = u.bbox;
          ctx.save();
          if (chart.threshold) {
            var y = u.valToPos(chart.threshold.value, 'y', true);
            ctx.strokeStyle = '#c92a2a';
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.beginPath(); ctx.moveTo(b.left, y); ctx.lineTo(b.left + b.width, y); ctx.stroke();
            ctx.setLineDash([]);
            ctx.fillStyle = '#c92a2a';
            ctx.font = Math.round(11 * devicePixelRatio) + 'px sans-serif';
            // Left, after the first band's label: the right edge is where a failure is marked.
            // Below the band labels when the line runs close to the top.
            var labelY = Math.max(y - 4 * devicePixelRatio, b.top + 26 * devicePixelRatio);
            ctx.fillText(chart.threshold.label, b.left + 90 * devicePixelRatio, labelY);
          }
          if (group.failingIndex !== undefined) {
            var x = u.valToPos(group.x[group.failingIndex], 'x', true);
            ctx.strokeStyle = '#c92a2a';
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
          }
          ctx.restore();
        }],
      },
    };
  }

  function yRange(chart) {
    return function (u, min, max) {
      var top = Math.max(max == null ? 0 : max, chart.threshold ? chart.threshold.value : 0);
      return [0, top > 0 ? top * 1.15 : 1];
    };
  }

  function xRange(group) {
    return function () {
      if (!group.bands.length) return [group.x[0] - 1, group.x[group.x.length - 1] + 1];
      return [group.bands[0].from, group.bands[group.bands.length - 1].to];
    };
  }

  function drawGroup(group) {
    group.charts.forEach(function (chart) {
      var el = document.getElementById('chart-' + chart.id);
      if (!el) return;
      var width = Math.max(320, Math.min(el.clientWidth || 860, 860));
      var opts = {
        title: chart.title + (chart.unit ? ' (' + chart.unit + ')' : ''),
        width: width,
        height: 220,
        plugins: [bandsPlugin(group, chart)],
        legend: { live: false },
        // Journal times are UTC; so are the axes, whatever the reader's time zone.
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
        scales: { x: { time: true, range: xRange(group) }, y: { range: yRange(chart) } },
        axes: [{ label: 'UTC', labelSize: 20 }, { label: chart.unit, size: 60 }],
        series: [{ label: 'time' }].concat(chart.series.map(function (s, i) {
          return { label: s.label, stroke: COLORS[s.label] || PALETTE[i % PALETTE.length],
            width: 2, points: { show: true, size: 6 }, spanGaps: false };
        })),
      };
      var rows = [group.x].concat(chart.series.map(function (s) { return s.values; }));
      plots.push(new uPlot(opts, rows, el));
      drawn.push({ id: chart.id, series: chart.series.length, points: group.x.length });
    });
  }

  /** Draws every group of data, replacing what an earlier call drew. */
  function draw(data) {
    plots.forEach(function (p) { p.destroy(); });
    plots = [];
    drawn.length = 0;
    if (typeof uPlot === 'undefined') return;
    GROUPS.forEach(function (name) { if (data[name]) drawGroup(data[name]); });
  }

  window.promoteReport = { draw: draw };
  var blob = document.getElementById('run-data');
  if (blob) draw(JSON.parse(blob.textContent));
})();
`;
