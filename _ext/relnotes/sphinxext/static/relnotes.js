// Copy buttons for verified snippets: they copy the file's bytes, kept base64-encoded in a
// <template> beside the block (the highlighted text loses tabs and trailing blanks), all but
// one final newline: pasted into a shell, a command then waits for the reader to replace its
// placeholders (GUEST) and press Enter, instead of running at once. The download link gives
// the file byte for byte.
// The words come from the extension's message catalog (window.RELNOTES_MESSAGES, per language).
document.addEventListener("DOMContentLoaded", () => {
  const words = Object.assign(
    { copy: "copy", copied: "copied", copyTitle: "Copy the file's exact contents" },
    window.RELNOTES_MESSAGES || {},
  );
  for (const snippet of document.querySelectorAll("div.rn-snippet")) {
    const bytes = snippet.querySelector("template.rn-snippet-bytes");
    const caption = snippet.querySelector(".rn-snippet-caption");
    if (!bytes || !caption) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "rn-copy";
    button.textContent = words.copy;
    button.title = words.copyTitle;
    // The accessible name says which file: a page may have several copy buttons.
    const name = caption.querySelector("code");
    button.setAttribute("aria-label", name ? `${words.copy} ${name.textContent}` : words.copy);
    button.addEventListener("click", async () => {
      const raw = Uint8Array.from(atob(bytes.dataset.content), (c) => c.charCodeAt(0));
      await navigator.clipboard.writeText(new TextDecoder().decode(raw).replace(/\n$/, ""));
      button.textContent = words.copied;
      setTimeout(() => { button.textContent = words.copy; }, 1500);
    });
    caption.append(" ", button);
  }
  // Any other code block: one button copying its text, the same way.
  for (const block of document.querySelectorAll("div.highlight")) {
    if (block.closest("div.rn-snippet")) continue;
    const pre = block.querySelector("pre");
    if (!pre) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "rn-copy rn-copy-block";
    button.textContent = words.copy;
    button.title = words.copyTitle;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(pre.innerText.replace(/\n$/, ""));
      button.textContent = words.copied;
      setTimeout(() => { button.textContent = words.copy; }, 1500);
    });
    block.before(button);
  }
});

// The reader's version: ?libvirt=9.0 in the URL, remembered across pages (localStorage). On a
// page with a version picker, the other versions' columns and lines step aside; without the
// script the picker stays hidden and every version is shown.
(() => {
  const PARAMETER = "libvirt";
  const KEY = "relnotes-libvirt";
  const remembered = () => { try { return localStorage.getItem(KEY) || ""; } catch { return ""; } };
  const choose = (value) => {
    try { if (value) localStorage.setItem(KEY, value); else localStorage.removeItem(KEY); } catch { /* private mode */ }
    const url = new URL(window.location.href);
    if (value) url.searchParams.set(PARAMETER, value); else url.searchParams.delete(PARAMETER);
    window.history.replaceState(window.history.state, "", url);
    for (const element of document.querySelectorAll(".rn-versioned [data-version]")) {
      element.classList.toggle("rn-other-version", Boolean(value) && element.dataset.version !== value);
    }
    document.dispatchEvent(new CustomEvent("relnotes:version", { detail: value }));
  };
  document.addEventListener("DOMContentLoaded", () => {
    const picker = document.querySelector("form.rn-version-picker");
    const select = picker && picker.querySelector("select");
    if (!select) return;
    const known = Array.from(select.options, (option) => option.value);
    const asked = new URLSearchParams(window.location.search).get(PARAMETER);
    let value = asked === null ? remembered() : asked;
    if (!known.includes(value)) value = "";
    select.value = value;
    picker.hidden = false;
    picker.addEventListener("submit", (event) => event.preventDefault());
    select.addEventListener("change", () => choose(select.value));
    choose(value);
  });
})();

// Search words highlighted on the page a search result leads to. Sphinx's sphinx_highlight.js
// (and what it needs) is not loaded by every page: only when there are words to highlight,
// ?highlight= in the URL or the terms the search page left for the next page, from the list
// the page's head gives (the scripts' URLs as the build linked them).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof SphinxHighlight !== "undefined") return; // the search page has it already
  let left = null;
  try { left = localStorage.getItem("sphinx_highlight_terms"); } catch { /* private mode */ }
  const asked = new URLSearchParams(window.location.search).get("highlight");
  if (!(asked && asked.trim()) && !(left && left.trim())) return;
  const listing = document.getElementById("relnotes-highlight-scripts");
  if (!listing) return;
  for (const url of JSON.parse(listing.textContent)) {
    const script = document.createElement("script");
    script.src = url;
    script.async = false; // run in the listed order
    document.head.append(script);
  }
});

// Each snippet's evidence is on its issue's evidence page; its disclosure holds a link there.
// Opening the disclosure fetches that page (same origin, once per page) and puts the snippet's
// part above the link; when the fetch fails, the link is what the reader has, as without the
// script.
document.addEventListener("DOMContentLoaded", () => {
  const pages = new Map();
  const fetched = (url) => {
    if (!pages.has(url)) {
      pages.set(url, fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${response.status} ${url}`);
        return response.text();
      }).then((text) => new DOMParser().parseFromString(text, "text/html")));
      pages.get(url).catch(() => pages.delete(url));  // the next opening tries again
    }
    return pages.get(url);
  };
  for (const details of document.querySelectorAll("details.rn-snippet-details")) {
    const link = details.querySelector("a.rn-evidence-link");
    if (!link) continue;
    details.addEventListener("toggle", async () => {
      if (!details.open || details.dataset.evidence) return;
      details.dataset.evidence = "loading";
      try {
        const url = new URL(link.href);
        const page = await fetched(url.href.split("#")[0]);
        const part = page.getElementById(decodeURIComponent(url.hash.slice(1)));
        const body = part && part.querySelector(".rn-evidence-body");
        if (!body) throw new Error(`no evidence at ${url}`);
        const evidence = document.createElement("div");
        evidence.className = "rn-evidence-body";
        evidence.append(...Array.from(body.childNodes, (node) => document.importNode(node, true)));
        link.closest("p").before(evidence);
        details.dataset.evidence = "shown";
      } catch (error) {
        delete details.dataset.evidence;
        console.warn(error);
      }
    });
  }
});
