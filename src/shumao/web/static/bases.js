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
      series: [{ id: "pins", type: "scatter", coordinateSystem: "geo", geoIndex: 0,
                 symbolSize: 2 * PIN, itemStyle: { color: "#b2182b", borderColor: "#fff", borderWidth: 1 },
                 label: { show: false, fontSize: FONT, color: "#333", distance: GAP,
                          formatter: function (p) { return p.data.name; },
                          width: nameWidth(el), overflow: "truncate" },
                 labelLayout: { hideOverlap: true },  // a safety net: places() keeps names apart
                 data: pins.map(function (p) { return { name: p.name, status: p.status, href: p.href,
                                                        value: [p.lon, p.lat] }; }) }]
    };
  }

  var PIN = 6, GAP = 5, FONT = 11, LINE = 14, SIDES = ["right", "left", "top", "bottom"];

  // one line, at most 40 % of the map's width: "…" on a phone
  function nameWidth(el) { return Math.max(110, Math.round(el.clientWidth * 0.4)); }

  // Where each pin's name goes, in the pins' order: to its right, else its left, above or
  // below it — the first place inside the chart, off the 南海诸岛 inset, clear of every pin
  // and of the names placed before. Where no place is free the name is left out (the pin's
  // tooltip gives it): a name drawn over a pin hid it (天津's over 大连 on a desktop).
  function places(chart, el, pins) {
    var box = window.shumao.insetBox(el), ctx = document.createElement("canvas").getContext("2d");
    ctx.font = FONT + "px sans-serif";
    var at = pins.map(function (p) { return chart.convertToPixel({ geoIndex: 0 }, [p.lon, p.lat]); });
    var taken = [{ x: box.left, y: box.top, w: box.width, h: box.height }];
    return pins.map(function (p, i) {
      var w = Math.min(ctx.measureText(p.name).width + 2, nameWidth(el)), x = at[i][0], y = at[i][1];
      var d = PIN + GAP, spots = { right: [x + d, y - LINE / 2], left: [x - d - w, y - LINE / 2],
                                   top: [x - w / 2, y - d - LINE], bottom: [x - w / 2, y + d] };
      var side = SIDES.find(function (s) {
        var r = { x: spots[s][0], y: spots[s][1], w: w, h: LINE };
        return r.x >= 0 && r.y >= 0 && r.x + r.w <= el.clientWidth && r.y + r.h <= el.clientHeight &&
          !taken.some(function (t) { return overlap(r, t); }) &&
          !at.some(function (q, j) { return j !== i && near(r, q); });
      });
      if (side) { taken.push({ x: spots[side][0], y: spots[side][1], w: w, h: LINE }); }
      return side || null;
    });
  }

  function overlap(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  // whether a pin centred at q comes within its radius (and a pixel) of the box r
  function near(r, q) {
    var dx = Math.max(r.x - q[0], 0, q[0] - r.x - r.w), dy = Math.max(r.y - q[1], 0, q[1] - r.y - r.h);
    return dx * dx + dy * dy < (PIN + 1) * (PIN + 1);
  }

  function placeNames(chart, el, pins) {
    var sides = places(chart, el, pins);
    chart.setOption({ series: [{ id: "pins", data: pins.map(function (p, i) {
      return { name: p.name, status: p.status, href: p.href, value: [p.lon, p.lat],
               label: sides[i] ? { show: true, position: sides[i] } : { show: false } };
    }) }] });
    el.dataset.namesDrawn = String(sides.filter(Boolean).length);
  }

  function draw(el) {
    var pins = JSON.parse(el.dataset.pins || "[]");
    window.shumao.loadMap("china").then(function () {
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(el, pins));
      placeNames(chart, el, pins);
      chart.on("click", function (p) { if (p.data && p.data.href) { window.location.href = p.data.href; } });
      window.addEventListener("resize", function () {
        chart.resize(); chart.setOption(option(el, pins)); placeNames(chart, el, pins);
      });
      el.dataset.pinsDrawn = String(pins.length);
      el.dataset.ready = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pins]").forEach(draw);
  });
}());
