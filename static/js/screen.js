// The big screen: draws its charts from the json_script block, then every few minutes fetches
// the same data as JSON and updates figures and charts in place (no reload, no flash).
(function () {
  "use strict";
  var node = document.getElementById("screen-data");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var charts = {};
  var TEXT = "#e8edf5", GRID = "#25324d", FONT = 20;
  var GRADE_COLORS = ["#2fbf71", "#3d8bfd", "#ffc107", "#ef476f"];

  function axis(extra) {
    var base = { axisLabel: { color: TEXT, fontSize: FONT }, axisLine: { lineStyle: { color: GRID } },
                 splitLine: { lineStyle: { color: GRID } } };
    for (var k in extra) { base[k] = extra[k]; }
    return base;
  }

  function options(kind, d) {
    var common = { animation: true, animationDurationUpdate: 600, backgroundColor: "transparent",
                   textStyle: { color: TEXT, fontSize: FONT }, tooltip: { trigger: kind === "grades" ? "item" : "axis" } };
    if (kind === "grades") {
      common.legend = { bottom: 0, textStyle: { color: TEXT, fontSize: FONT } };
      common.series = [{ type: "pie", radius: ["35%", "68%"], center: ["50%", "45%"],
        label: { color: TEXT, fontSize: FONT + 2, formatter: "{b}\n{c}" },
        data: d.grades.labels.map(function (l, i) { return { name: l, value: d.grades.values[i], itemStyle: { color: GRADE_COLORS[i % 4] } }; }) }];
    } else if (kind === "pillars") {
      common.grid = { left: 8, right: 16, top: 24, bottom: 8, containLabel: true };
      common.xAxis = axis({ type: "category", data: d.pillars.labels, axisLabel: { color: TEXT, fontSize: FONT - 2, interval: 0 } });
      common.yAxis = axis({ type: "value", min: 0, max: d.pillars.max || 20 });
      common.series = [{ type: "bar", data: d.pillars.values, itemStyle: { color: "#ffd166" },
                         label: { show: true, position: "top", color: TEXT, fontSize: FONT } }];
    } else if (kind === "league") {
      common.grid = { left: 8, right: 48, top: 8, bottom: 8, containLabel: true };
      common.yAxis = axis({ type: "category", data: d.league.labels, inverse: true });
      common.xAxis = axis({ type: "value", min: 0, max: 100 });
      common.series = [{ type: "bar", data: d.league.values, itemStyle: { color: "#3d8bfd" },
                         label: { show: true, position: "right", color: TEXT, fontSize: FONT - 2 } }];
    } else {
      common.legend = { top: 0, textStyle: { color: TEXT, fontSize: FONT - 4 } };
      common.grid = { left: 8, right: 16, top: 48, bottom: 8, containLabel: true };
      common.xAxis = axis({ type: "category", data: d.trends.years.map(String) });
      common.yAxis = [axis({ type: "value", min: 0, max: 100 }), axis({ type: "value", min: 0, max: 20, splitLine: { show: false } })];
      common.series = d.trends.series.map(function (s, i) {
        return { name: s.label, type: "line", data: s.values, yAxisIndex: i === 0 ? 0 : 1, symbolSize: 10,
                 lineStyle: { width: i === 0 ? 5 : 2 } };
      });
    }
    return common;
  }

  function draw(d) {
    if (typeof window.echarts === "undefined") { return; }
    document.querySelectorAll("[data-screen-chart]").forEach(function (el) {
      var kind = el.dataset.screenChart;
      if (!charts[kind]) { charts[kind] = window.echarts.init(el, null, { renderer: "canvas" }); }
      charts[kind].setOption(options(kind, d), { notMerge: false, lazyUpdate: true });
    });
  }

  function figures(d) {
    document.querySelector("[data-field=updated]").textContent = d.updated;
    document.querySelector("[data-field=computed]").textContent = d.computed || "—";
    d.headline.forEach(function (item) {
      var box = document.querySelector(".screen-figure[data-key='" + item.key + "'] .screen-value");
      if (box && box.textContent !== item.value) { box.textContent = item.value; }
    });
  }

  function refresh() {
    fetch(document.body.dataset.screenUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (d) { figures(d); draw(d); })
      .catch(function () { /* keep showing the last figures; try again next time */ })
      .then(function () { window.setTimeout(refresh, (data.refresh || 180) * 1000); });
  }

  var button = document.querySelector("[data-fullscreen]");
  if (button) {
    button.addEventListener("click", function () {
      if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
    });
  }
  window.addEventListener("resize", function () { for (var k in charts) { charts[k].resize(); } });
  draw(data);
  window.setTimeout(refresh, (data.refresh || 180) * 1000);
})();
