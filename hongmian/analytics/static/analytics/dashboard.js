// The operations dashboard: draws its charts from #dashboard-data (selectors.dashboard_figures)
// and applies every JSON that HTMX's poll (#dashboard-poll, every 30 s) brings back, updating
// the ECharts instances in place — no page reload. Every figure leads to its orders: the
// links come with the data (figures.urls, units[].urls, districts[].url …), and a click on a
// bar opens the list behind it.
(function () {
  "use strict";
  var charts = {};
  var palette = ["#b3261e", "#1d5fa8", "#d98c1f", "#2f8f5b", "#6b4fa3", "#7a7a7a", "#c2577a",
    "#3a9bb3", "#8c6d31", "#4d4d4d"];

  function root() { return document.querySelector("[data-dashboard]"); }
  // Labels come translated from the page (data-label-* on [data-dashboard]); Chinese if absent.
  var DEFAULTS = { overdue: "超时", dueSoon: "预警", normal: "正常", intake: "受理量",
    today: "今日受理", noUnits: "没有在办工单。", hour: "{h}时", bursting: "激增",
    noHotspots: "最近一次扫描没有发现热点。", hotspotCounts: "{reports} 件 / {callers} 人",
    open: "在办", tile: "{name}：在办 {open} 件，超时 {overdue} 件", parts: "{numerator}/{denominator}" };
  function label(key) {
    var r = root();
    return (r && r.dataset["label" + key.charAt(0).toUpperCase() + key.slice(1)]) || DEFAULTS[key];
  }
  function lights() { return { red: label("overdue"), yellow: label("dueSoon"), green: label("normal") }; }
  function dark() { var r = root(); return r && r.getAttribute("data-dark") === "1"; }
  function pct(r) { return r && r.rate !== null ? (r.rate * 100).toFixed(1) + "%" : "—"; }
  function count(v) { return Number(v).toLocaleString("en-US"); }
  function fill(template, values) {
    return Object.keys(values).reduce(function (t, k) { return t.replace("{" + k + "}", values[k]); }, template);
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function pick(data, path) {
    return path.split(".").reduce(function (v, k) { return v == null ? v : v[k]; }, data);
  }

  // Chart text follows the page's scale: the wall's rem is 1/60 of the screen's height, so a
  // 4K wall gets twice the 1080p font, as the rest of the page does.
  function fontSize() {
    var rem = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
    return Math.round(rem * (dark() ? 0.75 : 0.8));
  }
  function axis(o) {
    o.axisLabel = { fontSize: fontSize() };
    return o;
  }
  function base() {
    var size = fontSize();
    return {
      color: palette, animation: false, backgroundColor: "transparent",
      textStyle: { fontSize: size },
      tooltip: { trigger: "axis", textStyle: { fontSize: size } },
      grid: { left: size / 2, right: size * 2, top: size * 2.5, bottom: size / 2, containLabel: true }
    };
  }
  function intake(data) {
    var o = base();
    var hours = [];
    for (var h = 0; h < 24; h++) { hours.push(label("hour").replace("{h}", h)); }
    o.legend = { type: "scroll", top: 0, textStyle: { fontSize: fontSize() } };
    o.xAxis = axis({ type: "category", data: hours });
    o.yAxis = axis({ type: "value", minInterval: 1 });
    o.series = data.today.channels.map(function (c) {
      return { type: "bar", stack: "intake", name: c.name, data: c.hours };
    });
    if (!o.series.length) { o.series = [{ type: "bar", name: label("intake"), data: data.today.hours }]; }
    return o;
  }
  function units(data) {
    var rows = data.units.slice().reverse();
    var o = base();
    o.legend = { top: 0, textStyle: { fontSize: fontSize() } };
    o.xAxis = axis({ type: "value", minInterval: 1 });
    o.yAxis = axis({ type: "category", data: rows.map(function (u) { return u.name; }) });
    o.series = [
      { type: "bar", stack: "u", name: label("overdue"), color: "#d93025", data: rows.map(function (u) { return u.overdue; }) },
      { type: "bar", stack: "u", name: label("dueSoon"), color: "#f2a600", data: rows.map(function (u) { return u.due_soon; }) },
      { type: "bar", stack: "u", name: label("normal"), color: "#2f8f5b",
        data: rows.map(function (u) { return u.open - u.overdue - u.due_soon; }) }
    ];
    return o;
  }
  function categories(data) {
    var rows = data.top_categories.slice().reverse();
    var o = base();
    o.xAxis = axis({ type: "value", minInterval: 1 });
    o.yAxis = axis({ type: "category", data: rows.map(function (c) { return c.name; }) });
    o.series = [{ type: "bar", name: label("today"), data: rows.map(function (c) { return c.count; }),
      label: { show: true, position: "right", fontSize: fontSize() } }];
    return o;
  }
  var builders = { intake: intake, units: units, categories: categories };
  // Where a click on a chart's bar leads: the orders behind that bar.
  var targets = {
    intake: function (data) { return data.urls.today; },
    units: function (data, p) {
      var u = data.units.slice().reverse()[p.dataIndex];
      if (!u) { return null; }
      return [u.urls.overdue, u.urls.due_soon, u.urls.open][p.seriesIndex] || u.urls.open;
    },
    categories: function (data, p) {
      var c = data.top_categories.slice().reverse()[p.dataIndex];
      return c ? c.url : null;
    }
  };
  var latest = null;

  function unitRows(data) {
    var body = document.querySelector("[data-units]");
    if (!body) { return; }
    body.textContent = "";
    if (!data.units.length) {
      var empty = body.insertRow();
      var cell = empty.insertCell();
      cell.colSpan = 5;
      cell.textContent = label("noUnits");
      return;
    }
    data.units.forEach(function (u) {
      var tr = body.insertRow();
      tr.insertCell().textContent = u.name;
      [["open", u.open], ["overdue", u.overdue], ["due_soon", u.due_soon]].forEach(function (pair) {
        var td = tr.insertCell(); td.className = "num";
        td.appendChild(link(u.urls[pair[0]], pair[1]));
      });
      var light = document.createElement("span");
      light.className = "an-light an-light--" + u.light;
      light.textContent = lights()[u.light] || u.light;
      tr.insertCell().appendChild(light);
    });
  }

  function hotspotRows(data) {
    var list = document.querySelector("[data-hotspots]");
    if (!list || !data.hotspots) { return; }
    list.textContent = "";
    if (!data.hotspots.length) {
      var none = document.createElement("li");
      none.className = "dash__empty";
      none.textContent = label("noHotspots");
      list.appendChild(none);
      return;
    }
    data.hotspots.forEach(function (h) {
      var li = document.createElement("li");
      var title = document.createElement("strong");
      title.textContent = h.title;
      li.appendChild(title);
      if (h.place) { li.appendChild(document.createTextNode(" · " + h.place)); }
      var counts = document.createElement("span");
      counts.className = "num";
      counts.textContent = label("hotspotCounts").replace("{reports}", h.reports).replace("{callers}", h.callers);
      li.appendChild(document.createTextNode(" · "));
      li.appendChild(counts);
      if (h.bursting) {
        var burst = document.createElement("span");
        burst.className = "an-light an-light--red";
        burst.textContent = label("bursting");
        li.appendChild(document.createTextNode(" "));
        li.appendChild(burst);
      }
      list.appendChild(li);
    });
  }

  function drawCharts(data) {
    Object.keys(charts).forEach(function (key) {
      charts[key].setOption(builders[key](data), { notMerge: true });
    });
  }

  // The district tiles: their figures, links and a colour from pale to deep red by open orders.
  function districtTiles(data) {
    if (!data.districts) { return; }
    var max = Math.max.apply(null, data.districts.map(function (d) { return d.open; }).concat([1]));
    data.districts.forEach(function (d) {
      var tile = document.querySelector('[data-district="' + d.code + '"]');
      if (!tile) { return; }
      tile.href = d.url;
      tile.querySelector(".dash__tile-num").textContent = count(d.open);
      tile.querySelector("[data-late]").textContent = count(d.overdue);
      tile.setAttribute("aria-label", fill(label("tile"), { name: d.name, open: d.open, overdue: d.overdue }));
      tile.setAttribute("data-heat", d.open ? String(Math.min(4, Math.ceil((d.open / max) * 4))) : "0");
    });
    var note = document.querySelector("[data-unplaced]");
    if (note) { note.hidden = !data.districts_unplaced; }
  }

  // A rate, its numerator and denominator (满意率 70.0% · 7/10), and where they lead: the
  // parts to their own lists when the order list can say so exactly, else the rate to the
  // orders it is counted over.
  function rates(data) {
    document.querySelectorAll("[data-rate]").forEach(function (el) {
      var key = el.getAttribute("data-rate");
      var r = data.rates[key];
      var target = data.urls && data.urls.rates ? data.urls.rates[key] : null;
      el.textContent = pct(r);
      el.href = (target && typeof target === "object" ? target.denominator : target) || data.urls.month;
      var parts = document.querySelector('[data-rate-parts="' + key + '"]');
      if (!parts || !r) { return; }
      parts.textContent = "";
      var num = count(r.numerator), den = count(r.denominator);
      if (target && typeof target === "object") {
        var pieces = label("parts").split(/(\{numerator\}|\{denominator\})/);
        pieces.forEach(function (piece) {
          if (piece === "{numerator}") { parts.appendChild(link(target.numerator, num)); }
          else if (piece === "{denominator}") { parts.appendChild(link(target.denominator, den)); }
          else if (piece) { parts.appendChild(document.createTextNode(piece)); }
        });
      } else {
        parts.textContent = fill(label("parts"), { numerator: num, denominator: den });
      }
    });
  }

  function apply(data) {
    latest = data;
    document.querySelectorAll("[data-field]").forEach(function (el) {
      var v = pick(data, el.getAttribute("data-field"));
      if (v !== undefined && v !== null) { el.textContent = v; }
    });
    document.querySelectorAll("[data-href]").forEach(function (el) {
      var v = pick(data, el.getAttribute("data-href"));
      if (v) { el.href = v; }
    });
    rates(data);
    districtTiles(data);
    drawCharts(data);
    unitRows(data);
    hotspotRows(data);
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) { return; }
    document.querySelectorAll("[data-dash-chart]").forEach(function (el) {
      var key = el.getAttribute("data-dash-chart");
      var chart = window.echarts.init(el, dark() ? "dark" : null);
      chart.on("click", function (p) {
        var href = latest && targets[key] ? targets[key](latest, p) : null;
        if (href) { window.location.assign(href); }
      });
      charts[key] = chart;
    });
    apply(JSON.parse(source.textContent));
    // A chart follows its box (the wall sizes boxes from the viewport; panels reflow).
    var drawnAt = fontSize();
    var resize = function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
      // A new screen size on the wall means a new font size: redraw with it.
      if (latest && fontSize() !== drawnAt) { drawnAt = fontSize(); drawCharts(latest); }
    };
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(resize);
      document.querySelectorAll("[data-dash-chart]").forEach(function (el) { observer.observe(el); });
    } else {
      window.addEventListener("resize", resize);
    }
    document.body.addEventListener("htmx:afterRequest", function (evt) {
      if (!evt.detail || !evt.detail.elt || evt.detail.elt.id !== "dashboard-poll") { return; }
      if (!evt.detail.successful) { return; }
      try { apply(JSON.parse(evt.detail.xhr.responseText)); } catch (e) { /* keep the last figures */ }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
