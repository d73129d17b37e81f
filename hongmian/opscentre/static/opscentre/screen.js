// 穗智管 big screen: draws the board from #ops-data (selectors.board) and applies every board
// the push stream sends (`event: reading`, one per new indicator evaluation) in place — no
// reload. The stream (core/streams.py) ends every few seconds; EventSource reconnects with
// Last-Event-ID by itself, so no reading is missed.
(function () {
  "use strict";
  var main = document.querySelector("[data-ops-screen]");
  if (!main) { return; }
  var chart = null;
  var latest = null;
  function label(key) { return main.getAttribute("data-label-" + key) || key; }
  function figure(v) {
    if (v === null || v === undefined) { return "—"; }
    return Number.isInteger(v) ? v.toLocaleString("en-US") : (Math.round(v * 100) / 100).toString();
  }
  function fontSize() {
    var rem = parseFloat(window.getComputedStyle(document.documentElement).fontSize) || 16;
    return Math.round(rem * 0.75);
  }

  function spark(el, series) {
    var values = series.map(function (p) { return p[1]; }).filter(function (v) { return v !== null; });
    if (!values.length) { el.setAttribute("points", ""); return; }
    var max = Math.max.apply(null, values), min = Math.min.apply(null, values);
    var span = max - min || 1;
    var step = series.length > 1 ? 100 / (series.length - 1) : 0;
    el.setAttribute("points", series.map(function (p, i) {
      var v = p[1] === null ? min : p[1];
      return (i * step).toFixed(2) + "," + (19 - ((v - min) / span) * 18).toFixed(2);
    }).join(" "));
  }

  function tiles(board) {
    board.tiles.forEach(function (t) {
      var tile = main.querySelector('[data-tile="' + t.code + '"]');
      if (!tile) { return; }
      tile.className = "ops-tile ops-tile--" + t.level;
      tile.setAttribute("data-reading", String(t.reading));
      tile.querySelector("[data-value]").textContent = figure(t.value);
      var light = tile.querySelector("[data-light]");
      light.className = "ops-light ops-light--" + t.level;
      light.textContent = t.level_label;
      tile.querySelector("[data-anomaly]").hidden = !t.anomaly;
      spark(tile.querySelector("[data-spark]"), t.series);
    });
  }

  function districts(board) {
    var values = board.districts.map(function (d) { return d.value || 0; });
    var max = Math.max.apply(null, values.concat([1]));
    board.districts.forEach(function (d) {
      var tile = main.querySelector('[data-district="' + d.code + '"]');
      if (!tile) { return; }
      tile.querySelector("[data-district-value]").textContent = figure(d.value || 0);
      tile.setAttribute("data-heat", d.value ? String(Math.min(4, Math.ceil((d.value / max) * 4))) : "0");
    });
  }

  function alerts(board) {
    var list = main.querySelector("[data-alerts]");
    main.querySelector("[data-alerts-total]").textContent = String(board.alerts_total);
    list.textContent = "";
    if (!board.alerts.length) {
      var none = document.createElement("li");
      none.className = "ops__empty";
      none.textContent = label("none");
      list.appendChild(none);
      return;
    }
    board.alerts.forEach(function (a) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = a.url || "#";
      var name = document.createElement("strong");
      name.textContent = a.indicator;
      link.appendChild(name);
      link.appendChild(document.createTextNode(" · " + a.kind + " · " + a.period));
      li.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "ops__alert-meta";
      meta.textContent = a.unit + " · " + a.order + (a.due ? " · " + label("due") + " " + a.due.slice(0, 16).replace("T", " ") : "");
      li.appendChild(meta);
      list.appendChild(li);
    });
  }

  // The trend: the mapped indicator's 29 days (else the first tile's), with its alarm line.
  function trend(board) {
    if (!chart) { return; }
    var code = board.map ? board.map.code : (board.tiles[0] && board.tiles[0].code);
    var tile = board.tiles.filter(function (t) { return t.code === code; })[0];
    if (!tile) { chart.clear(); return; }
    main.querySelector("[data-trend-name]").textContent = tile.name;
    var size = fontSize();
    var series = { type: "line", name: tile.name, showSymbol: false, smooth: false,
      data: tile.series.map(function (p) { return p[1]; }), lineStyle: { width: 2 } };
    if (tile.alarm !== null) {
      series.markLine = { silent: true, symbol: "none", lineStyle: { color: "#d93025", type: "dashed" },
        label: { formatter: label("alarm"), color: "#ff8a80", fontSize: size },
        data: [{ yAxis: tile.alarm }] };
    }
    chart.setOption({
      animation: false, backgroundColor: "transparent", color: ["#6fa8ff"],
      textStyle: { fontSize: size },
      grid: { left: size / 2, right: size * 4, top: size * 1.5, bottom: size / 2, containLabel: true },
      tooltip: { trigger: "axis", textStyle: { fontSize: size } },
      xAxis: { type: "category", data: tile.series.map(function (p) { return p[0].slice(5); }),
        axisLabel: { fontSize: size } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: size } },
      series: [series]
    }, { notMerge: true });
  }

  function apply(board) {
    latest = board;
    tiles(board);
    districts(board);
    alerts(board);
    trend(board);
  }

  function connect() {
    var status = main.querySelector("[data-connection]");
    var url = main.getAttribute("data-stream");
    if (!url || !window.EventSource) { return; }
    var source = new EventSource(url);
    source.addEventListener("open", function () { status.textContent = label("live"); });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) { status.textContent = label("offline"); }
    });
    source.addEventListener("reading", function (evt) {
      try { apply(JSON.parse(evt.data).board); } catch (e) { /* keep the last board */ }
    });
  }

  function start() {
    var holder = main.querySelector("[data-trend-chart]");
    if (holder && window.echarts) {
      chart = window.echarts.init(holder, "dark");
      var drawnAt = fontSize();
      var resize = function () {
        chart.resize();
        if (latest && fontSize() !== drawnAt) { drawnAt = fontSize(); trend(latest); }
      };
      if (window.ResizeObserver) { new ResizeObserver(resize).observe(holder); }
      else { window.addEventListener("resize", resize); }
    }
    apply(JSON.parse(document.getElementById("ops-data").textContent));
    connect();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
