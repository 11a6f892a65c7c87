// Caravan Live: fills the empty #adverts container from /api/adverts.
// The listing loads one batch at start and one more each time the reader scrolls near the
// bottom (an endless list). Advert text is attacker-controlled: it is only ever set through
// textContent, never innerHTML.
(function () {
  "use strict";

  var list = document.getElementById("adverts");
  var status = document.getElementById("status");
  if (!list) {
    return;
  }
  var nextOffset = 0;
  var loading = false;
  var finished = false;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function textWithBreaks(node, text) {
    var lines = text.replace(/\n+$/, "").split("\n");
    lines.forEach(function (line, index) {
      if (index > 0) {
        node.appendChild(document.createElement("br"));
      }
      node.appendChild(document.createTextNode(line));
    });
  }

  function render(item) {
    var advert = element("div", "advert");
    advert.setAttribute("data-id", String(item.id));
    var heading = element("h2", "advert-title");
    var link = element("a", "advert-link", item.title);
    link.setAttribute("href", item.url);
    heading.appendChild(link);
    var meta = element("div", "advert-meta");
    meta.appendChild(element("span", "advert-author", item.author));
    meta.appendChild(document.createTextNode(" · "));
    var date = element("time", "advert-date", item.posted_display);
    if (!item.posted_is_relative) {
      date.setAttribute("datetime", item.posted);
    }
    meta.appendChild(date);
    var body = element("div", "advert-body");
    textWithBreaks(body, item.text);
    [heading, body].forEach(function (node) {
      if (item.dir === "rtl") {
        node.setAttribute("dir", "rtl");
        node.setAttribute("lang", item.lang);
      }
    });
    advert.appendChild(heading);
    advert.appendChild(meta);
    advert.appendChild(body);
    list.appendChild(advert);
  }

  function showStatus(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function loadMore() {
    if (loading || finished) {
      return;
    }
    loading = true;
    showStatus("Loading…");
    fetch(list.getAttribute("data-api") + "?offset=" + nextOffset)
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (page) {
        page.items.forEach(render);
        if (page.next_offset === null) {
          finished = true;
          showStatus(page.total ? "That's everything." : "No offers yet.");
        } else {
          nextOffset = page.next_offset;
          showStatus("Scroll for more");
        }
      })
      .catch(function (error) {
        showStatus("Could not load adverts: " + error.message);
      })
      .then(function () {
        loading = false;
      });
  }

  function nearBottom() {
    var seen = window.innerHeight + window.scrollY;
    return seen >= document.documentElement.scrollHeight - 200;
  }

  function loadOne(slug) {
    fetch("/api/adverts/" + encodeURIComponent(slug))
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(render)
      .catch(function (error) {
        showStatus("Could not load the advert: " + error.message);
      });
  }

  var single = list.getAttribute("data-advert");
  if (single) {
    loadOne(single);
    return;
  }
  // Only a real scroll loads more: the first batch is taller than a screen, so nothing
  // else would ever reach the bottom by itself.
  window.addEventListener(
    "scroll",
    function () {
      if (nearBottom()) {
        loadMore();
      }
    },
    { passive: true }
  );
  loadMore();
})();
