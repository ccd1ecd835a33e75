// Progressive touches only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Ask before a return: it moves points and money back.
  document.querySelectorAll("form[action$='/return']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var ru = document.documentElement.lang === "ru";
      var whole = !event.submitter || event.submitter.value === "all";
      var question = whole ? (ru ? "Оформить возврат всего чека?" : "Return the whole receipt?")
        : (ru ? "Оформить возврат выбранного?" : "Return the selected items?");
      if (!window.confirm(question)) event.preventDefault();
    });
  });
  // Ask before what cannot be undone from the same page (removing a promotion).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  // The slip after a sale: printed on the device's printer.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // The web cashier's camera reads the customer's card where the browser may use a camera.
  var scan = document.querySelector("[data-scan-target]");
  if (scan && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    scan.hidden = false;
    scan.addEventListener("click", function () { scanCard(scan); });
  }
  // A form that failed validation: put the cursor in the first field at fault. A calculated receipt: show its figures
  // and the buttons under them (the cursor is not moved, so a scanner's Enter cannot commit the receipt).
  var invalid = document.querySelector("[aria-invalid='true']");
  var result = document.getElementById("result-title");
  if (invalid) invalid.focus();
  else if (result) result.scrollIntoView({ block: "start" });
});

// Shows the camera over the page and reads each frame for the card's barcode or QR code: with the browser's own
// BarcodeDetector where there is one, else by sending the frame (grey, one byte a pixel) to the server, which reads it
// with zbar. A code found goes into the customer field and the form is sent; a camera refused says so.
function scanCard(button) {
  var field = document.getElementById(button.getAttribute("data-scan-target"));
  var form = field.form;
  var overlay = document.createElement("div");
  overlay.className = "scanner";
  overlay.setAttribute("role", "dialog");
  overlay.setAttribute("aria-modal", "true");
  overlay.setAttribute("aria-label", button.getAttribute("data-scan-title"));
  var title = document.createElement("p");
  title.textContent = button.getAttribute("data-scan-title");
  var video = document.createElement("video");
  video.setAttribute("playsinline", "");
  video.muted = true;
  var close = document.createElement("button");
  close.type = "button";
  close.className = "big";
  close.textContent = button.getAttribute("data-scan-close");
  overlay.append(title, video, close);
  document.body.append(overlay);
  close.focus();
  var stream = null, timer = null, busy = false;
  function stop() {
    clearInterval(timer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    overlay.remove();
    button.focus();
  }
  close.addEventListener("click", stop);
  overlay.addEventListener("keydown", function (event) { if (event.key === "Escape") stop(); });
  function found(customer) {
    stop();
    field.value = customer;
    form.requestSubmit(document.getElementById("find-customer"));
  }
  var detector = "BarcodeDetector" in window ? new window.BarcodeDetector() : null;
  var canvas = document.createElement("canvas");
  var csrf = form.querySelector("input[name=csrf]").value;
  function look() {
    if (busy || video.readyState < 2) return;
    busy = true;
    if (detector) {
      detector.detect(video).then(function (codes) {
        busy = false;
        var digits = codes.map(function (c) { return c.rawValue; }).filter(function (v) { return /^[0-9+ ()-]{10,}$/.test(v); });
        if (digits.length) found(digits[0]);
      }, function () { busy = false; detector = null; });
      return;
    }
    var scale = Math.min(1, 640 / video.videoWidth, 480 / video.videoHeight);
    var width = Math.floor(video.videoWidth * scale), height = Math.floor(video.videoHeight * scale);
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    var rgba = context.getImageData(0, 0, width, height).data;
    var grey = new Uint8Array(width * height);
    for (var i = 0; i < grey.length; i++) grey[i] = (rgba[4 * i] * 77 + rgba[4 * i + 1] * 150 + rgba[4 * i + 2] * 29) >> 8;
    fetch("/console/cashier/scan?width=" + width + "&height=" + height, {
      method: "POST", body: grey, credentials: "same-origin",
      headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": csrf },
    }).then(function (r) { return r.json(); }).then(function (answer) {
      busy = false;
      if (answer.customer) found(answer.customer);
    }, function () { busy = false; });
  }
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
    stream = media;
    video.srcObject = media;
    video.play();
    timer = setInterval(look, 300);
  }, function () {
    title.textContent = button.getAttribute("data-scan-failed");
  });
}
