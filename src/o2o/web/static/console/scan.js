// Hand over by scanning the customer's pickup QR ("O2O-PICKUP:<fulfilment id>:<code>") with the
// device camera. Uses the browser's BarcodeDetector when it reads QR codes, else the vendored jsQR
// (loaded only when the camera starts). The code goes straight into a hidden field and the form is
// sent: it is never shown on the page.
(function () {
  "use strict";
  const form = document.querySelector("form[data-scan]");
  if (!form) {
    return;
  }
  const startButton = form.querySelector("[data-scan-start]");
  const stopButton = form.querySelector("[data-scan-stop]");
  const video = form.querySelector("[data-scan-video]");
  const status = form.querySelector("[data-scan-status]");
  const PREFIX = form.dataset.prefix || "O2O-PICKUP:"; // the member look-up reads "O2O-MEMBER:" codes
  let stream = null;
  let timer = null;
  let detect = null;

  function say(name) {
    status.textContent = form.dataset[name] || "";
  }

  form.hidden = false;
  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) {
    startButton.disabled = true;
    say("msgUnsupported");
    return;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) {
        resolve();
        return;
      }
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function makeDetector() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.indexOf("qr_code") >= 0) {
          const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async function (source) {
            const codes = await detector.detect(source);
            return codes.length ? codes[0].rawValue : null;
          };
        }
      } catch (e) {
        // fall back to jsQR
      }
    }
    await loadScript(form.dataset.jsqr);
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async function (source) {
      const width = source.videoWidth;
      const height = source.videoHeight;
      if (!width || !height) {
        return null;
      }
      const scale = Math.min(1, 800 / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(source, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
      return found ? found.data : null;
    };
  }

  function stop() {
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    video.hidden = true;
    startButton.hidden = false;
    stopButton.hidden = true;
  }

  function found(text) {
    stop();
    say("msgFound");
    form.elements.scan.value = text;
    form.submit();
  }

  async function tick() {
    if (!stream) {
      return;
    }
    let text = null;
    try {
      text = await detect(video);
    } catch (e) {
      text = null;
    }
    if (text) {
      text = text.trim();
      if (text.indexOf(PREFIX) === 0) {
        found(text);
        return;
      }
      say("msgNotOurs");
    }
    timer = window.setTimeout(tick, 150);
  }

  async function start() {
    say("msgStarting");
    startButton.hidden = true;
    try {
      detect = detect || (await makeDetector());
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      stopButton.hidden = false;
      stopButton.focus();
      say("msgLooking");
      tick();
    } catch (e) {
      stop();
      say(e && e.name === "NotAllowedError" ? "msgDenied" : "msgFailed");
    }
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    status.textContent = "";
    startButton.focus();
  });
  window.addEventListener("pagehide", stop);
})();
