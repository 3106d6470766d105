// Insight charts: the heat map of points lost (click a cell → the villages behind it) and the
// trend lines. Data comes from a json_script block (CSP: no inline scripts).
(function () {
  "use strict";
  var node = document.getElementById("insight-data");
  if (!node || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);

  function heat(el, d) {
    if (!d.rows.length) { el.hidden = true; return; }
    el.style.height = Math.max(220, 40 + d.rows.length * 28) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { formatter: function (p) { return d.rows[p.value[1]] + " · " + d.columns[p.value[0]] + " " + d.names[p.value[0]] + ": " + p.value[2]; } },
      grid: { left: 8, right: 8, top: 8, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: d.columns, splitArea: { show: true } },
      yAxis: { type: "category", data: d.rows, inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max: d.max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: ["#f8f9fa", "#ffc107", "#dc3545"] } },
      series: [{ type: "heatmap", data: d.cells.map(function (c) { return { value: [c[0], c[1], c[2]], url: c[3] }; }),
                 label: { show: d.rows.length <= 20, fontSize: 10 } }]
    });
    chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function trends(el, d) {
    if (!d.years.length) { el.hidden = true; return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.years.map(String) },
      yAxis: [{ type: "value", min: 0, max: 100 }, { type: "value", min: 0, max: 20 }],
      series: d.series.map(function (s, i) {
        return { name: s.label, type: "line", data: s.values, yAxisIndex: i === 0 ? 0 : 1,
                 lineStyle: { width: i === 0 ? 4 : 2 } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-insight]").forEach(function (el) {
    var kind = el.dataset.insight;
    if (kind === "heat") { heat(el, data.heat); } else if (kind === "trends") { trends(el, data.trends); }
  });
})();
