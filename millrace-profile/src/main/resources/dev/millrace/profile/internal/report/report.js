// Draws the report's charts from the JSON block with uPlot, then marks the body
// data-rendered="ok" (or "error", with the reason shown at the top of the page).
(function () {
  'use strict';
  var HEIGHT = 260;
  var COLORS = {
    wait: '#e8900c',
    compute: '#2f6fdb',
    throughput: '#0f9d6b',
    processCpu: '#2f6fdb',
    machineCpu: '#8a94a6',
    disk: '#d9480f',
    gpu: '#0f9d6b',
    gpuMemory: '#7048e8'
  };

  function el(id) {
    return document.getElementById(id);
  }

  function fmt(v, decimals) {
    if (v == null || !isFinite(v)) return '–';
    return v.toLocaleString('en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals
    });
  }

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  function line(label, color, extra) {
    var s = { label: label, stroke: color, width: 1.5, points: { show: false } };
    for (var k in extra) s[k] = extra[k];
    return s;
  }

  function axes(xLabel, yLabel, y2Label) {
    var list = [
      { label: xLabel, grid: { stroke: '#edf0f3' } },
      { label: yLabel, grid: { stroke: '#edf0f3' }, size: 60 }
    ];
    if (y2Label) list.push({ label: y2Label, scale: 'y2', side: 1, grid: { show: false }, size: 60 });
    return list;
  }

  function widthOf(container) {
    return Math.max(240, Math.floor(container.clientWidth || 600));
  }

  function chart(containerId, options, columns) {
    var container = el(containerId);
    if (!container) return null;
    options.width = widthOf(container);
    options.height = HEIGHT;
    options.scales = options.scales || {};
    // x is a step number or seconds since the start, never a calendar time
    options.scales.x = { time: false };
    var plot = new uPlot(options, columns, container);
    plot.millraceContainer = container;
    return plot;
  }

  function stepChart(steps) {
    var total = steps.waitMs.map(function (w, i) {
      var c = steps.computeMs[i];
      return w == null || c == null ? null : w + c;
    });
    var label = steps.perPoint > 1 ? 'step (mean of ' + steps.perPoint + ' per point)' : 'step';
    return chart(
      'chart-steps',
      {
        series: [
          { label: 'step', value: function (u, v) { return fmt(v, 0); } },
          line('input wait (ms)', COLORS.wait, {
            fill: alpha(COLORS.wait, 0.55),
            value: function (u, v) { return fmt(v, 2); }
          }),
          line('compute (ms)', COLORS.compute, {
            value: function (u, v, si, i) { return i == null ? '–' : fmt(steps.computeMs[i], 2); }
          })
        ],
        // the compute area sits on top of the wait area: together they are the step's time
        bands: [{ series: [2, 1], fill: alpha(COLORS.compute, 0.35) }],
        scales: { y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
        axes: axes(label, 'ms per step')
      },
      [steps.step, steps.waitMs, total]
    );
  }

  function throughputChart(s) {
    return chart(
      'chart-throughput',
      {
        series: [
          { label: 'seconds', value: function (u, v) { return fmt(v, 1); } },
          line('images/s', COLORS.throughput, {
            fill: alpha(COLORS.throughput, 0.12),
            value: function (u, v) { return fmt(v, 0); }
          })
        ],
        scales: { y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
        axes: axes('seconds since start', 'images/s')
      },
      [s.seconds, s.imagesPerSecond]
    );
  }

  function utilisationChart(s) {
    var pct = function (u, v) { return v == null ? '–' : fmt(v, 1) + '%'; };
    return chart(
      'chart-utilisation',
      {
        series: [
          { label: 'seconds', value: function (u, v) { return fmt(v, 1); } },
          line('process CPU %', COLORS.processCpu, { value: pct }),
          line('machine CPU %', COLORS.machineCpu, { value: pct, dash: [5, 3] }),
          line('disk read MB/s', COLORS.disk, {
            scale: 'y2',
            value: function (u, v) { return fmt(v, 1); }
          })
        ],
        scales: {
          y: { range: function (u, min, max) { return [0, Math.max(100, max * 1.05)]; } },
          y2: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } }
        },
        axes: axes('seconds since start', 'CPU %', 'disk MB/s')
      },
      [s.seconds, s.processCpuPercent, s.machineCpuPercent, s.diskReadMbPerSecond]
    );
  }

  function gpuChart(s) {
    if (!s.gpu) return null;
    return chart(
      'chart-gpu',
      {
        series: [
          { label: 'seconds', value: function (u, v) { return fmt(v, 1); } },
          line('GPU utilisation %', COLORS.gpu, {
            value: function (u, v) { return v == null ? '–' : fmt(v, 1) + '%'; }
          }),
          line('GPU memory MB', COLORS.gpuMemory, {
            scale: 'y2',
            value: function (u, v) { return fmt(v, 0); }
          })
        ],
        scales: {
          y: { range: [0, 100] },
          y2: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } }
        },
        axes: axes('seconds since start', 'GPU %', 'memory MB')
      },
      [s.seconds, s.gpuUtilisationPercent, s.gpuMemoryMb]
    );
  }

  // Follows each chart's container, not the window: the container is what narrows when the
  // window does, and it is measured after layout, so the first width is right too.
  function fitOnResize(charts) {
    if (typeof ResizeObserver !== 'function') return;
    charts.forEach(function (c) {
      var last = widthOf(c.millraceContainer);
      new ResizeObserver(function () {
        var width = widthOf(c.millraceContainer);
        if (width !== last) {
          last = width;
          c.setSize({ width: width, height: HEIGHT });
        }
      }).observe(c.millraceContainer);
    });
  }

  function showError(e) {
    document.body.setAttribute('data-rendered', 'error');
    var p = document.createElement('p');
    p.className = 'render-error';
    p.textContent = 'The charts could not be drawn: ' + (e && e.message ? e.message : e);
    var main = document.querySelector('main') || document.body;
    main.insertBefore(p, main.firstChild);
  }

  try {
    var data = JSON.parse(el('report-data').textContent);
    if (typeof uPlot !== 'function') throw new Error('the chart library did not load');
    var charts = [
      data.steps.count > 0 ? stepChart(data.steps) : null,
      data.samples.count > 0 ? throughputChart(data.samples) : null,
      data.samples.count > 0 ? utilisationChart(data.samples) : null,
      data.samples.count > 0 ? gpuChart(data.samples) : null
    ].filter(function (c) { return c != null; });
    fitOnResize(charts);
    document.body.setAttribute('data-charts', String(charts.length));
    document.body.setAttribute('data-rendered', 'ok');
  } catch (e) {
    showError(e);
  }
})();
