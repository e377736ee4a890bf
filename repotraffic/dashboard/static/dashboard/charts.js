/* The one chart code path of the pages: a time chart drawn with uPlot (loaded before
 * this module as the global `uPlot`), from parallel arrays as the server sends them
 * (x in epoch seconds, one array per series), never converted to rows and back.
 *
 * What every chart gets: whole-number axes in UTC dates, an accessible legend of
 * buttons (Enter or Space shows or hides a series; aria-pressed says which), partial
 * points (figures that may still grow) drawn dashed and hollow and left out of the
 * legend's latest figures, optional markers on the time axis (releases), an optional
 * log scale, and a shared cursor and zoom between the charts given the same `sync` key.
 */

export const DAY = 86400;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

// Whole numbers only on the y axis: there is no such thing as half a view.
const INCREMENTS = [];
for (let power = 1; power <= 1e9; power *= 10) {
  INCREMENTS.push(power, 2 * power, 5 * power);
}
const DAY_INCREMENTS = [DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, MONTH, 2 * MONTH, 3 * MONTH,
  4 * MONTH, 6 * MONTH, YEAR, 2 * YEAR, 5 * YEAR, 10 * YEAR];
// uPlot's table: smallest tick step, label, label when the year rolls over, ..., mode 1.
const DATE_LABELS = [
  [YEAR, "{YYYY}", null, null, null, null, null, null, 1],
  [28 * DAY, "{MMM}", "\n{YYYY}", null, null, null, null, null, 1],
  [DAY, "{MMM} {D}", "\n{YYYY}", null, null, null, null, null, 1],
];

export const isoDate = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);

export const palette = () => {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    surface: read("--surface"),
    count: read("--chart-count"),
    countFill: read("--chart-count-fill"),
    unique: read("--chart-unique"),
    average: read("--chart-average") || read("--text"),
    axis: read("--chart-axis"),
    grid: read("--chart-grid"),
    marker: read("--chart-marker") || read("--chart-axis"),
  };
};

const formatValue = (value) => (value == null ? "–" : numberFormat.format(value));

// Axis labels: compact from five digits on (12k, 1.2M), each axis as wide as its widest
// label, so that no label is cut off at the canvas's edge.
const compactFormat = new Intl.NumberFormat("en-US", {
  notation: "compact", maximumFractionDigits: 1,
});
const axisNumbers = (u, values) => values.map((value) => {
  if (value == null) return "";
  return Math.abs(value) >= 10000 ? compactFormat.format(value) : numberFormat.format(value);
});
export const axisSize = (u, values, axisIndex, cycle) => {
  const axisOf = u.axes[axisIndex];
  if (cycle > 1) return axisOf._size; // uPlot's resizing loop: settle
  const widest = (values || []).reduce((longest, text) => (
    String(text).length > longest.length ? String(text) : longest), "");
  u.ctx.font = axisOf.font[0];
  const text = widest ? u.ctx.measureText(widest).width / uPlot.pxRatio : 0;
  return Math.ceil(axisOf.ticks.size + axisOf.gap + text + 4);
};

// The legend's name of the bucket starting at `seconds`: "2026-10-05" for a day,
// "week of 5 Oct 2026", "Oct 2026" for a month.
const weekFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
});
const monthFormat = new Intl.DateTimeFormat("en-GB", {
  month: "short", year: "numeric", timeZone: "UTC",
});
export const periodLabel = (seconds, interval = "day") => {
  if (interval === "week") return `week of ${weekFormat.format(new Date(seconds * 1000))}`;
  if (interval === "month") return monthFormat.format(new Date(seconds * 1000));
  return isoDate(seconds);
};

/* The trailing 7-day mean of the complete days; null where the window holds a partial
 * or missing day, so the average never dips for a day still being counted. */
export const movingAverage = (values, partial, width = 7) => {
  const averages = new Array(values.length).fill(null);
  let sum = 0;
  let known = 0;
  for (let index = 0; index < values.length; index++) {
    const value = partial.has(index) ? null : values[index];
    if (value != null) {
      sum += value;
      known += 1;
    }
    const leaving = index - width;
    if (leaving >= 0) {
      const old = partial.has(leaving) ? null : values[leaving];
      if (old != null) {
        sum -= old;
        known -= 1;
      }
    }
    if (index >= width - 1 && known === width) {
      averages[index] = sum / width;
    }
  }
  return averages;
};

const axis = (colors) => ({
  stroke: colors.axis,
  grid: { stroke: colors.grid, width: 1 },
  ticks: { stroke: colors.grid, width: 1 },
});

// The latest index of a series that is complete and known (-1 if none).
const latestIndex = (values, partial) => {
  for (let index = values.length - 1; index >= 0; index--) {
    if (!partial.has(index) && values[index] != null) {
      return index;
    }
  }
  return -1;
};

/* Partial points: the line stops before them (their value is null in the drawn series)
 * and this draws a dashed segment to each and a hollow point on it. */
