// The operations dashboard: draws its charts from #dashboard-data (selectors.dashboard_figures)
// and applies every JSON that HTMX's poll (#dashboard-poll, every 30 s) brings back, updating
// the ECharts instances in place — no page reload.
(function () {
  "use strict";
  var charts = {};
  var palette = ["#b3261e", "#1d5fa8", "#d98c1f", "#2f8f5b", "#6b4fa3", "#7a7a7a", "#c2577a",
    "#3a9bb3", "#8c6d31", "#4d4d4d"];

  function root() { return document.querySelector("[data-dashboard]"); }
  // Labels come translated from the page (data-label-* on [data-dashboard]); Chinese if absent.
  var DEFAULTS = { overdue: "超时", dueSoon: "预警", normal: "正常", intake: "受理量",
    today: "今日受理", noUnits: "没有在办工单。", hour: "{h}时", bursting: "激增",
    noHotspots: "最近一次扫描没有发现热点。", hotspotCounts: "{reports} 件 / {callers} 人" };
  function label(key) {
    var r = root();
    return (r && r.dataset["label" + key.charAt(0).toUpperCase() + key.slice(1)]) || DEFAULTS[key];
  }
  function lights() { return { red: label("overdue"), yellow: label("dueSoon"), green: label("normal") }; }
  function dark() { var r = root(); return r && r.getAttribute("data-dark") === "1"; }
  function pct(r) { return r && r.rate !== null ? (r.rate * 100).toFixed(1) + "%" : "—"; }
  function pick(data, path) {
    return path.split(".").reduce(function (v, k) { return v == null ? v : v[k]; }, data);
  }

  function base() {
    return {
      color: palette, animation: false, backgroundColor: "transparent",
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true }
    };
  }
  function intake(data) {
    var o = base();
    var hours = [];
    for (var h = 0; h < 24; h++) { hours.push(label("hour").replace("{h}", h)); }
    o.legend = { type: "scroll", top: 0 };
    o.xAxis = { type: "category", data: hours };
    o.yAxis = { type: "value", minInterval: 1 };
    o.series = data.today.channels.map(function (c) {
      return { type: "bar", stack: "intake", name: c.name, data: c.hours };
    });
    if (!o.series.length) { o.series = [{ type: "bar", name: label("intake"), data: data.today.hours }]; }
    return o;
  }
  function units(data) {
    var rows = data.units.slice().reverse();
    var o = base();
    o.legend = { top: 0 };
    o.xAxis = { type: "value", minInterval: 1 };
    o.yAxis = { type: "category", data: rows.map(function (u) { return u.name; }) };
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
    o.xAxis = { type: "value", minInterval: 1 };
    o.yAxis = { type: "category", data: rows.map(function (c) { return c.name; }) };
    o.series = [{ type: "bar", name: label("today"), data: rows.map(function (c) { return c.count; }),
      label: { show: true, position: "right" } }];
    return o;
  }
  var builders = { intake: intake, units: units, categories: categories };

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
      [u.open, u.overdue, u.due_soon].forEach(function (v) {
        var td = tr.insertCell(); td.className = "num"; td.textContent = v;
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

  function apply(data) {
    document.querySelectorAll("[data-field]").forEach(function (el) {
      var v = pick(data, el.getAttribute("data-field"));
      if (v !== undefined && v !== null) { el.textContent = v; }
    });
    document.querySelectorAll("[data-rate]").forEach(function (el) {
      el.textContent = pct(data.rates[el.getAttribute("data-rate")]);
    });
    Object.keys(charts).forEach(function (key) {
      charts[key].setOption(builders[key](data), { notMerge: true });
    });
    unitRows(data);
    hotspotRows(data);
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) { return; }
    document.querySelectorAll("[data-dash-chart]").forEach(function (el) {
      charts[el.getAttribute("data-dash-chart")] = window.echarts.init(el, dark() ? "dark" : null);
    });
    apply(JSON.parse(source.textContent));
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
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
