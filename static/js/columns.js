// Column chooser: <details data-columns-for="TABLE_ID"> with one checkbox per optional column (value = data-col).
// Unchecked columns are hidden; the choice is remembered in this browser (localStorage) per table. Until the admin
// chooses, the columns in data-hidden-by-default are hidden.
(function () {
  document.querySelectorAll("[data-columns-for]").forEach(function (chooser) {
    var table = document.getElementById(chooser.dataset.columnsFor);
    if (!table) { return; }
    var key = "portal.columns." + chooser.dataset.columnsFor;
    var boxes = chooser.querySelectorAll("input[type=checkbox]");
    var hidden = (chooser.dataset.hiddenByDefault || "").split(/\s+/).filter(Boolean);
    try {
      var stored = window.localStorage.getItem(key);
      if (stored !== null) { hidden = JSON.parse(stored); }
    } catch (e) { /* unreadable: the defaults */ }

    function apply() {
      boxes.forEach(function (box) {
        table.querySelectorAll('[data-col="' + box.value + '"]').forEach(function (cell) {
          cell.hidden = !box.checked;
        });
      });
    }
    boxes.forEach(function (box) {
      box.checked = hidden.indexOf(box.value) === -1;
      box.addEventListener("change", function () {
        hidden = Array.prototype.filter.call(boxes, function (b) { return !b.checked; }).map(function (b) { return b.value; });
        try { window.localStorage.setItem(key, JSON.stringify(hidden)); } catch (e) { /* private mode: not remembered */ }
        apply();
      });
    });
    apply();
  });
})();
