/* The single-repository page: its traffic charts (interval, 7-day average, log scale,
 * a zoom shared by both charts and kept in the address), the rolling 14-day chart of a
 * chosen referrer or page, stars and forks, release downloads, sortable tables, and
 * "Collect now" on the owner's page.
 *
 * The data sits in <script id="repository-data" type="application/json"> (data, not
 * code: the page forbids inline scripts), built by dashboard.repository_selectors:
 * {"days": {"start", "views", "unique_views", "clones", "unique_clones", "partial"},
 *  "weeks"/"months": {"x", the same four metrics (uniques null where GitHub gave none),
 *  "partial"}, "releases": [[seconds, tag]], "referrers"/"paths": [{"name", "x",
 *  "count", "uniques"}], "stars": {"x", "stars", "forks"}, "downloads": {"x",
 *  "downloads", "total"}}.
 *
 * A zoom is the address's start and end, and a chosen interval its interval (day, week
 * or month; none for "auto"): each change pushes them (history.pushState), so Back
 * returns to the previous view and a reload asks the server for that range. "Reset
 * zoom" shows every day: at once when they are loaded, else by asking the server.
 */

import {
  DAY, benchMark, isoDate, movingAverage, palette, resizeFollow, timeChart, yieldToMain,
} from "./charts.js";

const source = document.getElementById("repository-data");
const data = source ? JSON.parse(source.textContent) : null;

// The interval "auto" picks for a span of days: days up to about 3 months, weeks up to
// about 2 years, months beyond.
export const intervalFor = (days) => (days <= 92 ? "day" : days <= 731 ? "week" : "month");

// The interval an address asks for: "auto" without one, or with one the page lacks.
const INTERVALS = ["day", "week", "month"];
const intervalIn = (url) => {
  const asked = url.searchParams.get("interval");
  return INTERVALS.includes(asked) ? asked : "auto";
};

const intervalWrite = (url, interval) => {
  if (interval === "auto") {
    url.searchParams.delete("interval");
  } else {
    url.searchParams.set("interval", interval);
  }
};

// The date filter keeps the chosen interval: its form sends it and its links carry it.
const filterFollow = (interval) => {
  const filter = document.querySelector("form.filter");
  if (!filter) {
    return;
  }
  let field = filter.querySelector("input[type=hidden][name=interval]");
  if (interval === "auto") {
    field?.remove();
  } else {
    if (!field) {
      field = Object.assign(document.createElement("input"), { type: "hidden", name: "interval" });
      filter.append(field);
    }
    field.value = interval;
  }
  filter.querySelectorAll("a[href]").forEach((link) => {
    const url = new URL(link.href);
    intervalWrite(url, interval);
    link.setAttribute("href", `${url.pathname}${url.search}`);
  });
};

const dateSeconds = (text) => Date.parse(`${text}T00:00:00Z`) / 1000;

const METRICS = {
  views: { count: ["Views", "views"], unique: ["Unique visitors", "unique_views"] },
  clones: { count: ["Clones", "clones"], unique: ["Unique cloners", "unique_clones"] },
};

const legendFor = (plot) => {
  let legend = plot.previousElementSibling;
  if (!legend || !legend.matches("ul.legend")) {
    legend = document.createElement("ul");
    legend.className = "legend";
    legend.setAttribute("aria-label", "Series: press to show or hide");
    plot.before(legend);
  }
  return legend;
};

const dayX = (days) => Array.from(days.views, (_, index) => days.start + index * DAY);

