/* The overview page: sorting and search of the server-rendered table, and the combined
 * chart of the total across repositories.
 *
 * The table works without this script (links, figures, sparklines as inline SVG); this
 * adds sorting by the buttons in its header cells (aria-sort follows) and a search box.
 * The chart's data sits in a json_script element: {"interval": "day" | "week" | "month",
 * "dates": [first day of each bucket], "views": [...], "clones": [...],
 * "partial": [true when the bucket's figures may still grow, or the range holds only part
 * of it]}. A partial bucket is drawn as a hollow point at the end of a dashed segment
 * (the line proper stops before it: a cut-short month is no drop in traffic), and is
 * left out of the legend's latest figures. Once a frame with the
 * chart has been painted, the page gets performance.mark("charts-drawn") and
 * <html data-charts-drawn="1">; once the table sorts and searches, <html data-table-ready>.
 */

const DAY = 86400;
const HEIGHT = 220;
const numberFormat = new Intl.NumberFormat("en-US");
// Numeric columns sort biggest first on the first press; the name A to Z, the status
// failing first.
const FIRST_DIRECTION = { name: "ascending", status: "ascending" };

const tableSetUp = (table) => {
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.forEach((row, index) => {
    row.dataset.index = String(index);
  });
  const buttons = Array.from(table.querySelectorAll("thead button[data-sort]"));

  const sortBy = (key, direction) => {
    const sign = direction === "ascending" ? 1 : -1;
    const value = key === "name" ? (row) => row.dataset.name : (row) => Number(row.dataset[key]);
    const sorted = rows.slice().sort((a, b) => {
      const left = value(a);
      const right = value(b);
      if (left < right) return -sign;
      if (left > right) return sign;
      // Ties keep the server's order (failing first, then by views).
      return Number(a.dataset.index) - Number(b.dataset.index);
    });
    body.append(...sorted);
    for (const button of buttons) {
      const cell = button.closest("th");
      if (button.dataset.sort === key) {
        cell.setAttribute("aria-sort", direction);
      } else {
        cell.removeAttribute("aria-sort");
      }
    }
  };

  for (const button of buttons) {
    button.addEventListener("click", () => {
      const key = button.dataset.sort;
      const current = button.closest("th").getAttribute("aria-sort");
      let direction = FIRST_DIRECTION[key] || "descending";
      if (current === "ascending") direction = "descending";
      else if (current === "descending") direction = "ascending";
      sortBy(key, direction);
    });
  }
  return rows;
};

const searchSetUp = (rows) => {
  const box = document.querySelector(".overview-search");
  const input = document.getElementById("overview-search");
  const count = document.getElementById("overview-count");
  if (!box || !input) return;
  const total = rows.length;
  const filter = () => {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const name = row.dataset.name;
      const match = words.every((word) => name.includes(word));
      row.hidden = !match;
      if (match) shown += 1;
    }
    count.value = words.length ? `${shown} of ${total} shown` : "";
  };
  input.addEventListener("input", filter);
  box.hidden = false;
  if (input.value) filter(); // kept by the browser on back/forward
};

const palette = () => {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    surface: read("--surface"),
    views: read("--chart-count"),
    clones: read("--chart-unique"),
    axis: read("--chart-axis"),
    grid: read("--chart-grid"),
  };
};

const epochSeconds = (isoDate) => Date.parse(`${isoDate}T00:00:00Z`) / 1000;

const dateFormat = (options) => new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
const weekFormat = dateFormat({ day: "numeric", month: "short", year: "numeric" });
const monthFormat = dateFormat({ month: "short", year: "numeric" });
// The legend's name of a bucket: "2026-10-05", "week of 5 Oct 2026", "Oct 2026".
const LABELS = {
  day: (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10),
  week: (seconds) => `week of ${weekFormat.format(new Date(seconds * 1000))}`,
  month: (seconds) => monthFormat.format(new Date(seconds * 1000)),
};

// Axis labels compact from five digits on (12k, 1.2M); the axis as wide as its widest.
const compactFormat = new Intl.NumberFormat("en-US", {
  notation: "compact", maximumFractionDigits: 1,
});
const axisNumbers = (u, values) => values.map((value) => {
  if (value == null) return "";
  return Math.abs(value) >= 10000 ? compactFormat.format(value) : numberFormat.format(value);
});
const axisSize = (u, values, axisIndex, cycle) => {
  const axisOf = u.axes[axisIndex];
  if (cycle > 1) return axisOf._size; // uPlot's resizing loop: settle
  const widest = (values || []).reduce((longest, text) => (
    String(text).length > longest.length ? String(text) : longest), "");
  u.ctx.font = axisOf.font[0];
  const text = widest ? u.ctx.measureText(widest).width / uPlot.pxRatio : 0;
  return Math.ceil(axisOf.ticks.size + axisOf.gap + text + 4);
};

// The legend's figure, from the full series (partial buckets are not in the drawn line).
const figureOf = (full) => (u, value, seriesIndex, idx) => {
  const figure = idx == null ? value : full[seriesIndex - 1][idx];
  return figure == null ? "–" : numberFormat.format(figure);
};

const yRange = (fullMax) => (u, dataMin, dataMax) => {
  // From zero, with a little headroom rounded to a half power of ten; never empty.
  const top = Math.max(dataMax, fullMax, 1) * 1.05;
  const step = 10 ** Math.floor(Math.log10(top)) / 2;
  return [0, Math.max(Math.ceil(top / step) * step, 2)];
};

