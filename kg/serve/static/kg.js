// Notice pages: hovering a marked span names its innermost fact and rule (its title);
// clicking it lists every fact read from those characters, innermost first, above the
// facts; a link to #sSTART-END selects the facts read from exactly those characters.
(function () {
  "use strict";
  const text = document.getElementById("text");
  const chosen = document.getElementById("chosen");
  if (!text || !chosen) return;
  function select(ids) {
    document.querySelectorAll(".on").forEach(e => e.classList.remove("on"));
    chosen.replaceChildren();
    if (!ids.length) { chosen.hidden = true; return; }
    for (const id of ids) {
      const item = document.getElementById("fact-" + id);
      if (!item) continue;
      item.classList.add("on");
      const copy = item.cloneNode(true);
      copy.removeAttribute("id");
      chosen.appendChild(copy);
    }
    chosen.hidden = false;
    // The characters of the first fact (the innermost where the click was) are outlined.
    document.querySelectorAll("mark.fact").forEach(m => {
      if (m.dataset.facts.split(" ").includes(ids[0])) m.classList.add("on");
    });
  }
  function factsOf(mark) { return mark.dataset.facts.split(" "); }
  text.addEventListener("click", ev => {
    const mark = ev.target.closest("mark.fact");
    if (mark) select(factsOf(mark));
  });
  text.addEventListener("keydown", ev => {
    const mark = ev.target.closest("mark.fact");
    if (mark && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); select(factsOf(mark)); }
  });
  function fromHash() {
    const m = /^#s(\d+)-(\d+)$/.exec(location.hash);
    if (!m) return;
    const ids = [...document.querySelectorAll(`#facts li[data-start="${m[1]}"][data-end="${m[2]}"]`)]
      .map(li => li.id.replace("fact-", ""));
    select(ids);
    const anchor = document.getElementById(location.hash.slice(1));
    if (anchor) anchor.scrollIntoView({block: "center"});
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
