// Draws every [data-chart] element of a report from the options in #report-chart-options
// (built by hongmian.analytics.report.charts.echarts_option). Needs window.echarts.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("report-chart-options");
    if (!source || !window.echarts) { return; }
    var options = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = options[el.getAttribute("data-chart")];
      if (!option) { return; }
      var chart = window.echarts.init(el);
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
