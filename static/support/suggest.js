// Suggest help articles while a member types its request (seed 001 art. 4: members read
// the online help before filing). Without JavaScript the page links to the help instead.
(function () {
  const form = document.querySelector("form[data-suggest-url]");
  if (!form) return;
  const box = document.getElementById("help-suggestions");
  const list = box.querySelector("ul");
  const fields = ["id_subject", "id_description"].map((id) => document.getElementById(id));
  let timer = null;
  function refresh() {
    const text = fields.map((f) => (f ? f.value : "")).join(" ");
    const url = new URL(form.dataset.suggestUrl, window.location.href);
    url.searchParams.set("q", text.slice(0, 2000));
    fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { articles: [] }))
      .then((data) => {
        list.replaceChildren(
          ...data.articles.map((article) => {
            const item = document.createElement("li");
            const link = document.createElement("a");
            link.href = article.url;
            link.target = "_blank";
            link.textContent = article.title;
            item.append(link);
            return item;
          })
        );
        box.hidden = data.articles.length === 0;
      })
      .catch(() => {});
  }
  fields.forEach((field) => {
    if (!field) return;
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
  });
})();
