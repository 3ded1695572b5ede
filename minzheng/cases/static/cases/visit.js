// 入户调查: record where the form was filled in, when the phone allows it (never blocks the form).
(function () {
  const lat = document.querySelector('input[name="latitude"]');
  const lng = document.querySelector('input[name="longitude"]');
  const status = document.querySelector('[data-gps-status]');
  if (!lat || !lng || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      if (status) status.textContent = `已定位（${lat.value}, ${lng.value}，精度约 ${Math.round(pos.coords.accuracy)} 米）`;
    },
    () => { if (status) status.textContent = '未能定位（手机未授权或无信号），可照常提交'; },
    { enableHighAccuracy: true, timeout: 10000 },
  );
})();
