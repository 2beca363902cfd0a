/* shumao web: draws the charts described by each page (data-chart JSON) with ECharts.
   No inline scripts (the Content-Security-Policy forbids them); nothing is fetched from
   outside this site: the maps come from /static/geo/. Colours come with the chart (one
   palette, web/palette.py): a flow has the same colour on every chart. */
(function () {
  "use strict";

  var SOUTH = 17.0;  // polygons wholly south of this latitude are drawn in the 南海诸岛 inset
  var INSET_VIEW = [[105.5, 24.8], [124.5, 2.8]];

  function fmt(v) {
    return v === null || v === undefined ? "—"
      : Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  // ------------------------------------------------------------------ labels

  // Break a label into lines of about `width` characters without splitting a bracketed part
  // （南京） or a Latin word: "中国（南京）软件谷" may wrap before or after the brackets, never
  // inside them. At most `rows` lines; a longer text ends in "…".
  function wrapLabel(text, width, rows) {
    var tokens = String(text).match(/[（(][^）)]*[）)]|[A-Za-z0-9.\-]+|./g) || [];
    var lines = [""];
    tokens.forEach(function (tok) {
      var line = lines[lines.length - 1];
      if (line && textWidth(line) + textWidth(tok) > width) { lines.push(tok); } else { lines[lines.length - 1] = line + tok; }
    });
    if (lines.length > rows) {
      lines = lines.slice(0, rows);
      lines[rows - 1] = lines[rows - 1].slice(0, Math.max(1, width - 1)) + "…";
    }
    return lines;
  }

  // A text's width in Chinese characters: a Latin letter, digit or space is about half one.
  function textWidth(text) {
    var w = 0;
    for (var i = 0; i < text.length; i++) { w += text.charCodeAt(i) >= 0x2e80 ? 1 : 0.55; }
    return w;
  }

  var CHAR_PX = 12.5;  // one Chinese character of ECharts' 12 px axis labels, with its gap

  // Characters that fit across the plot of the chart drawn in `el` (the value axis and the
  // margins take about 80 px).
  function across(el) { return Math.max(8, (el.clientWidth - 80) / CHAR_PX); }

  // How a bar chart's category labels fit under their bars: on one line, or wrapped onto up
  // to three lines of the width one category has. `null` when they do not fit even so (many
  // categories or long names on a narrow screen): then the bars are drawn across the chart
  // with the names beside them (`axisOption`), never on top of each other.
  function columnLabels(c, el) {
    var each = across(el) / c.categories.length - 0.5;  // a gap between neighbours
    var longest = Math.max.apply(null, c.categories.map(function (s) { return textWidth(String(s)); }));
    if (longest <= each) {
      return { interval: 0, formatter: function (s) { return String(s); } };
    }
    var width = Math.floor(each);
    var fits = width >= 2 && c.categories.every(function (s) {
      var lines = wrapLabel(s, width, 3);
      return lines.join("").length === String(s).length && lines.every(function (l) { return textWidth(l) <= each; });
    });
    if (!fits) { return null; }
    return { interval: 0, lineHeight: 14, formatter: function (s) { return evenLines(s, each, 3); } };
  }

  // `text` on at most `rows` lines no wider than `width`, of even length when they fit
  // (中国（南京） / 软件谷 rather than 中国（南京）软件 / 谷).
  function evenLines(text, width, rows) {
    var s = String(text);
    var needed = Math.min(rows, Math.ceil(textWidth(s) / Math.floor(width)));
    var even = wrapLabel(s, Math.ceil(textWidth(s) / needed), needed);
    var fits = even.join("").length === s.length &&
      even.every(function (l) { return textWidth(l) <= width; });
    return (fits ? even : wrapLabel(s, Math.floor(width), rows)).join("\n");
  }

  function axisOption(c, type, el) {
    var labels = type === "bar" ? columnLabels(c, el)
      : { interval: "auto", formatter: function (s) { return wrapLabel(s, 12, 1).join(""); } };
    var categories = { type: "category", data: c.categories, axisLabel: labels };
    var values = { type: "value", name: c.unit,  // from the axis rightwards: a long unit
                   nameTextStyle: { align: "left" } };  // (100 million US dollars) is not cut off
    if (!labels) {  // bars across: the names on the left in about 40 % of the width, on
      // as many lines (≤ 3) as the height gives each category
      var width = Math.max(4, Math.floor(across(el) * 0.4));
      var rows = Math.max(1, Math.min(3, Math.floor((el.clientHeight - 90) / c.categories.length / 14)));
      categories.inverse = true;  // the first category on top, as it reads in the table
      categories.axisLabel = { interval: 0, lineHeight: 14, formatter: function (s) {
        return evenLines(s, width, rows); } };
      values.nameLocation = "middle";  // the unit under the values, not cut off at the right
      values.nameTextStyle = {};
      values.nameGap = 24;
      values.splitNumber = 3;  // numbers such as 25,000 side by side on a narrow axis
      values.axisLabel = { hideOverlap: true };
    }
    return {
      tooltip: { trigger: "axis", valueFormatter: fmt },
      legend: { top: 0, type: c.series.length > 4 ? "scroll" : "plain",  // a long name (a base's)
                textStyle: { width: Math.max(80, el.clientWidth - 70), overflow: "truncate" } },
      grid: { left: 16, right: 24, top: 56, bottom: labels ? 8 : 30, containLabel: true },
      xAxis: labels ? categories : values,
      yAxis: labels ? values : categories,
      series: c.series.map(function (s) {
        var out = { name: s.name, type: type, data: s.data, smooth: false, connectNulls: false,
                    emphasis: { focus: "series" } };
        if (s.color) { out.itemStyle = { color: s.color }; out.lineStyle = { color: s.color }; }
        return out;
      })
    };
  }

  // ------------------------------------------------------------------ maps

  var maps = {};
  function fetchJson(url) { return fetch(url).then(function (r) { return r.json(); }); }

  function southOf(polygon) {
    return polygon[0].every(function (p) { return p[1] < SOUTH; });
  }

  // The main view leaves out what lies wholly south of SOUTH (the islands of the South China
  // Sea); the inset shows all of it with the dash line.
  function mainPart(geo) {
    return { type: "FeatureCollection", features: geo.features.map(function (f) {
      var g = f.geometry;
      var polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      var kept = polygons.filter(function (p) { return !southOf(p); });
      return { type: "Feature", properties: f.properties,
               geometry: { type: "MultiPolygon", coordinates: kept } };
    }) };
  }

  // Sutherland–Hodgman: a ring clipped to the rectangle [[west, north], [east, south]], so the
  // inset draws only what lies in its window (a map series does not clip by itself).
  function clipRing(ring, view) {
    var west = view[0][0], north = view[0][1], east = view[1][0], south = view[1][1];
    var edges = [
      function (p) { return p[0] >= west; }, function (p) { return p[0] <= east; },
      function (p) { return p[1] >= south; }, function (p) { return p[1] <= north; }];
    var cuts = [
      function (a, b) { return cut(a, b, 0, west); }, function (a, b) { return cut(a, b, 0, east); },
      function (a, b) { return cut(a, b, 1, south); }, function (a, b) { return cut(a, b, 1, north); }];
    function cut(a, b, axis, at) {
      var t = (at - a[axis]) / (b[axis] - a[axis]);
      return axis === 0 ? [at, a[1] + t * (b[1] - a[1])] : [a[0] + t * (b[0] - a[0]), at];
    }
    var out = ring;
    for (var e = 0; e < 4 && out.length; e++) {
      var input = out;
      out = [];
      for (var i = 0; i < input.length; i++) {
        var cur = input[i], prev = input[(i + input.length - 1) % input.length];
        if (edges[e](cur)) {
          if (!edges[e](prev)) { out.push(cuts[e](prev, cur)); }
          out.push(cur);
        } else if (edges[e](prev)) {
          out.push(cuts[e](prev, cur));
        }
      }
    }
    return out;
  }

  function insetPart(geo, view) {
    return { type: "FeatureCollection", features: geo.features.map(function (f) {
      var g = f.geometry;
      var polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      var kept = polygons.map(function (p) { return [clipRing(p[0], view)]; })
        .filter(function (p) { return p[0].length >= 3; });
      return { type: "Feature", properties: f.properties,
               geometry: { type: "MultiPolygon", coordinates: kept } };
    }) };
  }

  function hasSouth(geo) {
    return geo.features.some(function (f) {
      var g = f.geometry;
      return (g.type === "Polygon" ? [g.coordinates] : g.coordinates).some(southOf);
    });
  }

  // Registers "<key>" (the main view) and, where the geometry reaches the South China Sea,
  // "<key>_inset" (everything plus the dash line); resolves to whether there is an inset.
  function loadMap(key) {
    if (!maps[key] && key === "world") {
      // The world (with China's South China Sea line in its 中国 feature): keyed by ISO alpha-3.
      maps[key] = fetchJson("/static/geo/world_countries.geojson").then(function (geo) {
        geo.features.forEach(function (f) { f.properties.id = f.properties.iso_a3; });
        echarts.registerMap("shumao_world", geo);
        return false;
      });
    }
    if (!maps[key]) {
      var url = key === "china" ? "/static/geo/china_provinces.geojson"
        : "/static/geo/cities/" + key + ".geojson";
      maps[key] = Promise.all([fetchJson(url), fetchJson("/static/geo/china_dash_line.geojson")])
        .then(function (got) {
          var geo = got[0], dash = got[1];
          var inset = key === "china" || hasSouth(geo);
          echarts.registerMap("shumao_" + key, inset ? mainPart(geo) : geo);
          if (inset) {
            echarts.registerMap("shumao_" + key + "_inset", insetPart({
              type: "FeatureCollection", features: geo.features.concat(dash.features) },
              INSET_VIEW));
          }
          return inset;
        });
    }
    return maps[key];
  }

  function insetBox(el) {
    var w = Math.round(Math.min(el.clientWidth * 0.24, el.clientHeight * 0.3));
    var h = Math.round(w * 1.4);
    var name = el.dataset.insetName || "南海诸岛";
    var lines = textWidth(name) * 11 > w - 6 ? 2 : 1;  // "South China Sea Islands" on a phone
    return { left: el.clientWidth - w - 10, top: el.clientHeight - h - 10, width: w, height: h,
             name: name, mapHeight: h - 8 - 12 * lines };
  }

  // The inset's name, centred under its map and wrapped to its width: never past the chart's
  // right edge (it was placed for four Chinese characters).
  function insetName(box) {
    return { type: "text", id: "inset-name", x: box.left + box.width / 2, y: box.top + box.height - 3,
             style: { text: box.name, fontSize: 11, lineHeight: 12, fill: "#5b6776", align: "center",
                      verticalAlign: "bottom", width: box.width - 6, overflow: "break" } };
  }

  function mapOption(c, el, inset) {
    var s = c.series[0];
    var values = s.data.filter(function (v) { return v !== null; });
    var names = {};
    c.codes.forEach(function (code, i) { names[code] = c.categories[i]; });
    var series = [{ id: "main", type: "map", map: "shumao_" + c.geo, nameProperty: "id",
                    roam: true, left: 10, right: inset ? "18%" : 10, top: 10, bottom: 10,
                    selectedMode: false, name: s.name,
                    itemStyle: { borderColor: "#fff", areaColor: c.no_data_color },
                    // No label on hover: it would appear under the pointer, and zrender drops a
                    // click whose mousedown and mouseup land on different elements. The tooltip
                    // names the area.
                    emphasis: { label: { show: false } },
                    data: c.codes.map(function (code, i) { return { name: code, value: s.data[i] }; })
                  }];
    var graphic = [];
    if (inset) {
      var box = insetBox(el);
      series.push({ id: "inset", type: "map", map: "shumao_" + c.geo + "_inset",
                    nameProperty: "id", silent: true, roam: false, boundingCoords: INSET_VIEW,
                    left: box.left + 4, top: box.top + 4, width: box.width - 8,
                    height: box.mapHeight, tooltip: { show: false },
                    itemStyle: { areaColor: c.no_data_color, borderColor: "#9aa4b0",
                                 borderWidth: 0.5 },
                    regions: [{ name: "dash-line", itemStyle: { areaColor: "#1d2633", borderWidth: 1.2,
                                                                borderColor: "#1d2633" } }],
                    data: [] });
      graphic = [{ type: "rect", id: "inset-frame", left: box.left, top: box.top, z: -1,
                   shape: { width: box.width, height: box.height },
                   style: { fill: "#fff", stroke: "#5b6776", lineWidth: 1 } },
                 insetName(box)];
    }
    return {
      tooltip: { trigger: "item", formatter: function (p) {
        return names[p.name] + "<br>" + fmt(p.value) + " " + c.unit; } },
      visualMap: c.pieces && c.pieces.length ?
        { seriesIndex: 0, type: "piecewise", pieces: c.pieces, left: 10, bottom: 10 } :
        { seriesIndex: 0, min: 0, max: values.length ? Math.max.apply(null, values) : 1,
          left: 10, bottom: 10, calculable: true, text: [c.unit, ""],
          inRange: { color: c.ramp } },
      graphic: graphic,
      series: series
    };
  }

  function drawMap(el, c, chart) {
    loadMap(c.geo).then(function (inset) {
      chart.setOption(mapOption(c, el, inset));
      var series = chart.getModel().getSeriesByIndex(0);
      el.dataset.regions = String(series.coordinateSystem.regions.length);
      el.dataset.inset = inset ? "1" : "0";
      chart.on("click", function (p) {
        var i = c.codes.indexOf(p.name);
        if (p.seriesId === "main" && i >= 0 && c.links[i]) { window.location.href = c.links[i]; }
      });
      window.addEventListener("resize", function () {
        chart.resize();
        chart.setOption(mapOption(c, el, inset));
      });
      el.dataset.ready = "1";
    });
  }

  function draw(el) {
    if (el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var c = JSON.parse(el.dataset.chart);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    if (c.kind === "map") {
      drawMap(el, c, chart);
      return;
    }
    var type = c.kind === "pie" ? "bar" : c.kind;
    chart.setOption(axisOption(c, type, el));
    if (c.links && c.links.length) {
      chart.on("click", function (p) { if (c.links[p.dataIndex]) { window.location.href = c.links[p.dataIndex]; } });
    }
    window.addEventListener("resize", function () {  // the labels are laid out for the width
      chart.resize();
      chart.setOption(axisOption(c, type, el), { replaceMerge: ["xAxis", "yAxis"] });
    });
    el.dataset.ready = "1";
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  // loadMap, insetBox, insetName and INSET_VIEW are shared with pages that draw on the map themselves
  // (static/bases.js: the export bases as pins).
  window.shumao = { wrapLabel: wrapLabel, loadMap: loadMap, insetBox: insetBox,
                    insetName: insetName, INSET_VIEW: INSET_VIEW };
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) {
    drawAll(e.target);
    // the alert badge in the menu: no number when nothing is firing
    if (e.target.classList && e.target.classList.contains("badge") &&
        e.target.textContent.trim() === "0") { e.target.textContent = ""; }
  });
  // The dimension pickers: typing narrows the list to names (or codes) containing the text.
  document.addEventListener("input", function (e) {
    if (!e.target || !e.target.classList || !e.target.classList.contains("picker-search")) { return; }
    var text = e.target.value.trim().toLowerCase();
    e.target.parentNode.querySelectorAll(".picker-list label").forEach(function (l) {
      var hit = !text || l.textContent.toLowerCase().indexOf(text) >= 0
        || (l.dataset.code || "").toLowerCase().indexOf(text) >= 0;
      l.style.display = hit ? "" : "none";
    });
  });
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "dataflow" && e.target.form && e.target.form.id === "explore-form") {
      window.location.href = "/explorer?dataflow=" + encodeURIComponent(e.target.value);
    }
  });
}());
