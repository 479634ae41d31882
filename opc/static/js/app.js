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

  // Date fields take a day typed in the page's language (2026年11月23日, 23 Nov 2026; the
  // server reads these, ISO and a few more: opc.core.dates.parse_day) and keep the browser's
  // calendar one tap away. A browser's own date input takes typing only in the browser's
  // locale, so each becomes a text field showing the day as the page writes it, with a
  // button that opens the calendar of the original input (kept, unnamed, out of sight).
  // Without JavaScript the date input stays as it is.
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

  function showDay(iso, zh) {
    var m = ISO.exec(iso || "");
    if (!m) { return iso || ""; }
    var month = parseInt(m[2], 10), day = parseInt(m[3], 10);
    return zh ? m[1] + "年" + month + "月" + day + "日" : day + " " + MONTHS[month - 1] + " " + m[1];
  }

  function isoDay(text) {
    var t = (text || "").trim(), m;
    if (ISO.test(t)) { return t; }
    var pad = function (n) { return ("0" + n).slice(-2); };
    if ((m = /^(\d{4})\s*[年\/.]\s*(\d{1,2})\s*[月\/.]\s*(\d{1,2})\s*日?$/.exec(t))) {
      return m[1] + "-" + pad(m[2]) + "-" + pad(m[3]);
    }
    if ((m = /^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?,?\s+(\d{4})$/.exec(t))) {
      var month = MONTHS.indexOf(m[2].charAt(0).toUpperCase() + m[2].slice(1, 3).toLowerCase());
      if (month >= 0) { return m[3] + "-" + pad(month + 1) + "-" + pad(m[1]); }
    }
    return "";
  }

  function typedDates() {
    var label = document.body.dataset.calendarLabel;
    if (!label) { return; }
    var zh = document.documentElement.lang.indexOf("zh") === 0;
    document.querySelectorAll("input[type=date]").forEach(function (picker) {
      var text = document.createElement("input");
      Array.prototype.forEach.call(picker.attributes, function (a) {
        if (["type", "min", "max", "step", "value"].indexOf(a.name) < 0) { text.setAttribute(a.name, a.value); }
      });
      text.type = "text";
      text.setAttribute("inputmode", "text");
      text.setAttribute("autocomplete", "off");
      text.classList.add("day");
      // The attribute, not .value: a day the server refused is kept as typed, which a
      // date input would have emptied.
      text.value = showDay(picker.getAttribute("value"), zh);
      picker.removeAttribute("name");
      picker.removeAttribute("id");
      picker.removeAttribute("required");
      picker.removeAttribute("data-autosubmit");
      picker.tabIndex = -1;
      picker.setAttribute("aria-hidden", "true");
      picker.classList.add("day-calendar");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "day-button";
      button.setAttribute("aria-label", label);
      button.title = label;
      button.textContent = "📅";
      var box = document.createElement("span");
      box.className = "day-box";
      picker.parentNode.insertBefore(box, picker);
      box.appendChild(text);
      box.appendChild(button);
      box.appendChild(picker);
      button.addEventListener("click", function () {
        picker.value = isoDay(text.value);
        if (typeof picker.showPicker === "function") { picker.showPicker(); } else { picker.focus(); }
      });
      picker.addEventListener("change", function () {
        text.value = showDay(picker.value, zh);
        text.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }

  function start() {
    setUpMenu();
    typedDates();
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
