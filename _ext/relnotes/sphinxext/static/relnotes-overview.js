// The overview's filters: the full table is in the page; this only hides rows that do not match.
// Without JavaScript the form stays hidden and every row is shown.
document.addEventListener("DOMContentLoaded", () => {
  for (const overview of document.querySelectorAll("div.rn-overview")) {
    const form = overview.querySelector("form.rn-overview-filters");
    const rows = Array.from(overview.querySelectorAll("tbody tr"));
    const shown = overview.querySelector(".rn-overview-shown");
    if (!form) continue;
    const controls = Array.from(form.querySelectorAll("[data-filter]"));
    const apply = () => {
      let count = 0;
      for (const row of rows) {
        let match = true;
        for (const control of controls) {
          const wanted = control.value.trim().toLowerCase();
          if (!wanted) continue;
          const name = control.dataset.filter;
          if (name === "text") {
            const words = wanted.replace(/^bz#/, "").split(/\s+/);
            match = words.every((word) => row.dataset.text.includes(word));
          } else {
            match = (row.dataset[name] || "").toLowerCase().split("|").includes(wanted);
          }
          if (!match) break;
        }
        row.hidden = !match;
        if (match) count += 1;
      }
      if (shown) {
        shown.textContent = shown.dataset.template
          .replace("%(shown)s", String(count)).replace("%(total)s", String(rows.length));
      }
    };
    form.addEventListener("input", apply);
    form.addEventListener("submit", (event) => event.preventDefault());
    form.hidden = false;
    apply();
  }
});
