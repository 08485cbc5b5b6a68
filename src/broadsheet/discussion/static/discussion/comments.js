// Reply in place: with JavaScript, "Reply" moves the comment form under the comment
// instead of opening the reply page. Without JavaScript the link still works.
(function () {
  "use strict";
  var section = document.getElementById("add-comment");
  if (!section) { return; }
  var form = section.querySelector("form.comment-form");
  var heading = document.getElementById("add-comment-heading");
  var parentInput = form && form.querySelector("input[name=parent]");
  if (!form || !parentInput) { return; }
  var home = section.parentNode;
  var homeNext = section.nextSibling;
  var originalHeading = heading.textContent;

  var cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "secondary cancel-reply";
  cancel.textContent = "Cancel reply";
  cancel.hidden = true;
  form.querySelector(".actions").appendChild(cancel);

  cancel.addEventListener("click", function () {
    parentInput.value = "";
    heading.textContent = originalHeading;
    cancel.hidden = true;
    home.insertBefore(section, homeNext);
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.reply-link");
    if (!link) { return; }
    // Ctrl-, Shift-, Cmd- and middle-clicks keep their meaning: open the reply page.
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    var comment = link.closest("article.comment");
    parentInput.value = link.getAttribute("data-parent");
    heading.textContent = "Reply to " + link.textContent.replace(/^Reply\s*to\s*/, "").trim();
    cancel.hidden = false;
    comment.parentNode.insertBefore(section, comment.nextSibling);
    var body = form.querySelector("textarea");
    if (body) { body.focus(); }
  });
})();
