/* The check-in desk (templates/events/desk.html): read the ticket's QR code with the
   device's camera and send its code with the desk's form.

   The browser's BarcodeDetector reads the code where it exists (Chrome, Edge, Android);
   elsewhere (Safari, Firefox) jsQR (vendored in opc/static/vendor, Apache-2.0) reads the
   video's frames drawn on a canvas, loaded only then. Without a camera, or when it is
   refused, the desk types or pastes the code. After a scan the page comes back with
   ?scan=1 and the camera starts again by itself, for the next in line. */
(function () {
  "use strict";

  var box = document.querySelector("[data-checkin-camera]");
  var form = document.querySelector("[data-checkin-form]");
  if (!box || !form) { return; }
  var video = box.querySelector("[data-checkin-video]");
  var start = box.querySelector("[data-checkin-start]");
  var stop = box.querySelector("[data-checkin-stop]");
  var status = document.querySelector("[data-checkin-status]");
  var field = form.querySelector("[data-checkin-token]");
  var stream = null;
  var reader = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });

  function say(text) { if (status) { status.textContent = text || ""; } }

  function haveCamera() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(); return; }
      var script = document.createElement("script");
      script.src = box.getAttribute("data-jsqr");
      script.onload = function () { resolve(); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  /* Whether the browser's own detector reads QR codes here: some expose BarcodeDetector
     on platforms where it reads nothing (Chromium on Linux). */
  function nativeQR() {
    if (!("BarcodeDetector" in window) || !window.BarcodeDetector.getSupportedFormats) {
      return Promise.resolve(false);
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0;
    }, function () { return false; });
  }

  function makeReader() {
    return nativeQR().then(function (native) {
      if (!native) { return jsQRReader(); }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function () {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    });
  }

  function jsQRReader() {
    return loadJsQR().then(function () {
      return function () {
        var w = video.videoWidth, h = video.videoHeight;
        if (!w || !h) { return Promise.resolve(null); }
        canvas.width = w;
        canvas.height = h;
        context.drawImage(video, 0, 0, w, h);
        var found = window.jsQR(context.getImageData(0, 0, w, h).data, w, h, {
          inversionAttempts: "dontInvert"
        });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.srcObject = null;
    start.hidden = false;
    stop.hidden = true;
  }

  function send(code) {
    stopCamera();
    field.value = code.trim();
    var scan = document.createElement("input");
    scan.type = "hidden";
    scan.name = "scan";
    scan.value = "1";
    form.appendChild(scan);
    form.submit();
  }

  function look() {
    if (!stream) { return; }
    reader().then(function (code) {
      if (code) { send(code); } else { window.setTimeout(look, 200); }
    }, function () { window.setTimeout(look, 500); });
  }

  function startCamera() {
    makeReader().then(function (read) {
      reader = read;
      return navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" }, audio: false
      });
    }).then(function (media) {
      stream = media;
      video.srcObject = media;
      return video.play();
    }).then(function () {
      start.hidden = true;
      stop.hidden = false;
      say("");
      look();
    }).catch(function () {
      stopCamera();
      say(box.getAttribute("data-camera-denied"));
    });
  }

  if (!haveCamera()) {
    say(box.getAttribute("data-no-camera"));
    field.focus();
    return;
  }
  box.hidden = false;
  start.addEventListener("click", startCamera);
  stop.addEventListener("click", stopCamera);
  /* Back from a scan the camera goes on; otherwise the code field waits for a typed or
     pasted code (a hand-held scanner types it too). */
  if (box.hasAttribute("data-autostart")) { startCamera(); } else { field.focus(); }
}());
