/* The overview page: sorting and search of the server-rendered table, and the combined
 * chart of the total across repositories.
 *
 * The table works without this script (links, figures, sparklines as inline SVG); this
 * adds sorting by the buttons in its header cells (aria-sort follows) and a search box.
 * The chart's data sits in a json_script element: {"interval": "day" | "week" | "month",
 * "dates": [first day of each bucket], "views": [...], "clones": [...],
 * "partial": [true when the bucket's figures may still grow]}. A partial bucket is drawn
 * as a hollow point and left out of the legend's latest figures. Once a frame with the
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

const LABELS = {
  day: (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10),
  week: (seconds) => `week of ${new Date(seconds * 1000).toISOString().slice(0, 10)}`,
  month: (seconds) => new Date(seconds * 1000).toISOString().slice(0, 7),
};

const wholeNumber = (u, value) => (value == null ? "–" : numberFormat.format(value));

const yRange = (u, dataMin, dataMax) => {
  // From zero, with a little headroom rounded to a half power of ten; never empty.
  const top = Math.max(dataMax, 1) * 1.05;
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

// A partial bucket: a hollow point on each line.
const partialPoints = (partial, colors) => (u) => {
  const { ctx } = u;
  const ratio = uPlot.pxRatio;
  ctx.save();
  ctx.lineWidth = 2 * ratio;
  ctx.fillStyle = colors.surface;
  [1, 2].forEach((series) => {
    ctx.strokeStyle = series === 1 ? colors.views : colors.clones;
    partial.forEach((isPartial, idx) => {
      if (!isPartial) return;
      ctx.beginPath();
      ctx.arc(
        u.valToPos(u.data[0][idx], "x", true),
        u.valToPos(u.data[series][idx], "y", true),
        4 * ratio,
        0,
        2 * Math.PI,
      );
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
  const yAxis = { ...axis(), size: 56, space: 36 };
  return {
    width,
    height: HEIGHT,
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
    scales: { x: { time: true, range: xRange }, y: { range: yRange } },
    series: [
      {
        label: chart.interval === "day" ? "Date" : chart.interval === "week" ? "Week" : "Month",
        value: (u, seconds) => (seconds == null ? "–" : LABELS[chart.interval](seconds)),
      },
      { label: "Views", stroke: colors.views, width: 1.5, value: wholeNumber },
      { label: "Clones", stroke: colors.clones, width: 1.5, value: wholeNumber },
    ],
    axes: [{ ...axis(), space: 70 }, yAxis],
    cursor: { drag: { x: true, y: false } },
    hooks: {
      ready: [legendLatest(chart.partial)],
      setCursor: [legendLatest(chart.partial)],
      draw: chart.partial.some(Boolean) ? [partialPoints(chart.partial, colors)] : [],
    },
  };
};

const chartDraw = (plot) => {
  const chart = JSON.parse(document.getElementById(plot.dataset.source).textContent);
  const data = [chart.dates.map(epochSeconds), chart.views, chart.clones];
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

const table = document.querySelector(".overview-table");
if (table) {
  searchSetUp(tableSetUp(table));
  performance.mark("table-ready");
  document.documentElement.setAttribute("data-table-ready", "");
}
const plot = document.getElementById("overview-chart");
if (plot && typeof uPlot !== "undefined") {
  chartDraw(plot);
  drawnMark(1);
} else {
  drawnMark(0);
}
