/* 出口基地 map: the bases as pins on the China province map, with the 南海诸岛 inset. */
(function () {
  "use strict";
  /* The frame and title of the 南海诸岛 inset (bottom right, 14 % × 26 % of the chart). */
  function insetFrame(el, chart) {
    var w = chart.getWidth(), h = chart.getHeight();
    var box = { x: w * 0.85, y: h * 0.71, width: w * 0.14, height: h * 0.26 };
    return [{ type: "rect", shape: box, style: { fill: "none", stroke: "#9aa4b1", lineWidth: 1 }, silent: true },
            { type: "text", x: box.x + 6, y: box.y + box.height - 18,
              style: { text: el.dataset.inset, fill: "#555", font: "12px sans-serif" } }];
  }

  function draw(el) {
    var pins = JSON.parse(el.dataset.pins || "[]");
    fetch("/static/geo/china_provinces.geojson")
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        echarts.registerMap("cn_provinces", geo);
        var chart = echarts.init(el, null, { renderer: "canvas" });
        var base = { map: "cn_provinces", roam: false, silent: true,
                     itemStyle: { areaColor: "#eceff3", borderColor: "#fff" },
                     emphasis: { disabled: true } };
        chart.setOption({
          tooltip: { trigger: "item", formatter: function (p) { return p.data.name + "<br>" + p.data.status; } },
          geo: [
            Object.assign({}, base, { id: "main", boundingCoords: [[73, 54], [136, 17]],
                                      left: "3%", top: "3%", width: "80%", height: "92%" }),
            Object.assign({}, base, { id: "inset", boundingCoords: [[107, 20.5], [122, 3]],
                            right: "1%", bottom: "3%", width: "14%", height: "26%",
                            itemStyle: { areaColor: "#c9d1db", borderColor: "#6b7785", borderWidth: 1 } })
          ],
          graphic: insetFrame(el, chart),
          series: [{ type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbolSize: 12,
                     itemStyle: { color: "#b2182b", borderColor: "#fff", borderWidth: 1 },
                     label: { show: true, position: "right", formatter: function (p) { return p.data.name; },
                              fontSize: 11, color: "#333" },
                     labelLayout: { hideOverlap: true },
                     data: pins.map(function (p) { return { name: p.name, code: p.code, status: p.status,
                                                            href: p.href, value: [p.lon, p.lat] }; }) }]
        });
        chart.on("click", function (p) { if (p.data && p.data.href) { window.location.href = p.data.href; } });
        el.dataset.pinsDrawn = String(pins.length);
        el.dataset.ready = "1";
        window.addEventListener("resize", function () { chart.resize(); });
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pins]").forEach(draw);
  });
}());
