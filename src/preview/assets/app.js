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
})();
