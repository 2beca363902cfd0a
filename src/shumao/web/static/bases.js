/* 出口基地 map: the bases as pins on the China map of app.js, with its 南海诸岛 inset. */
(function () {
  "use strict";
  function option(el, pins) {
    var sh = window.shumao, box = sh.insetBox(el);
    var look = { roam: false, silent: true, nameProperty: "id",
                 itemStyle: { areaColor: "#eceff3", borderColor: "#fff" }, emphasis: { disabled: true } };
    return {
      tooltip: { trigger: "item", formatter: function (p) { return p.data.name + "<br>" + p.data.status; } },
      geo: [
        Object.assign({}, look, { id: "main", map: "shumao_china", left: 10, right: "18%", top: 10,
                                  bottom: 10 }),
        Object.assign({}, look, { id: "inset", map: "shumao_china_inset", boundingCoords: sh.INSET_VIEW,
                                  left: box.left + 4, top: box.top + 4, width: box.width - 8,
                                  height: box.height - 20,
                                  itemStyle: { areaColor: "#eceff3", borderColor: "#9aa4b0", borderWidth: 0.5 },
                                  regions: [{ name: "dash-line", itemStyle: { areaColor: "#1d2633",
                                              borderColor: "#1d2633", borderWidth: 1.2 } }] })
      ],
      graphic: [{ type: "rect", left: box.left, top: box.top, z: -1, silent: true,
                  shape: { width: box.width, height: box.height },
                  style: { fill: "#fff", stroke: "#5b6776", lineWidth: 1 } },
                { type: "text", left: box.left + box.width / 2 - 24, top: box.top + box.height - 16,
                  style: { text: el.dataset.inset, fontSize: 11, fill: "#5b6776" } }],
      series: [{ type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbolSize: 12,
                 itemStyle: { color: "#b2182b", borderColor: "#fff", borderWidth: 1 },
                 label: { show: true, position: "right", fontSize: 11, color: "#333",
                          formatter: function (p) { return p.data.name; } },
                 labelLayout: { hideOverlap: true },
                 data: pins.map(function (p) { return { name: p.name, status: p.status, href: p.href,
                                                        value: [p.lon, p.lat] }; }) }]
    };
  }

  function draw(el) {
    var pins = JSON.parse(el.dataset.pins || "[]");
    window.shumao.loadMap("china").then(function () {
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(el, pins));
      chart.on("click", function (p) { if (p.data && p.data.href) { window.location.href = p.data.href; } });
      window.addEventListener("resize", function () { chart.resize(); chart.setOption(option(el, pins)); });
      el.dataset.pinsDrawn = String(pins.length);
      el.dataset.ready = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pins]").forEach(draw);
  });
}());
