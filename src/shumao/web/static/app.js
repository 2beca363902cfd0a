/* shumao web: draws the charts described by each page (data-chart JSON) with ECharts.
   No inline scripts (the Content-Security-Policy forbids them); nothing is fetched from
   outside this site: the China map comes from /static/geo/china_provinces.geojson. */
(function () {
  "use strict";

  function fmt(v) {
    return v === null || v === undefined ? "—"
      : Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  var mapPromise = null;
  function loadMap() {
    if (!mapPromise) {
      mapPromise = fetch("/static/geo/china_provinces.geojson")
        .then(function (r) { return r.json(); })
        .then(function (geo) { echarts.registerMap("cn_provinces", geo); return geo; });
    }
    return mapPromise;
  }

  function axisLabel(c, type) {
    // Bar labels that would not fit side by side (about 40 characters across a card) wrap
    // onto up to three lines instead of overlapping; longer ones end in "…". Time axes (line
    // charts) keep one line and let ECharts skip labels when they are many.
    var longest = Math.max.apply(null, c.categories.map(function (s) { return String(s).length; }));
    if (type !== "bar" || c.categories.length * Math.min(longest, 12) <= 40) {
      return { interval: type === "bar" ? 0 : "auto",
               formatter: function (s) { return s.length > 12 ? s.slice(0, 12) + "…" : s; } };
    }
    var width = Math.max(3, Math.floor(40 / c.categories.length));
    return { interval: 0, lineHeight: 14, formatter: function (s) {
      var rows = Math.min(3, Math.ceil(s.length / width));
      var per = Math.min(width, Math.ceil(s.length / rows));  // balanced: 其他商/业服务, not 其他商业服/务
      var lines = [];
      for (var i = 0; i < s.length && lines.length < rows; i += per) { lines.push(s.slice(i, i + per)); }
      if (lines.join("").length < s.length) {
        lines[lines.length - 1] = lines[lines.length - 1].slice(0, per - 1) + "…";
      }
      return lines.join("\n");
    } };
  }

  function axisOption(c, type) {
    return {
      tooltip: { trigger: "axis", valueFormatter: fmt },
      legend: { top: 0, type: c.series.length > 4 ? "scroll" : "plain" },
      grid: { left: 16, right: 24, top: 56, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: c.categories,
               axisLabel: axisLabel(c, type) },
      yAxis: { type: "value", name: c.unit },
      series: c.series.map(function (s) {
        return { name: s.name, type: type, data: s.data, smooth: false, connectNulls: false,
                 emphasis: { focus: "series" } };
      })
    };
  }

  function mapOption(c) {
    var s = c.series[0];
    var values = s.data.filter(function (v) { return v !== null; });
    var names = {};
    c.codes.forEach(function (code, i) { names[code] = c.categories[i]; });
    return {
      tooltip: { trigger: "item", formatter: function (p) {
        return names[p.name] + "<br>" + fmt(p.value) + " " + c.unit; } },
      visualMap: c.pieces && c.pieces.length ?
        { type: "piecewise", pieces: c.pieces, left: 10, bottom: 10 } :
        { min: 0, max: values.length ? Math.max.apply(null, values) : 1, left: 10,
          bottom: 10, calculable: true, text: [c.unit, ""],
          inRange: { color: ["#fde8e4", "#f4a582", "#d6604d", "#b2182b"] } },
      series: [{ type: "map", map: "cn_provinces", nameProperty: "id", roam: true,
                 layoutCenter: ["50%", "58%"], layoutSize: "118%",
                 selectedMode: false, name: s.name,
                 itemStyle: { borderColor: "#fff", areaColor: "#eceff3" },
                 // No label on hover: it would appear under the pointer, and zrender drops a click
                 // whose mousedown and mouseup land on different elements (the region, then the
                 // label). The tooltip names the province.
                 emphasis: { label: { show: false } },
                 data: c.codes.map(function (code, i) {
                   var item = { name: code, value: s.data[i] };
                   if (s.code && code === s.code) { item.itemStyle = { borderColor: "#1f5fa8", borderWidth: 2 }; }
                   return item;
                 }) }]
    };
  }

  function draw(el) {
    if (el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var c = JSON.parse(el.dataset.chart);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    if (c.kind === "map") {
      loadMap().then(function () {
        chart.setOption(mapOption(c));
        var series = chart.getModel().getSeriesByIndex(0);
        el.dataset.regions = String(series.coordinateSystem.regions.length);
        chart.on("click", function (p) {
          var i = c.codes.indexOf(p.name);
          if (i >= 0 && c.links[i]) { window.location.href = c.links[i]; }
        });
        el.dataset.ready = "1";
      });
    } else {
      chart.setOption(axisOption(c, c.kind === "pie" ? "bar" : c.kind));
      if (c.links && c.links.length) {
        chart.on("click", function (p) { if (c.links[p.dataIndex]) { window.location.href = c.links[p.dataIndex]; } });
      }
      el.dataset.ready = "1";
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) {
    drawAll(e.target);
    // the alert badge in the menu: no number when nothing is firing
    if (e.target.classList && e.target.classList.contains("badge") &&
        e.target.textContent.trim() === "0") { e.target.textContent = ""; }
  });
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "dataflow" && e.target.form && e.target.form.id === "explore-form") {
      window.location.href = "/explorer?dataflow=" + encodeURIComponent(e.target.value);
    }
  });
}());