const partialDraw = (full, strokes, partial, colors) => (u) => {
  const { ctx } = u;
  const ratio = uPlot.pxRatio;
  const xs = u.data[0];
  ctx.save();
  ctx.lineWidth = 1.5 * ratio;
  ctx.fillStyle = colors.surface;
  full.forEach((values, seriesIndex) => {
    const series = u.series[seriesIndex + 1];
    if (!values || !series.show) {
      return;
    }
    ctx.strokeStyle = strokes[seriesIndex] || colors.count;
    partial.forEach((index) => {
      if (values[index] == null) {
        return;
      }
      const x = u.valToPos(xs[index], "x", true);
      const y = u.valToPos(values[index], series.scale || "y", true);
      ctx.setLineDash([4 * ratio, 3 * ratio]);
      [index - 1, index + 1].forEach((neighbour) => {
        if (neighbour < 0 || neighbour >= xs.length || values[neighbour] == null) {
          return;
        }
        ctx.beginPath();
        ctx.moveTo(u.valToPos(xs[neighbour], "x", true),
          u.valToPos(values[neighbour], series.scale || "y", true));
        ctx.lineTo(x, y);
        ctx.stroke();
      });
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.arc(x, y, 3.5 * ratio, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
  });
  ctx.restore();
};

// Markers on the time axis: a dashed line and a label at the top of the plot.
const markersDraw = (markers, colors) => (u) => {
  const { ctx } = u;
  const ratio = uPlot.pxRatio;
  const left = u.bbox.left;
  const right = left + u.bbox.width;
  ctx.save();
  ctx.strokeStyle = colors.marker;
  ctx.fillStyle = colors.marker;
  ctx.lineWidth = ratio;
  ctx.setLineDash([2 * ratio, 3 * ratio]);
  ctx.font = `${11 * ratio}px system-ui, sans-serif`;
  ctx.textBaseline = "top";
  markers.forEach(([seconds, label]) => {
    const x = u.valToPos(seconds, "x", true);
    if (x < left || x > right) {
      return;
    }
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.fillText(`⚑ ${label}`, Math.min(x + 3 * ratio, right - 60 * ratio), u.bbox.top + 2 * ratio);
  });
  ctx.restore();
};

const legendCreate = (element, specs, full, partial, interval) => {
  element.replaceChildren();
  const values = specs.map((spec, index) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "legend-item";
    button.setAttribute("aria-pressed", "true");
    button.dataset.series = String(index + 1);
    const swatch = document.createElement("span");
    swatch.className = `legend-swatch${spec.dash ? " dashed" : ""}`;
    swatch.style.borderColor = spec.stroke;
    const label = document.createElement("span");
    label.textContent = `${spec.label}: `;
    const value = document.createElement("span");
    value.className = "legend-value";
    button.append(swatch, label, value);
    item.append(button);
    element.append(item);
    return value;
  });
  // Away from the cursor, each series' latest complete figure.
  const show = (u, index) => {
    specs.forEach((spec, seriesIndex) => {
      const series = full[seriesIndex];
      let at = index;
      if (at == null) {
        at = latestIndex(series, partial);
      }
      const value = at >= 0 && at != null ? series[at] : null;
      const known = at >= 0 && at != null;
      // A partial day is still being counted; a partial week or month may also be one
      // that the range cuts short.
      const part = partial.has(at) ? (interval === "day" ? " so far" : ", partial") : "";
      const suffix = known ? ` (${periodLabel(u.data[0][at], interval)}` : "";
      values[seriesIndex].textContent = interval === "day"
        ? formatValue(value) + part + (known ? `${suffix})` : "")
        : formatValue(value) + (known ? `${suffix}${part})` : "");
    });
  };
  return { show };
};

/* Draw a time chart into `plot` (its width) with its legend in `legend` (a <ul>).
 *   x: epoch seconds; series: [{label, values, stroke, fill?, dash?, scale?}];
 *   partial: Set of indexes whose figures may still grow; markers: [[seconds, label]];
 *   log: asinh scale (zeros stay drawable); sync: cursor and zoom group key;
 *   zoom: [min, max] seconds or null; onZoom(min, max): a drag selected this range;
 *   interval: "day", "week" or "month", what each x is the first day of (the legend);
 *   yWidest: the largest figure of every chart of the `sync` group, so that their y
 *   axes are as wide and their plots line up under a shared cursor.
 * Returns the uPlot instance. */
export const timeChart = (plot, legend, options) => {
  const {
    x, series, height = 240, partial = new Set(), markers = [], log = false,
    sync = null, zoom = null, onZoom = null, scales = {}, interval = "day", yWidest = null,
  } = options;
  const colors = palette();
  const full = series.map((spec) => spec.values);
  // Partial points are left out of the drawn lines and drawn by partialDraw.
  const drawn = series.map((spec) => (partial.size
    ? spec.values.map((value, index) => (partial.has(index) ? null : value))
    : spec.values));
  const xAxis = { ...axis(colors), incrs: DAY_INCREMENTS, values: DATE_LABELS, space: 70 };
  const yAxis = {
    ...axis(colors), incrs: log ? undefined : INCREMENTS, values: axisNumbers, space: 36,
    // In a group, the width of the longest label any of its axes can show, whatever
    // each one shows: 8s as wide as the widest digits, compact ones up to "888.8M".
    size: yWidest == null ? axisSize : (u, values, index, cycle) => axisSize(u, [
      yWidest * 1.1 >= 10000
        ? "888.8M"
        : numberFormat.format(Math.ceil(yWidest * 1.1)).replace(/\d/g, "8"),
    ], index, cycle),
  };
  const axes = [xAxis, yAxis];
  const scaleOptions = {
    x: {
      time: true,
      range: (u, min, max) => (x.length === 1 ? [x[0] - DAY, x[0] + DAY] : [min, max]),
    },
    y: log
      ? { distr: 4, asinh: 1 }
      : { range: (u, min, max) => [0, Math.max(2, Math.ceil(Math.max(max, 1) * 1.05))] },
  };
  Object.entries(scales).forEach(([key, scale]) => {
    scaleOptions[key] = log ? { distr: 4, asinh: 1 } : scale;
    axes.push({
      ...axis(colors), scale: key, side: 1, size: axisSize, values: axisNumbers,
      grid: { show: false },
    });
  });
  const legendView = legendCreate(legend, series, full, partial, interval);
  const chart = new uPlot({
    width: Math.max(plot.clientWidth, 200),
    height,
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
    legend: { show: false },
    scales: scaleOptions,
    series: [
      {},
      ...series.map((spec) => ({
        label: spec.label,
        stroke: spec.stroke,
        fill: spec.fill,
        width: spec.width || 1.5,
        dash: spec.dash,
        scale: spec.scale || "y",
        spanGaps: false,
        points: { show: false },
      })),
    ],
    axes,
    cursor: {
      sync: sync ? { key: sync, setSeries: false } : undefined,
      drag: { x: true, y: false, setScale: false },
    },
    hooks: {
      ready: [(u) => legendView.show(u, null)],
      setCursor: [(u) => legendView.show(u, u.cursor.idx)],
      // The dates shown, on the element: what a zoom changed, for scripts and tests.
      setScale: [(u, key) => {
        if (key === "x" && u.scales.x.min != null) {
          plot.dataset.xRange = `${isoDate(u.scales.x.min)}/${isoDate(u.scales.x.max)}`;
        }
      }],
      setSelect: [(u) => {
        if (u.select.width > 2 && onZoom) {
          const min = u.posToVal(u.select.left, "x");
          const max = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          onZoom(min, max);
        }
      }],
      draw: [
        ...(partial.size
          ? [partialDraw(full, series.map((spec) => spec.stroke), partial, colors)]
          : []),
        ...(markers.length ? [markersDraw(markers, colors)] : []),
      ],
    },
  }, [x, ...drawn], plot);
  if (zoom) {
    chart.setScale("x", { min: zoom[0], max: zoom[1] });
  }
  legend.querySelectorAll("button[data-series]").forEach((button) => {
    button.addEventListener("click", () => {
      const index = Number(button.dataset.series);
      const shown = !chart.series[index].show;
      chart.setSeries(index, { show: shown });
      button.setAttribute("aria-pressed", String(shown));
    });
  });
  return chart;
};

// Charts follow their container's width. `groups`: maps of plot element -> chart, read
// at each change (a chart redrawn with new options replaces its entry).
export const resizeFollow = (plots, groups) => {
  if (!window.ResizeObserver) {
    return null;
  }
  const observer = new ResizeObserver((changes) => {
    changes.forEach((change) => {
      const group = groups.find((charts) => charts.has(change.target));
      const chart = group?.get(change.target);
      const width = Math.floor(change.contentRect.width);
      if (chart && width > 0 && width !== chart.width) {
        chart.setSize({ width, height: chart.height });
      }
    });
  });
  plots.forEach((plot) => observer.observe(plot));
  return observer;
};

// Back to the browser between two pieces of work (drawing one group of charts and the
// next), so that it can paint and answer input in between.
export const yieldToMain = () => (globalThis.scheduler?.yield
  ? globalThis.scheduler.yield()
  : new Promise((resolve) => setTimeout(resolve, 0)));

/* Benchmark hooks, only with ?bench=1 in the address: performance marks around the
 * first frame painted with the charts, and <html data-charts-drawn="N">. */
export const benchMark = (count) => {
  if (new URLSearchParams(window.location.search).get("bench") !== "1") {
    return;
  }
  requestAnimationFrame(() => {
    setTimeout(() => {
      performance.mark("charts-drawn");
      document.documentElement.setAttribute("data-charts-drawn", String(count));
    }, 0);
  });
};
