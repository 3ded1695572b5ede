// 民政大脑: draws the server-computed figures with the vendored ECharts (no inline script: the CSP
// forbids it). The payload holds codes, names and numbers only. Every chart item opens its list.
(function () {
  "use strict";
  var dark = document.body.classList.contains("screen");
  var theme = dark ? "dark" : null;
  var charts = {};
  var mapChart = null;

  function payload() {
    var el = document.getElementById("dashboard-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function yuan(f, v) { return f.money ? Math.round(v) / 100 : v; }
  function unitOf(f) { return f.money ? "元" : f.unit; }

  function go(url) { if (url) { window.location.href = url; } }

  function chartOption(f) {
    var names = f.buckets.map(function (b) { return b.name; });
    var data = f.buckets.map(function (b) { return { value: yuan(f, b.value), link: b.link }; });
    var base = { backgroundColor: "transparent", animation: dark,
      tooltip: { trigger: f.chart === "pie" ? "item" : "axis", valueFormatter: function (v) { return v + " " + unitOf(f); } } };
    if (f.chart === "pie") {
      base.series = [{ type: "pie", radius: ["35%", "65%"], label: { formatter: "{b}\n{c}" },
        data: f.buckets.map(function (b) { return { name: b.name, value: yuan(f, b.value), link: b.link }; }) }];
      return base;
    }
    base.grid = { left: 8, right: 12, top: 16, bottom: 8, containLabel: true };
    base.xAxis = { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } };
    base.yAxis = { type: "value", name: unitOf(f) };
    base.series = [{ type: f.chart === "line" ? "line" : "bar", data: data, label: { show: names.length <= 8, position: "top" } }];
    return base;
  }

  function drawFigures(p) {
    p.figures.forEach(function (f) {
      var el = document.querySelector('[data-chart="' + f.key + '"]');
      if (!el || !f.buckets.length) { return; }
      var chart = charts[f.key] || echarts.init(el, theme, { renderer: "canvas" });
      if (!charts[f.key]) {
        chart.on("click", function (e) { go(e.data && e.data.link); });
        charts[f.key] = chart;
      }
      chart.setOption(chartOption(f), true);
    });
  }

  function selectedFigure(p) {
    var pick = document.getElementById("map-figure");
    var key = pick ? pick.value : (p.figures[0] || {}).key;
    return p.figures.filter(function (f) { return f.key === key; })[0] || p.figures[0];
  }

  function layerSeries(m, coord) {
    var series = [];
    var pointLayers = [["护理员（约 1 公里）", m.caregivers, "#2e9e5b", 6], ["紧急呼叫（近 90 天，约 1 公里）", m.incidents, "#d9342b", 8]];
    pointLayers.forEach(function (l) {
      series.push({ name: l[0], type: "scatter", coordinateSystem: coord, symbolSize: l[3], itemStyle: { color: l[2] },
        data: l[1].map(function (v) { return { value: v }; }), z: 4 });
    });
    series.push({ name: "服务点", type: "scatter", coordinateSystem: coord, symbol: "diamond", symbolSize: 10,
      itemStyle: { color: "#f0a020" }, data: m.service, z: 5,
      tooltip: { formatter: function (e) { return e.data.kind + "：" + e.data.name; } } });
    return series;
  }

  function drawMap(p) {
    var el = document.getElementById("map");
    if (!el) { return; }
    var m = p.map, f = selectedFigure(p);
    var values = {};
    p.children.forEach(function (c) { values[c.code] = f ? yuan(f, c.values[f.key] || 0) : 0; });
    var max = Math.max.apply(null, [1].concat(Object.keys(values).map(function (k) { return values[k]; })));
    var coord = m.geo ? "geo" : "cartesian2d";
    var option = { backgroundColor: "transparent", animation: false, tooltip: { trigger: "item" },
      legend: { bottom: 0, textStyle: dark ? { color: "#cfe3ff" } : {} },
      visualMap: { min: 0, max: max, calculable: true, right: 8, bottom: 30, seriesIndex: 0,
        text: [f ? f.label : "", ""], inRange: { color: ["#dbe9fb", "#1f5fbf"] }, textStyle: dark ? { color: "#cfe3ff" } : {} } };
    var centres = m.centres.map(function (c) {
      return { name: c.name, value: c.value.concat([values[c.code] || 0]), href: c.href, basis: c.basis };
    });
    if (m.geo) {
      var name = "d" + p.division;
      if (!echarts.getMap(name)) { echarts.registerMap(name, m.geo); }
      option.geo = { map: name, roam: true, itemStyle: { areaColor: dark ? "#16325c" : "#eef3fa" } };
      option.series = [{ type: "map", geoIndex: 0, name: f ? f.label : "",
        data: m.geo.features.map(function (ft) {
          return { name: ft.properties.name, value: values[ft.properties.name] || 0, href: ft.properties.href, label: ft.properties.label };
        }) }];
    } else {
      option.grid = { left: 40, right: 20, top: 20, bottom: 60 };
      option.xAxis = { type: "value", scale: true, name: "经度", splitLine: { show: false } };
      option.yAxis = { type: "value", scale: true, name: "纬度", splitLine: { show: false } };
      option.series = [];
    }
    option.series.push({ name: "下级区划", type: "scatter", coordinateSystem: coord, data: centres, z: 3,
      symbolSize: function (v) { return 12 + 28 * (v[2] || 0) / max; },
      label: { show: true, position: "right", formatter: "{b}" },
      tooltip: { formatter: function (e) { return e.name + "：" + e.value[2] + (e.data.basis === "estimated" ? "（位置估算）" : ""); } } });
    if (!m.geo) { option.visualMap.seriesIndex = 0; option.visualMap.dimension = 2; }
    option.series = option.series.concat(layerSeries(m, coord));
    if (!mapChart) {
      mapChart = echarts.init(el, theme, { renderer: "canvas" });
      mapChart.on("click", function (e) { go(e.data && e.data.href); });
    }
    mapChart.setOption(option, true);
  }

  function exportImage() {
    var all = Object.keys(charts).map(function (k) { return charts[k]; });
    if (mapChart) { all.unshift(mapChart); }
    var bg = dark ? "#0b1a33" : "#ffffff";
    var images = all.map(function (c) { return c.getDataURL({ pixelRatio: 2, backgroundColor: bg }); });
    var cols = 2, w = 900, h = 560;
    var canvas = document.createElement("canvas");
    canvas.width = cols * w; canvas.height = Math.ceil(images.length / cols) * h + 60;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = bg; ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = dark ? "#e6f0ff" : "#1b2a3a"; ctx.font = "28px sans-serif";
    ctx.fillText(document.title, 20, 40);
    var pending = images.length;
    images.forEach(function (src, i) {
      var img = new Image();
      img.onload = function () {
        ctx.drawImage(img, (i % cols) * w, 60 + Math.floor(i / cols) * h, w, h);
        pending -= 1;
        if (pending === 0) {
          var a = document.createElement("a");
          a.href = canvas.toDataURL("image/png"); a.download = "民政大脑.png";
          document.body.appendChild(a); a.click(); a.remove();
        }
      };
      img.src = src;
    });
  }

  function reload(url) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        drawFigures(p); drawMap(p);
        p.figures.forEach(function (f) {
          var el = document.querySelector('[data-total="' + f.key + '"]');
          if (el && f.total !== null) { el.textContent = (f.money ? (f.total / 100).toFixed(2) : f.total).toLocaleString(); }
        });
        var stamp = document.getElementById("refreshed");
        if (stamp) { stamp.textContent = p.refreshed || "尚未刷新"; }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var p = payload();
    if (!p || typeof echarts === "undefined") { return; }
    drawFigures(p); drawMap(p);
    var pick = document.getElementById("map-figure");
    if (pick) { pick.addEventListener("change", function () { drawMap(p); }); }
    document.addEventListener("click", function (e) {
      if (e.target.closest("[data-export-image]")) { e.preventDefault(); exportImage(); }
      if (e.target.closest("[data-fullscreen]")) { e.preventDefault(); document.documentElement.requestFullscreen(); }
    });
    // Resize once the window has settled (a full-screen switch fires a burst of events).
    var settle = null;
    window.addEventListener("resize", function () {
      clearTimeout(settle);
      settle = setTimeout(function () {
        Object.keys(charts).map(function (k) { return charts[k]; }).concat(mapChart ? [mapChart] : [])
          .forEach(function (c) { if (!c.isDisposed()) { c.resize(); } });
      }, 200);
    });
    var every = parseInt(document.body.dataset.refresh || "0", 10);
    if (every > 0) { setInterval(function () { reload(document.body.dataset.source); }, every * 1000); }
  });
})();
