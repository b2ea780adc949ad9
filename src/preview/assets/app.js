// helpcenter preview: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Keep the current article visible in a long sidebar.
  var current = document.querySelector(".tree .article-link.current");
  if (current && current.scrollIntoView) {
    current.scrollIntoView({ block: "nearest" });
  }
  // Links inside an article body that leave the preview open in a new tab, as on Intercom.
  document.querySelectorAll(".article-body a[href]").forEach(function (a) {
    var href = a.getAttribute("href");
    if (/^https?:\/\//.test(href)) {
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
    }
  });
  // Live reload: the server streams a `refresh` event whenever its index of the tree changes.
  // An article page reloads when its article changed (or the tree around it did); other pages
  // reload on any change. The Changes view plans on request and is left alone.
  var changesView = document.querySelector("#nav-changes.active");
  if (window.EventSource && !changesView) {
    var article = document.querySelector("article.article[data-key]");
    var key = article ? article.getAttribute("data-key") : null;
    var events = new EventSource("/_preview/events");
    events.addEventListener("refresh", function (message) {
      var refresh;
      try {
        refresh = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      if (!key || refresh.tree || (refresh.articles || []).indexOf(key) >= 0) {
        window.location.reload();
      }
    });
  }
})();
