/* The distance from the phone to the activity's place, shown before the volunteer signs in.
   Reads data-lat / data-lng / data-radius of #place-distance; signing in itself is door.js. */
(function () {
  "use strict";
  function haversine(lat1, lng1, lat2, lng2) {
    var r = Math.PI / 180, R = 6371008.8;
    var dp = (lat2 - lat1) * r, dl = (lng2 - lng1) * r;
    var h = Math.pow(Math.sin(dp / 2), 2) + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
  }
  function show(el, coords) {
    if (!coords) { el.textContent = "未取得定位（签到时请说明原因）"; return; }
    var m = Math.round(haversine(coords.latitude, coords.longitude, parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)));
    var radius = parseFloat(el.dataset.radius);
    el.textContent = "当前位置距活动地点 " + m + " 米" + (m > radius ? "（超过 " + radius + " 米，签到须说明原因）" : "");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("place-distance");
    if (!el) return;
    if (!navigator.geolocation) { show(el, null); return; }
    navigator.geolocation.getCurrentPosition(
      function (p) { show(el, p.coords); },
      function () { show(el, null); },
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 }
    );
  });
})();