const xRange = (u, dataMin, dataMax) => {
  const x = u.data[0];
  return x.length === 1 ? [x[0] - DAY, x[0] + DAY] : [dataMin, dataMax];
};

// Away from the cursor, the legend shows the latest complete bucket.
const legendLatest = (partial) => (u) => {
  const last = u.data[0].length - 1;
  if (u.cursor.idx != null || last < 0) return;
  let idx = last;
  while (idx >= 0 && partial[idx]) idx -= 1;
  u.setLegend({ idx: idx >= 0 ? idx : last }, false);
};

// A partial bucket: a dashed segment from each neighbour and a hollow point, on each
// shown line.
const partialPoints = (partial, full, colors) => (u) => {
  const { ctx } = u;
  const ratio = uPlot.pxRatio;
  const xs = u.data[0];
  const at = (values, idx) => [u.valToPos(xs[idx], "x", true), u.valToPos(values[idx], "y", true)];
  ctx.save();
  ctx.lineWidth = 2 * ratio;
  ctx.fillStyle = colors.surface;
  [1, 2].forEach((series) => {
    if (!u.series[series].show) return;
    const values = full[series - 1];
    ctx.strokeStyle = series === 1 ? colors.views : colors.clones;
    partial.forEach((isPartial, idx) => {
      if (!isPartial || values[idx] == null) return;
      const [x, y] = at(values, idx);
      ctx.setLineDash([4 * ratio, 3 * ratio]);
      [idx - 1, idx + 1].forEach((neighbour) => {
        if (neighbour < 0 || neighbour >= xs.length || values[neighbour] == null) return;
        ctx.beginPath();
        ctx.moveTo(...at(values, neighbour));
        ctx.lineTo(x, y);
        ctx.stroke();
      });
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.arc(x, y, 4 * ratio, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
  });
  ctx.restore();
};

const chartOptions = (chart, width, colors) => {
  const axis = () => ({
    stroke: colors.axis,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1 },
  });
  const yAxis = { ...axis(), size: axisSize, values: axisNumbers, space: 36 };
  const full = [chart.views, chart.clones];
  const fullMax = Math.max(0, ...chart.views, ...chart.clones);
  const partialLabel = chart.interval === "day" ? " (so far)" : " (partial)";
  // Complete buckets: filled points (uPlot's own are hollow, which here means partial).
  const points = (color) => ({ fill: color, stroke: color });
  return {
    width,
    height: HEIGHT,
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
    scales: { x: { time: true, range: xRange }, y: { range: yRange(fullMax) } },
    series: [
      {
        label: chart.interval === "day" ? "Date" : chart.interval === "week" ? "Week" : "Month",
        value: (u, seconds, seriesIndex, idx) => (seconds == null
          ? "–"
          : LABELS[chart.interval](seconds) + (chart.partial[idx] ? partialLabel : "")),
      },
      {
        label: "Views", stroke: colors.views, width: 1.5, value: figureOf(full),
        points: points(colors.views),
      },
      {
        label: "Clones", stroke: colors.clones, width: 1.5, value: figureOf(full),
        points: points(colors.clones),
      },
    ],
    axes: [{ ...axis(), space: 70 }, yAxis],
    cursor: { drag: { x: true, y: false } },
    hooks: {
      ready: [legendLatest(chart.partial)],
      setCursor: [legendLatest(chart.partial)],
      draw: chart.partial.some(Boolean) ? [partialPoints(chart.partial, full, colors)] : [],
    },
  };
};

const chartDraw = (plot) => {
  const chart = JSON.parse(document.getElementById(plot.dataset.source).textContent);
  // The lines stop before partial buckets; partialPoints draws those.
  const complete = (values) => values.map((value, idx) => (chart.partial[idx] ? null : value));
  const data = [chart.dates.map(epochSeconds), complete(chart.views), complete(chart.clones)];
  let instance = new uPlot(chartOptions(chart, plot.clientWidth, palette()), data, plot);
  if (window.ResizeObserver) {
    new ResizeObserver(([entry]) => {
      const width = Math.floor(entry.contentRect.width);
      if (width > 0 && width !== instance.width) {
        instance.setSize({ width, height: instance.height });
      }
    }).observe(plot);
  }
  // Canvases cannot use CSS variables: redraw with the new palette when the theme flips.
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    instance.destroy();
    instance = new uPlot(chartOptions(chart, plot.clientWidth, palette()), data, plot);
  });
};

const drawnMark = (count) => {
  requestAnimationFrame(() => {
    setTimeout(() => {
      performance.mark("charts-drawn");
      document.documentElement.setAttribute("data-charts-drawn", String(count));
    }, 0);
  });
};

// Back to the browser between two pieces of work, so that it can paint and answer
// input: on a slow phone the table's set-up and the chart together made one long task.
const yieldToMain = () => (globalThis.scheduler?.yield
  ? globalThis.scheduler.yield()
  : new Promise((resolve) => setTimeout(resolve, 0)));

const start = async () => {
  const table = document.querySelector(".overview-table");
  if (table) {
    searchSetUp(tableSetUp(table));
    performance.mark("table-ready");
    document.documentElement.setAttribute("data-table-ready", "");
  }
  const plot = document.getElementById("overview-chart");
  if (plot && typeof uPlot !== "undefined") {
    await yieldToMain();
    chartDraw(plot);
    drawnMark(1);
  } else {
    drawnMark(0);
  }
};

start();
