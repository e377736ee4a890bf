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
 * left out of the legend's latest figures. The chart is charts.js's, as on the repository
 * page; a drag across it opens the page for those dates.
 *
 * Once the table sorts and searches and the chart is drawn, <html data-overview-ready>.
 * With ?bench=1 only: performance.mark("table-ready") and, after the first frame with
 * the chart, performance.mark("charts-drawn") and <html data-charts-drawn="1">.
 */

import {
  DAY, benchMark, isoDate, palette, resizeFollow, timeChart, yieldToMain,
} from "./charts.js";

const HEIGHT = 220;
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

const epochSeconds = (isoDate) => Date.parse(`${isoDate}T00:00:00Z`) / 1000;

// A drag across the chart shows those dates: the page again with that range, so the
// table's figures follow it too (and the address keeps it for reload and Back).
const rangeOpen = (min, max) => {
  const query = new URLSearchParams(window.location.search);
  query.set("start", isoDate(Math.floor(min / DAY) * DAY));
  query.set("end", isoDate(Math.floor(max / DAY) * DAY));
  window.location.assign(`${window.location.pathname}?${query}`);
};

const chartDraw = (plot) => {
  const chart = JSON.parse(document.getElementById(plot.dataset.source).textContent);
  const legend = document.getElementById(plot.dataset.legend);
  const x = chart.dates.map(epochSeconds);
  const partial = new Set();
  chart.partial.forEach((isPartial, index) => {
    if (isPartial) partial.add(index);
  });
  const draw = () => {
    const colors = palette();
    return timeChart(plot, legend, {
      x,
      series: [
        { label: "Views", values: chart.views, stroke: colors.count },
        // Clones are often a tenth of views or less: on their own axis they keep a shape.
        { label: "Clones (right axis)", values: chart.clones, stroke: colors.unique, scale: "clones" },
      ],
      scales: { clones: { range: (u, min, max) => [0, Math.max(2, Math.ceil(max * 1.05))] } },
      height: HEIGHT,
      partial,
      interval: chart.interval,
      onZoom: rangeOpen,
    });
  };
  const charts = new Map([[plot, draw()]]);
  resizeFollow([plot], [charts]);
  // Canvases cannot read CSS variables: a theme change redraws with the new palette.
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    charts.get(plot).destroy();
    charts.set(plot, draw());
  });
};

const benchTableMark = () => {
  if (new URLSearchParams(window.location.search).get("bench") === "1") {
    performance.mark("table-ready");
  }
};

const start = async () => {
  const table = document.querySelector(".overview-table");
  if (table) {
    searchSetUp(tableSetUp(table));
    benchTableMark();
  }
  const plot = document.getElementById("overview-chart");
  let drawn = 0;
  if (plot && typeof uPlot !== "undefined") {
    // The table first, then the chart in a task of its own: on a slow phone the two
    // together made one long task.
    await yieldToMain();
    chartDraw(plot);
    drawn = 1;
  }
  benchMark(drawn);
  document.documentElement.dataset.overviewReady = "true";
};

start();