const trafficCharts = () => {
  const container = document.querySelector("[data-traffic-charts]");
  const form = document.querySelector("[data-chart-controls]");
  if (!container || !form || !data.days.views.length) {
    return null;
  }
  const plots = Array.from(container.querySelectorAll(".chart-plot[data-metric]"));
  const reset = form.querySelector("[data-zoom-reset]");
  const autoLabel = form.querySelector("[data-auto-interval]");
  const average = form.elements.average;
  const sets = {
    day: { x: dayX(data.days), ...data.days },
    week: data.weeks,
    month: data.months,
  };
  const first = sets.day.x[0];
  const last = sets.day.x[sets.day.x.length - 1];
  const loadedUrl = new URL(window.location.href);
  const loaded = loadedUrl.searchParams;
  // The server sent only the address's range: there may be more days than those loaded.
  const bounded = loaded.has("start") || loaded.has("end");
  const charts = new Map();
  let zoom = null; // [min, max] seconds, or null: everything loaded

  const interval = () => {
    const chosen = form.elements.interval.value;
    if (chosen !== "auto") {
      return chosen;
    }
    const [min, max] = zoom || [first, last];
    return intervalFor(Math.round((max - min) / DAY) + 1);
  };

  const seriesOf = (metric, set, name, colors) => {
    const names = METRICS[metric];
    const series = [{
      label: names.count[0], values: set[names.count[1]], stroke: colors.count,
      fill: colors.countFill,
    }];
    const uniques = set[names.unique[1]];
    if (uniques.some((value) => value != null)) {
      series.push({
        label: name === "week" ? `${names.unique[0]} (GitHub's weekly)` : names.unique[0],
        values: uniques, stroke: colors.unique,
      });
    }
    if (name === "day" && average.checked) {
      series.push({
        label: "7-day average", values: movingAverage(set[names.count[1]], new Set(set.partial)),
        stroke: colors.average, dash: [6, 4], width: 2,
      });
    }
    return series;
  };

  /* The caption names unique visitors only when the chart shows them; when it does not,
   * a note in the legend says why (the legend's room is kept in the page: no shift). */
  const uniquesNote = (plot, set, name) => {
    const names = METRICS[plot.dataset.metric];
    const shown = set[names.unique[1]].some((value) => value != null);
    const caption = plot.closest("figure").querySelector("[data-uniques-caption]");
    if (caption) {
      caption.hidden = !shown;
    }
    if (!shown) {
      const note = document.createElement("li");
      note.className = "legend-note muted";
      note.textContent = name === "month"
        ? `${names.unique[0]}: GitHub gives none by month`
        : `${names.unique[0]}: none from GitHub for these weeks`;
      legendFor(plot).append(note);
    }
  };

  // The largest figure of both charts: their y axes as wide, their plots aligned.
  const widest = (set) => Object.values(METRICS).flatMap((names) => [names.count, names.unique])
    .reduce((most, [, key]) => set[key].reduce((top, value) => Math.max(top, value ?? 0), most), 0);

  const draw = () => {
    charts.forEach((chart) => chart.destroy());
    charts.clear();
    const name = interval();
    const set = sets[name];
    const colors = palette();
    autoLabel.textContent = form.elements.interval.value === "auto" ? `(${name}s)` : "";
    average.disabled = name !== "day";
    plots.forEach((plot) => {
      const chart = timeChart(plot, legendFor(plot), {
        x: set.x,
        series: seriesOf(plot.dataset.metric, set, name, colors),
        height: 240,
        partial: new Set(set.partial),
        markers: data.releases,
        log: form.elements.log.checked,
        interval: name,
        yWidest: widest(set),
        sync: "traffic",
        zoom,
        onZoom: (min, max) => zoomTo([min, max], { push: true }),
      });
      charts.set(plot, chart);
      uniquesNote(plot, set, name);
    });
    resetState();
    container.dataset.interval = name;
  };

  const resetState = () => {
    reset.disabled = zoom === null && !bounded;
  };

  // The address of what is shown: the zoom (else the range loaded) and the interval.
  const urlFor = (range) => {
    const url = new URL(window.location.href);
    ["start", "end"].forEach((key, index) => {
      if (range) {
        url.searchParams.set(key, isoDate(Math.floor(range[index] / DAY) * DAY));
      } else if (loaded.has(key)) {
        url.searchParams.set(key, loaded.get(key));
      } else {
        url.searchParams.delete(key);
      }
    });
    intervalWrite(url, form.elements.interval.value);
    return url;
  };

  const addressWrite = () => {
    // Both charts report a shared drag: one history entry for it.
    const target = urlFor(zoom);
    if (target.href !== window.location.href) {
      window.history.pushState(null, "", target);
    }
  };

  // The zoom an address asks for: null for the range loaded, undefined when it needs
  // days outside those loaded (the server has them).
  const zoomIn = (url) => {
    const start = url.searchParams.get("start");
    const end = url.searchParams.get("end");
    if (start === loaded.get("start") && end === loaded.get("end")) {
      return null;
    }
    // No bound in the address: everything, which is more than was loaded if the page
    // was loaded with that bound.
    const min = start ? dateSeconds(start) : loaded.has("start") ? -Infinity : first;
    const max = end ? dateSeconds(end) : loaded.has("end") ? Infinity : last;
    return min >= first && max <= last && min < max ? [min, max] : undefined;
  };

  const zoomTo = (range, { push }) => {
    const before = interval();
    zoom = range;
    if (push) {
      addressWrite();
    }
    if (interval() !== before) {
      draw();
      return;
    }
    charts.forEach((chart) => {
      if (zoom) {
        chart.setScale("x", { min: zoom[0], max: zoom[1] });
      } else {
        chart.setScale("x", { min: chart.data[0][0], max: chart.data[0][chart.data[0].length - 1] });
      }
    });
    resetState();
  };

  window.addEventListener("popstate", () => {
    const url = new URL(window.location.href);
    const range = zoomIn(url);
    if (range === undefined) {
      window.location.reload(); // outside the days loaded: the server has them
      return;
    }
    const chosen = intervalIn(url);
    if (chosen !== form.elements.interval.value) {
      form.elements.interval.value = chosen;
      filterFollow(chosen);
      zoom = range;
      draw();
      return;
    }
    zoomTo(range, { push: false });
  });
  reset.addEventListener("click", () => {
    if (!bounded) {
      zoomTo(null, { push: true });
      return;
    }
    // Loaded with a range: every day is the server's to send.
    const url = new URL(window.location.href);
    url.searchParams.delete("start");
    url.searchParams.delete("end");
    window.location.assign(url);
  });
  plots.forEach((plot) => plot.addEventListener("dblclick", () => {
    if (zoom) {
      zoomTo(null, { push: true });
    }
  }));
  form.addEventListener("change", (event) => {
    if (event.target.name === "interval") {
      addressWrite();
      filterFollow(form.elements.interval.value);
    }
    draw();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  form.elements.interval.value = intervalIn(loadedUrl);
  filterFollow(form.elements.interval.value);
  draw();
  charts.redraw = draw;
  return charts;
};

const popularCharts = () => {
  const charts = new Map();
  const draws = [];
  document.querySelectorAll("[data-popular]").forEach((section) => {
    const items = data[section.dataset.popular];
    const select = section.querySelector("[data-popular-select]");
    const plot = section.querySelector("[data-popular-plot]");
    if (!items || !items.length || !select || !plot) {
      return;
    }
    const draw = () => {
      charts.get(plot)?.destroy();
      const item = items[Number(select.value)];
      const colors = palette();
      charts.set(plot, timeChart(plot, legendFor(plot), {
        x: item.x,
        height: 180,
        series: [
          { label: "Views, 14 days", values: item.count, stroke: colors.count },
          { label: "Unique visitors, 14 days", values: item.uniques, stroke: colors.unique },
        ],
      }));
    };
    select.addEventListener("change", draw);
    draw();
    draws.push(draw);
  });
  charts.redraw = () => draws.forEach((draw) => draw());
  return charts;
};

const otherCharts = (charts = new Map()) => {
  charts.forEach((chart) => chart.destroy());
  charts.clear();
  charts.redraw = () => otherCharts(charts);
  const colors = palette();
  const stars = document.querySelector("[data-stars-plot]");
  if (stars && data.stars.x.length) {
    charts.set(stars, timeChart(stars, legendFor(stars), {
      x: data.stars.x,
      height: 180,
      series: [
        { label: "Stars", values: data.stars.stars, stroke: colors.count },
        { label: "Forks (right axis)", values: data.stars.forks, stroke: colors.unique, scale: "forks" },
      ],
      scales: { forks: { range: (u, min, max) => [0, Math.max(2, Math.ceil(max * 1.05))] } },
      markers: data.releases,
    }));
  }
  const downloads = document.querySelector("[data-downloads-plot]");
  if (downloads && data.downloads.x.length) {
    charts.set(downloads, timeChart(downloads, legendFor(downloads), {
      x: data.downloads.x,
      height: 180,
      series: [
        { label: "Downloads", values: data.downloads.downloads, stroke: colors.count },
        {
          label: "Running total (right axis)", values: data.downloads.total,
          stroke: colors.unique, scale: "total",
        },
      ],
      scales: { total: { range: (u, min, max) => [0, Math.max(2, Math.ceil(max * 1.05))] } },
      markers: data.releases,
    }));
  }
  return charts;
};

/* Tables sort by the buttons in their header cells; aria-sort follows. Dates (ISO) and
 * names sort as text, figures as numbers ("–", unknown, last). */
const tablesSortable = () => {
  document.querySelectorAll("table.sortable").forEach((table) => {
    const body = table.tBodies[0];
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((header, column) => {
      const button = header.querySelector("button[data-sort]");
      if (!button) {
        return;
      }
      button.addEventListener("click", () => {
        const current = header.getAttribute("aria-sort");
        const direction = current === "descending" ? "ascending" : "descending";
        const numeric = button.dataset.sort === "number";
        const key = (row) => {
          const text = row.cells[column].textContent.trim();
          if (!numeric) {
            return text;
          }
          const value = Number(text.replace(/,/g, ""));
          return Number.isNaN(value) || text === "" ? null : value;
        };
        const sign = direction === "ascending" ? 1 : -1;
        const rows = Array.from(body.rows).sort((a, b) => {
          const left = key(a);
          const right = key(b);
          if (left === right) return 0;
          if (left === null) return 1;
          if (right === null) return -1;
          return (left < right ? -1 : 1) * sign;
        });
        body.append(...rows);
        headers.forEach((other) => other.removeAttribute("aria-sort"));
        header.setAttribute("aria-sort", direction);
      });
    });
  });
};

// "Collect now": the owner's page only; the API token is the page address's secret.
const collectNow = () => {
  const button = document.querySelector("button[data-collect-url]");
  if (!button) {
    return;
  }
  const answer = button.parentElement.querySelector(".collect-answer");
  const token = window.location.pathname.split("/")[2];
  button.addEventListener("click", async () => {
    button.disabled = true;
    answer.textContent = "Asking…";
    try {
      const response = await fetch(button.dataset.collectUrl, {
        method: "POST",
        headers: { "X-API-Token": token, Accept: "application/json" },
      });
      const body = await response.json().catch(() => ({}));
      answer.textContent = response.status === 202
        ? "Queued. Reload in a minute to see the new figures."
        : body.error || `The server answered ${response.status}.`;
    } catch (error) {
      answer.textContent = "The server could not be reached; try again.";
    } finally {
      button.disabled = false;
    }
  });
};

const start = async () => {
  tablesSortable();
  collectNow();
  if (!data || typeof uPlot === "undefined") {
    return;
  }
  // The traffic charts first, then each other group in a task of its own: on a slow
  // phone, six charts drawn in one go held the page for a long task.
  const groups = [];
  for (const drawGroup of [trafficCharts, popularCharts, otherCharts]) {
    if (groups.length) {
      await yieldToMain();
    }
    const charts = drawGroup();
    if (charts) {
      groups.push(charts);
    }
  }
  const plots = groups.flatMap((charts) => Array.from(charts.keys()));
  resizeFollow(plots, groups);
  // Canvases cannot read CSS variables: a theme change redraws with the new palette.
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    groups.forEach((charts) => charts.redraw());
  });
  benchMark(plots.length);
  document.documentElement.dataset.repositoryReady = "true";
};

start();
