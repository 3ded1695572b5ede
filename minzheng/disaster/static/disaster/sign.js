// 签收签名板：手指或鼠标在画布上签字，提交时转为 PNG（data URL）放入隐藏字段。
(function () {
  var pad = document.getElementById("pad");
  if (!pad) return;
  var ctx = pad.getContext("2d"), drawing = false, inked = false;
  ctx.lineWidth = 2.5;
  ctx.lineCap = "round";
  function at(e) {
    var r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
  }
  pad.addEventListener("pointerdown", function (e) {
    drawing = true;
    var p = at(e);
    ctx.beginPath();
    ctx.moveTo(p[0], p[1]);
    pad.setPointerCapture(e.pointerId);
  });
  pad.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    var p = at(e);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    inked = true;
  });
  pad.addEventListener("pointerup", function () { drawing = false; });
  document.getElementById("clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, pad.width, pad.height);
    inked = false;
  });
  document.getElementById("sign-form").addEventListener("submit", function (e) {
    if (!inked) {
      e.preventDefault();
      document.getElementById("sign-hint").textContent = "请在签名框内签字";
      return;
    }
    document.getElementById("signature").value = pad.toDataURL("image/png");
  });
})();
