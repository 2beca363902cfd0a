/* shumao 指数 pages: radar (unit profile), rank intervals (sensitivity) and waterfall (why a
   score moved), drawn with ECharts from each element's data-index-chart JSON. */
(function () {
  "use strict";
  function fmt(v) { return v === null || v === undefined ? "—" : Number(v).toFixed(2); }
  function radar(c) {
    return {
      tooltip: {}, legend: { bottom: 0, data: c.labels },
      radar: { indicator: c.names.map(function (n) { return { name: n, max: 100 }; }) },
      series: [{ type: "radar", data: [{ name: c.labels[0], value: c.unit },
                                        { name: c.labels[1], value: c.median }] }]
    };
  }
  function intervals(c) {
    var base = c.p05, span = c.p95.map(function (v, i) { return v - c.p05[i]; });
    return {
      tooltip: { trigger: "axis" }, legend: { bottom: 0, data: c.labels },
      grid: { left: 140, right: 20, top: 10, bottom: 40 },
      yAxis: { type: "category", data: c.names, inverse: true },
      xAxis: { type: "value", name: "rank", minInterval: 1 },
      series: [
        { type: "bar", stack: "r", data: base, itemStyle: { color: "transparent" }, silent: true },
        { name: c.labels[2], type: "bar", stack: "r", data: span, itemStyle: { color: "#9ecae1" } },
        { name: c.labels[0], type: "scatter", data: c.nominal, symbolSize: 9, itemStyle: { color: "#d62728" } },
        { name: c.labels[1], type: "scatter", data: c.median, symbol: "diamond", symbolSize: 8, itemStyle: { color: "#08519c" } }
      ]
    };
  }
  function waterfall(c) {
    var names = [c.labels[0]].concat(c.names, [c.labels[1]]);
    var hidden = [0], up = [c.start], down = ["-"], level = c.start;
    c.values.forEach(function (v) {
      hidden.push(v >= 0 ? level : level + v);
      up.push(v >= 0 ? v : "-"); down.push(v < 0 ? -v : "-");
      level += v;
    });
    hidden.push(0); up.push(c.end); down.push("-");
    var levels = [c.start, c.end], run = c.start;
    c.values.forEach(function (v) { run += v; levels.push(run); });
    var lo = Math.min.apply(null, levels), hi = Math.max.apply(null, levels);
    var floor = Math.max(0, Math.floor(lo - Math.max(1, (hi - lo)) * 0.5));
    return {
      tooltip: { trigger: "axis", formatter: function (p) {
        var i = p[0].dataIndex;
        if (i === 0 || i === names.length - 1) { return names[i] + ": " + fmt(i === 0 ? c.start : c.end); }
        return names[i] + ": " + (c.values[i - 1] >= 0 ? "+" : "") + Number(c.values[i - 1]).toFixed(4);
      } },
      grid: { left: 50, right: 20, top: 20, bottom: 90 },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", min: floor },
      series: [
        { type: "bar", stack: "w", data: hidden, itemStyle: { color: "transparent" }, silent: true },
        { type: "bar", stack: "w", data: up, itemStyle: { color: "#2ca02c" } },
        { type: "bar", stack: "w", data: down, itemStyle: { color: "#d62728" } }
      ]
    };
  }
  var KINDS = { radar: radar, intervals: intervals, waterfall: waterfall };
  function draw(el) {
    if (el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var c = JSON.parse(el.dataset.indexChart);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.on("finished", function () { el.dataset.ready = "1"; });
    chart.setOption(KINDS[c.kind](c));
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-index-chart]").forEach(draw);
  });
}());
