/* Draws every traffic chart on the page with uPlot.
 *
 * The data sits next to each chart in a json_script element (data, not code, so the
 * page can forbid inline scripts): {"start": epoch seconds of the first day,
 * "views": [...], "unique_views": [...], "clones": [...], "unique_clones": [...],
 * "partial": [indexes of the partial days]}, one value per consecutive UTC day. A partial
 * day (its figures may still grow) is shaded, with a hollow point on the line, and is
 * left out of the legend's latest day. Once a frame with every chart drawn has been painted, the page
 * gets performance.mark("charts-drawn") and <html data-charts-drawn="N">.
 */
(function () {
  "use strict";

  var DAY = 86400;
  var HEIGHTS = { compact: 160, tall: 240 };
  var METRICS = {
    views: { count: ["Views", "views"], unique: ["Unique visitors", "unique_views"] },
    clones: { count: ["Clones", "clones"], unique: ["Unique cloners", "unique_clones"] },
  };
  // Whole numbers only: there is no such thing as half a view.
  var INCREMENTS = [];
  for (var power = 1; power <= 1e9; power *= 10) {
    INCREMENTS.push(power, 2 * power, 5 * power);
  }
  // The data is daily: ticks every day at the finest, labelled "Nov 3" rather than "11/3".
  var MONTH = 30 * DAY;
  var YEAR = 365 * DAY;
  var DAY_INCREMENTS = [DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, MONTH, 2 * MONTH, 3 * MONTH,
    4 * MONTH, 6 * MONTH, YEAR, 2 * YEAR, 5 * YEAR, 10 * YEAR];
  // uPlot's table: smallest tick step, label, label when the year rolls over, ..., mode 1
  // (the rollover label is appended).
  var DATE_LABELS = [
    [YEAR, "{YYYY}", null, null, null, null, null, null, 1],
    [28 * DAY, "{MMM}", "\n{YYYY}", null, null, null, null, null, 1],
    [DAY, "{MMM} {D}", "\n{YYYY}", null, null, null, null, null, 1],
  ];

  var sources = {};
  var charts = new Map(); // chart container -> its uPlot

  function sourceData(id) {
    if (!sources[id]) {
      var raw = JSON.parse(document.getElementById(id).textContent);
      var days = raw.views.length;
      var x = new Array(days);
      for (var i = 0; i < days; i++) {
        x[i] = raw.start + i * DAY;
      }
      raw.x = x;
      raw.partial = new Set(raw.partial || []);
      sources[id] = raw;
    }
    return sources[id];
  }

  function palette() {
    var style = getComputedStyle(document.documentElement);
    function read(name) {
      return style.getPropertyValue(name).trim();
    }
    return {
      surface: read("--surface"),
      count: read("--chart-count"),
      countFill: read("--chart-count-fill"),
      unique: read("--chart-unique"),
      axis: read("--chart-axis"),
      grid: read("--chart-grid"),
    };
  }

  function isoDate(seconds) {
    return new Date(seconds * 1000).toISOString().slice(0, 10);
  }

  var numberFormat = new Intl.NumberFormat("en-US");

  function wholeNumber(u, value) {
    return value == null ? "–" : numberFormat.format(value);
  }

  function yRange(u, dataMin, dataMax) {
    // From zero, with a little headroom rounded to a half power of ten; never empty.
    var top = Math.max(dataMax, 1) * 1.05;
    var step = Math.pow(10, Math.floor(Math.log10(top))) / 2;
    return [0, Math.max(Math.ceil(top / step) * step, 2)];
  }

  function xRange(u, dataMin, dataMax) {
    // A single day sits in the middle of three (uPlot would give it 1,000 days).
    var days = u.data[0];
    if (days.length === 1) {
      return [days[0] - DAY, days[0] + DAY];
    }
    return [dataMin, dataMax];
  }

  function axis(colors) {
    return {
      stroke: colors.axis,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1 },
    };
  }

  // Away from the cursor, the legend shows the latest complete day rather than blanks
  // (the latest day if every day is partial).
  function legendLatest(partial) {
    return function (u) {
      var last = u.data[0].length - 1;
      if (u.cursor.idx != null || last < 0) {
        return;
      }
      var idx = last;
      while (idx >= 0 && partial.has(idx)) {
        idx--;
      }
      u.setLegend({ idx: idx >= 0 ? idx : last }, false);
    };
  }

  // A partial day gets a shaded band behind the lines and a hollow point on the count line.
  function partialBands(partial, colors) {
    return function (u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = colors.grid;
      partial.forEach(function (idx) {
        var x = u.data[0][idx];
        var left = Math.max(u.valToPos(x - DAY / 2, "x", true), u.bbox.left);
        var right = Math.min(u.valToPos(x + DAY / 2, "x", true), u.bbox.left + u.bbox.width);
        if (right > left) {
          ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
        }
      });
      ctx.restore();
    };
  }

  function partialPoints(partial, colors) {
    return function (u) {
      var ctx = u.ctx;
      var ratio = uPlot.pxRatio;
      ctx.save();
      ctx.lineWidth = 2 * ratio;
      ctx.strokeStyle = colors.count;
      ctx.fillStyle = colors.surface;
      partial.forEach(function (idx) {
        ctx.beginPath();
        ctx.arc(
          u.valToPos(u.data[0][idx], "x", true),
          u.valToPos(u.data[1][idx], "y", true),
          4 * ratio,
          0,
          2 * Math.PI,
        );
        ctx.fill();
        ctx.stroke();
      });
      ctx.restore();
    };
  }

  function chartOptions(metric, size, width, colors, partial) {
    var names = METRICS[metric];
    // Compact charts come a hundred to a page: hairlines and no fill, which a software
    // rasteriser draws several times faster than 1.5 px lines over a filled area.
    var lineWidth = size === "tall" ? 1.5 : 1;
    // Roomy ticks: easier to read, and fewer labels to draw on a page of 200 charts.
    var xAxis = axis(colors);
    xAxis.incrs = DAY_INCREMENTS;
    xAxis.values = DATE_LABELS;
    xAxis.space = 70;
    var yAxis = axis(colors);
    yAxis.incrs = INCREMENTS;
    yAxis.size = 48;
    yAxis.space = 36;
    return {
      width: width,
      height: HEIGHTS[size],
      tzDate: function (seconds) {
        return uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");
      },
      scales: { x: { time: true, range: xRange }, y: { range: yRange } },
      series: [
        {
          label: "Date",
          value: function (u, seconds) {
            return seconds == null ? "–" : isoDate(seconds);
          },
        },
        {
          label: names.count[0],
          stroke: colors.count,
          fill: size === "tall" ? colors.countFill : undefined,
          width: lineWidth,
          value: wholeNumber,
        },
        { label: names.unique[0], stroke: colors.unique, width: lineWidth, value: wholeNumber },
      ],
      axes: [xAxis, yAxis],
      cursor: { drag: { x: true, y: false } },
      hooks: {
        ready: [legendLatest(partial)],
        setCursor: [legendLatest(partial)],
        drawClear: partial.size ? [partialBands(partial, colors)] : [],
        draw: partial.size ? [partialPoints(partial, colors)] : [],
      },
    };
  }

  // Charts are built and drawn off the document, then put in place together: a canvas in
  // the document makes every font change recalculate styles, once per chart.
  function chartsCreate() {
    var plots = document.querySelectorAll(".chart-plot[data-metric]");
    var colors = palette();
    // Read every width before the first chart changes the layout.
    var widths = Array.prototype.map.call(plots, function (plot) {
      return plot.clientWidth;
    });
    Array.prototype.forEach.call(plots, function (plot, index) {
      var source = sourceData(plot.closest("[data-chart-source]").dataset.chartSource);
      var names = METRICS[plot.dataset.metric];
      var size = plot.classList.contains("tall") ? "tall" : "compact";
      var options = chartOptions(
        plot.dataset.metric, size, widths[index], colors, source.partial,
      );
      var data = [source.x, source[names.count[1]], source[names.unique[1]]];
      charts.set(plot, new uPlot(options, data));
    });
    performance.mark("charts-built");
    // uPlot draws in a microtask queued by its constructor, so this one runs after them all.
    return Promise.resolve().then(function () {
      charts.forEach(function (chart, plot) {
        plot.appendChild(chart.root);
      });
    });
  }

  // Marks the first frame painted with every chart in it (for the benchmark and tests).
  function chartsDrawnMark() {
    requestAnimationFrame(function () {
      setTimeout(function () {
        if (!document.documentElement.hasAttribute("data-charts-drawn")) {
          performance.mark("charts-drawn");
        }
        document.documentElement.setAttribute("data-charts-drawn", String(charts.size));
      }, 0);
    });
  }

  function chartsDestroy() {
    charts.forEach(function (chart) {
      chart.destroy();
    });
    charts.clear();
  }

  function resizeFollow() {
    if (!window.ResizeObserver) {
      return;
    }
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        var chart = charts.get(entry.target);
        var width = Math.floor(entry.contentRect.width);
        if (chart && width > 0 && width !== chart.width) {
          chart.setSize({ width: width, height: chart.height });
        }
      });
    });
    charts.forEach(function (chart, plot) {
      observer.observe(plot);
    });
  }

  // Canvases cannot use CSS variables: redraw with the new palette when the theme flips.
  function themeFollow() {
    var query = window.matchMedia("(prefers-color-scheme: dark)");
    query.addEventListener("change", function () {
      chartsDestroy();
      chartsCreate().then(chartsDrawnMark);
    });
  }

  // The all-repositories page leaves its tables empty (100 repositories x 3 years
  // would be a very long page) and fills one when it is opened.
  function tableFill(details) {
    var body = details.querySelector("tbody[data-fill-from]");
    if (!details.open || !body || body.rows.length > 0) {
      return;
    }
    var source = sourceData(body.dataset.fillFrom);
    var rows = document.createDocumentFragment();
    for (var i = 0; i < source.x.length; i++) {
      var row = document.createElement("tr");
      var head = document.createElement("th");
      var date = document.createElement("time");
      head.scope = "row";
      date.dateTime = date.textContent = isoDate(source.x[i]);
      head.appendChild(date);
      if (source.partial.has(i)) {
        var mark = document.createElement("small");
        mark.className = "partial-mark";
        mark.textContent = "partial";
        row.className = "partial";
        head.append(" ", mark);
      }
      row.appendChild(head);
      ["views", "unique_views", "clones", "unique_clones"].forEach(function (metric) {
        var cell = document.createElement("td");
        cell.textContent = String(source[metric][i]);
        row.appendChild(cell);
      });
      rows.appendChild(row);
    }
    body.appendChild(rows);
  }

  if (typeof uPlot === "undefined") {
    return;
  }
  performance.mark("charts-start");
  chartsCreate().then(function () {
    chartsDrawnMark();
    resizeFollow();
  });
  themeFollow();
  document.addEventListener(
    "toggle",
    function (event) {
      if (event.target.matches && event.target.matches("details")) {
        tableFill(event.target);
      }
    },
    true,
  );
})();
