// The overview's filters: the full table is in the page; this only hides rows that do not match.
// Without JavaScript the form stays hidden and every row is shown. Each filter is in the URL
// (?component=kvm&statuses=fails), so a filtered view can be shared; the status filter looks at
// the reader's version when one is chosen (relnotes.js), at every version otherwise.
document.addEventListener("DOMContentLoaded", () => {
  const picker = document.querySelector("form.rn-version-picker select");
  for (const overview of document.querySelectorAll("div.rn-overview")) {
    const form = overview.querySelector("form.rn-overview-filters");
    const rows = Array.from(overview.querySelectorAll("tbody tr"));
    const shown = overview.querySelector(".rn-overview-shown");
    if (!form) continue;
    const controls = Array.from(form.querySelectorAll("[data-filter]"));
    const params = new URLSearchParams(window.location.search);
    for (const control of controls) {
      const value = params.get(control.name);
      if (value !== null) control.value = value;
    }
    const statusesOf = (row) => {
      const version = picker ? picker.value : "";
      const cell = version ? row.querySelector(`td[data-version="${CSS.escape(version)}"]`) : null;
      return ((cell ? cell.dataset.statuses : row.dataset.statuses) || "").split("|");
    };
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
          } else if (name === "statuses") {
            match = statusesOf(row).includes(wanted);
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
      const url = new URL(window.location.href);
      for (const control of controls) {
        if (control.value.trim()) url.searchParams.set(control.name, control.value.trim());
        else url.searchParams.delete(control.name);
      }
      window.history.replaceState(window.history.state, "", url);
    };
    form.addEventListener("input", apply);
    form.addEventListener("submit", (event) => event.preventDefault());
    // A reset clears the fields after its event: filter once they are empty.
    form.addEventListener("reset", () => setTimeout(apply));
    document.addEventListener("relnotes:version", apply);
    form.hidden = false;
    apply();
  }
});
