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
                                  height: box.mapHeight,
                                  itemStyle: { areaColor: "#eceff3", borderColor: "#9aa4b0", borderWidth: 0.5 },
                                  regions: [{ name: "dash-line", itemStyle: { areaColor: "#1d2633",
                                              borderColor: "#1d2633", borderWidth: 1.2 } }] })
      ],
      graphic: [{ type: "rect", left: box.left, top: box.top, z: -1, silent: true,
                  shape: { width: box.width, height: box.height },
                  style: { fill: "#fff", stroke: "#5b6776", lineWidth: 1 } },
                sh.insetName(box)],
      series: [{ type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbolSize: 12,
                 itemStyle: { color: "#b2182b", borderColor: "#fff", borderWidth: 1 },
                 label: { show: true, position: "right", fontSize: 11, color: "#333",
                          formatter: function (p) { return p.data.name; },
                          // one line, at most 40 % of the map's width: "…" on a phone
                          width: Math.max(110, Math.round(el.clientWidth * 0.4)), overflow: "truncate" },
                 labelLayout: function (p) { return inside(p, el); },
                 data: pins.map(function (p) { return { name: p.name, status: p.status, href: p.href,
                                                        value: [p.lon, p.lat] }; }) }]
    };
  }

  // A pin's name to the right of it, or to its left where it would pass the chart's right edge
  // (大连 on a phone) or cover the 南海诸岛 inset (广州, 海南); overlapping names are hidden.
  function inside(p, el) {
    var r = p.labelRect, box = window.shumao.insetBox(el), out = { hideOverlap: true };
    var onInset = r.x + r.width > box.left && r.x < box.left + box.width &&
      r.y + r.height > box.top && r.y < box.top + box.height;
    if (r.x + r.width > el.clientWidth - 2 || onInset) { out.x = p.rect.x - 2; out.align = "right"; }
    return out;
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
