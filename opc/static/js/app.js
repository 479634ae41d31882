// OPC Ops page behaviour. No inline scripts (the CSP forbids them): pages carry data in
// data-* attributes and this file reads them.
(function () {
  "use strict";

  var palette = ["#1f4e79", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6a4c93",
                 "#8ab17d", "#457b9d", "#b56576"];

  function drawCharts() {
    if (typeof window.Chart === "undefined") { return; }
    // Axis labels in the page's font (Chinese track names need its CJK fallbacks) and ink.
    var root = window.getComputedStyle(document.documentElement);
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = root.getPropertyValue("--muted").trim() || "#5b6675";
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var series = JSON.parse(canvas.dataset.series || "{}");
      var kind = canvas.dataset.chart;
      var datasets = series.datasets || [{
        label: canvas.getAttribute("aria-label") || "",
        data: series.values || [],
        backgroundColor: kind === "bar" ? palette[0] : palette
      }];
      datasets.forEach(function (d, i) {
        if (!d.backgroundColor) { d.backgroundColor = palette[i % palette.length]; }
      });
      new window.Chart(canvas, {
        type: kind,
        data: { labels: series.labels || [], datasets: datasets },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: datasets.length > 1 || kind === "doughnut" } },
          scales: kind === "bar" ? { y: { beginAtZero: true, ticks: { precision: 0 } } } : {}
        }
      });
    });
  }

  // Buttons that ask before they act: <button data-confirm="Sure?">
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.dataset.confirm)) { event.preventDefault(); }
  });

  // Inputs that reload their (GET) form when changed, e.g. the day picker of the space
  // pages: <input type="date" name="on" data-autosubmit>. The form keeps a submit button.
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-autosubmit]");
    if (input && input.form && input.value) { input.form.submit(); }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
