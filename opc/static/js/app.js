// OPC Ops page behaviour. No inline scripts (the CSP forbids them): pages carry data in
// data-* attributes and this file reads them.
(function () {
  "use strict";

  var palette = ["#1f4e79", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6a4c93",
                 "#8ab17d", "#457b9d", "#b56576"];

  function drawCharts() {
    if (typeof window.Chart === "undefined") { return; }
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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
