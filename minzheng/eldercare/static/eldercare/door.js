/* At the door: GPS, the phone's own time, and a check-in queue for a weak connection.
   Forms marked data-gps get lat/lng (if the phone gives a position) and client_at (the phone's
   clock, ISO 8601 with offset). A form marked data-offline is kept in localStorage when the phone
   is offline or the request fails, and sent later with its original client_at. */
(function () {
  "use strict";
  var KEY = "minzheng.eldercare.queue";

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function store(q) { localStorage.setItem(KEY, JSON.stringify(q)); }

  function haversine(lat1, lng1, lat2, lng2) {
    var r = Math.PI / 180, R = 6371008.8;
    var dp = (lat2 - lat1) * r, dl = (lng2 - lng1) * r;
    var h = Math.pow(Math.sin(dp / 2), 2) + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function locate() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve(p.coords); },
        function () { resolve(null); },
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 }
      );
    });
  }

  function isoNow() {
    var d = new Date(), off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    function pad(n) { return String(Math.floor(Math.abs(n))).padStart(2, "0"); }
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + sign + pad(off / 60) + ":" + pad(off % 60);
  }

  function say(text, cls) {
    var el = document.getElementById("door-status");
    if (el) { el.textContent = text; el.className = "msg " + (cls || ""); el.hidden = false; }
  }

  function showDistance(coords) {
    var el = document.getElementById("gps-distance");
    if (!el || !coords || !el.dataset.lat) return;
    var m = haversine(coords.latitude, coords.longitude, parseFloat(el.dataset.lat), parseFloat(el.dataset.lng));
    el.textContent = "当前位置距登记住址 " + Math.round(m) + " 米" +
      (m > parseFloat(el.dataset.radius) ? "（超过 " + el.dataset.radius + " 米，请填写说明）" : "");
  }

  function post(url, body) {
    return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); });
  }

  function pairs(form) {
    var out = [];
    new FormData(form).forEach(function (v, k) { if (typeof v === "string") out.push([k, v]); });
    return out;
  }

  function toBody(list) {
    var fd = new FormData();
    list.forEach(function (kv) { fd.append(kv[0], kv[1]); });
    return fd;
  }

  function enqueue(form) {
    var q = load();
    q.push({ url: form.action, fields: pairs(form), label: form.dataset.offline, at: form.elements.client_at.value });
    store(q);
    render();
    say("网络不可用：已在手机上记录" + form.dataset.offline + "（" + form.elements.client_at.value.slice(11, 16) +
      "），联网后自动上传", "msg-success");
  }

  function render() {
    var el = document.getElementById("offline-queue");
    if (!el) return;
    var q = load();
    el.hidden = q.length === 0;
    el.textContent = q.length ? "待上传：" + q.map(function (i) { return i.label + " " + i.at.slice(11, 16); }).join("，") : "";
  }

  function flush() {
    var q = load();
    if (!q.length || !navigator.onLine) return Promise.resolve();
    var item = q[0];
    return post(item.url, toBody(item.fields)).then(function (answer) {
      store(load().slice(1));
      if (!answer.ok) say(item.label + "未能上传：" + answer.error, "msg-error");
      return flush().then(function () { if (answer.ok) window.location.reload(); });
    }).catch(function () { render(); });
  }

  function submit(event) {
    var form = event.target;
    if (!form.matches("form[data-gps]")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    locate().then(function (coords) {
      if (coords) {
        form.elements.lat.value = coords.latitude.toFixed(6);
        form.elements.lng.value = coords.longitude.toFixed(6);
        showDistance(coords);
      }
      form.elements.client_at.value = isoNow();
      if (form.dataset.offline && !navigator.onLine) { enqueue(form); if (button) button.disabled = false; return; }
      post(form.action, new FormData(form)).then(function (answer) {
        if (answer.ok) { window.location.reload(); return; }
        say(answer.error, "msg-error");
        if (button) button.disabled = false;
      }).catch(function () {
        if (form.dataset.offline) enqueue(form); else say("网络不可用，请稍后再试", "msg-error");
        if (button) button.disabled = false;
      });
    });
  }

  document.addEventListener("submit", submit);
  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () {
    render();
    if (document.getElementById("gps-distance")) locate().then(showDistance);
    flush();
  });
})();
