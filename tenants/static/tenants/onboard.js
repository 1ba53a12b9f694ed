// The operator's onboarding form: find a commune by name or INSEE code and fill the form.
(function () {
  const form = document.getElementById("onboard-form");
  const input = document.getElementById("id_commune");
  const list = document.getElementById("commune-results");
  const insee = document.getElementById("id_insee_code");
  const slug = document.getElementById("id_slug");
  const preview = document.getElementById("slug-preview");
  const chosen = document.getElementById("commune-chosen");
  const baseDomain = form.dataset.baseDomain;
  let timer = null, last = "";
  function updatePreview() { preview.textContent = (slug.value || "…") + "." + baseDomain; }
  slug.addEventListener("input", updatePreview);
  function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
  function choose(commune) {
    input.value = commune.name;
    insee.value = commune.insee_code;
    slug.value = commune.slug;
    updatePreview();
    chosen.textContent = commune.name + " (" + commune.insee_code + ", " + commune.postal_codes.join(", ") + ")";
    close();
  }
  async function search(q) {
    const response = await fetch(form.dataset.searchUrl + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}});
    if (!response.ok || q !== last) return;
    const data = await response.json();
    list.replaceChildren();
    if (!data.results.length) {
      const li = document.createElement("li");
      li.textContent = "Aucune commune ne correspond.";
      li.className = "typeahead__empty";
      list.append(li);
    }
    for (const commune of data.results) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = commune.name + " — " + commune.insee_code + " (" + commune.departement + ")"
        + (commune.onboarded ? " · déjà raccordée" : "");
      button.disabled = Boolean(commune.onboarded);
      button.addEventListener("click", () => choose(commune));
      li.append(button);
      list.append(li);
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(() => { last = q; search(q); }, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
    if (event.key === "ArrowDown" && !list.hidden) { const b = list.querySelector("button:not([disabled])"); if (b) { event.preventDefault(); b.focus(); } }
    if (event.key === "Enter" && !list.hidden) { event.preventDefault(); }
  });
})();
