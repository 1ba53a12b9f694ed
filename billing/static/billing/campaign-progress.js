// Follows a billing campaign while the worker issues it: updates the progress bar and the
// error list from the JSON progress endpoint, then reloads the page when it is finished.
(function () {
  var box = document.getElementById("campaign-progress");
  if (!box || box.dataset.running !== "1") return;
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.max = Math.max(data.total, 1);
        bar.value = data.done;
        text.textContent = data.done + " sur " + data.total;
        document.getElementById("progress-issued").textContent = data.issued;
        var delivery = document.getElementById("delivery-bar");
        delivery.max = Math.max(data.issued, 1);
        delivery.value = data.delivered;
        document.getElementById("delivery-text").textContent = data.delivered + " sur " + data.issued;
        document.getElementById("progress-skipped").textContent = data.skipped;
        document.getElementById("campaign-state").textContent = data.state_label;
        var list = document.getElementById("progress-errors");
        list.textContent = "";
        data.errors.forEach(function (error) {
          var item = document.createElement("li");
          item.className = "alert alert--error";
          item.textContent = error.member + " : " + error.error;
          list.appendChild(item);
        });
        if (data.finished) { window.location.reload(); } else { setTimeout(poll, 700); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
