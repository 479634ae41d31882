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

  // The menu button of a phone's width (base.html): shown once this script runs, it opens
  // and closes the nav; without JavaScript the nav stays a plain list.
  function setUpMenu() {
    var toggle = document.querySelector(".menu-toggle");
    var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) { return; }
    document.documentElement.classList.add("js");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    });
  }

  // Tables become stacked cards on a phone (app.css, below 640 px): each cell carries its
  // column's header as data-label, copied once from the <th>s, so every table of the house
  // works without a macro. A table that is a grid (a calendar, a week of slots) says
  // data-layout="grid" and keeps its columns; a cell with its own data-label keeps it.
  function headerLabels(table) {
    var rows = table.tHead ? table.tHead.rows : [];
    if (!rows.length) { return null; }
    var labels = [];
    Array.prototype.forEach.call(rows[rows.length - 1].cells, function (th) {
      var text = th.textContent.replace(/\s+/g, " ").trim();
      for (var i = 0; i < (th.colSpan || 1); i++) { labels.push(text); }
    });
    return labels;
  }

  function stackTables() {
    document.querySelectorAll("table").forEach(function (table) {
      if (table.closest("[data-layout=grid]")) { return; }
      var labels = headerLabels(table);
      if (!labels) { return; }
      var groups = Array.prototype.slice.call(table.tBodies);
      if (table.tFoot) { groups.push(table.tFoot); }
      groups.forEach(function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            var label = cell.colSpan > 1 ? "" : labels[column];
            if (label && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", label); }
            column += cell.colSpan || 1;
          });
        });
      });
      table.classList.add("stacked");
      // Its sortable headings stay on a phone, as a row of links above the cards.
      if (table.tHead && table.tHead.querySelector("a.sort")) { table.classList.add("sortable"); }
    });
  }

  // A list's filters fold behind a button on a phone (below 720 px, as the menu), so the
  // rows come first; the button says how many filters are set, and a form with a refused
  // value stays open. Wider screens never see the button.
  function foldFilters() {
    var label = document.body.dataset.filtersLabel;
    if (!label) { return; }
    document.querySelectorAll("form.filters").forEach(function (form, n) {
      var fields = form.querySelectorAll("input:not([type=hidden]):not([type=submit]), select");
      var set = Array.prototype.filter.call(fields, function (f) { return f.value !== ""; });
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "filters-toggle";
      toggle.textContent = set.length ? label + " (" + set.length + ")" : label;
      form.id = form.id || "filters-" + n;
      toggle.setAttribute("aria-controls", form.id);
      toggle.setAttribute("aria-expanded", "false");
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        form.classList.toggle("open", open);
      });
      form.parentNode.insertBefore(toggle, form);
      form.classList.add("foldable");
      if (form.querySelector("[aria-invalid=true], .errors")) { toggle.click(); }
    });
  }

  function start() {
    setUpMenu();
    foldFilters();
    stackTables();
    drawCharts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
