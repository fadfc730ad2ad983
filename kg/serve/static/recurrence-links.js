// The recurrence page (kg viz recurrence) served by kg serve: the regulation selected in
// its table gets a link to its page, above its citing sentences.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  document.addEventListener("click", ev => {
    const row = ev.target.closest("tr.reg");
    const panel = document.getElementById("panel");
    if (!row || !panel) return;
    const reg = data.regulations[+row.dataset.reg];
    if (!reg) return;
    const link = document.createElement("a");
    link.className = "kg-page";
    link.href = "/regulation/" + encodeURIComponent(reg.id);
    link.textContent = reg.title + " →";
    const p = document.createElement("p");
    p.appendChild(link);
    panel.prepend(p);
  });
})();
