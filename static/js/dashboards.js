// Dashboard charts and roll-up progress. Data comes from json_script blocks (CSP: no inline
// scripts); every chart has a table beside it, so pages read without JavaScript and in print.
(function () {
  "use strict";
  var COLORS = { grades: ["#198754", "#0d6efd", "#ffc107", "#dc3545"], pillars: ["#b3261e"] };

  function readData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function barOptions(kind, data) {
    var isGrades = kind === "grades";
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, width: 90, overflow: "break" } },
      yAxis: isGrades ? { type: "value", minInterval: 1 } : { type: "value", min: 0, max: data.max || 20 },
      series: [{
        type: "bar", data: data.values.map(function (v, i) {
          var palette = COLORS[kind] || COLORS.pillars;
          return { value: v, itemStyle: { color: palette[i % palette.length] } };
        }),
        label: { show: true, position: "top" }
      }]
    };
  }

  function drawCharts() {
    if (typeof window.echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var all = readData(el.dataset.source);
      var data = all && all[el.dataset.chart];
      if (!data || !data.labels || !data.labels.length) { el.hidden = true; return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(barOptions(el.dataset.chart, data));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function pollRun(box) {
    var url = box.dataset.rollupStatus;
    function update(status) {
      box.querySelector("[data-field=state_label]").textContent = status.state_label;
      box.querySelector("[data-field=message]").textContent = status.message || "";
      var bar = box.querySelector("[data-field=progress]");
      bar.style.width = status.progress + "%";
      bar.textContent = status.progress + " %";
      bar.parentNode.setAttribute("aria-valuenow", status.progress);
      if (!status.done) { window.setTimeout(tick, 1500); }
    }
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(update)
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    tick();
  }

  drawCharts();
  document.querySelectorAll("[data-rollup-status]").forEach(pollRun);
})();
