// The compose page's formatting buttons (bold, link, list, heading) and merge-field buttons.
// Progressive enhancement: the toolbars are in the page but `hidden`; without JavaScript the
// textarea is a plain Markdown box with the syntax hint above it. The Content-Security-Policy
// allows no inline script, so this is a file; it uses no eval.
//
// A merge field and a link address are put between directional isolates (LRI ... PDI), so
// "{{ first_name }}" and "https://…" read in order inside right-to-left Arabic text instead
// of being turned around by the bidi algorithm. messaging/compose.py removes the isolates
// before rendering: the email isolates with markup.
(function () {
  "use strict";
  var LRI = "\u2066", PDI = "\u2069";

  function lineStart(value, index) {
    return value.lastIndexOf("\n", index - 1) + 1;
  }

  function replace(area, start, end, text, selectFrom, selectTo) {
    area.focus();
    area.setRangeText(text, start, end, "end");
    if (selectFrom !== undefined) {
      area.setSelectionRange(start + selectFrom, start + selectTo);
    }
    area.dispatchEvent(new Event("input", {bubbles: true}));
  }

  var actions = {
    bold: function (area, button) {
      var s = area.selectionStart, e = area.selectionEnd, picked = area.value.slice(s, e);
      replace(area, s, e, "**" + picked + "**", 2, 2 + picked.length);
    },
    link: function (area, button) {
      var s = area.selectionStart, e = area.selectionEnd;
      var label = area.value.slice(s, e) || button.dataset.text || "link";
      var text = "[" + label + "](" + LRI + "https://" + PDI + ")";
      var at = text.indexOf("https://");
      replace(area, s, e, text, at, at + "https://".length);  // the address, ready to be typed over
    },
    list: function (area) {
      prefixLines(area, "- ");
    },
    heading: function (area) {
      prefixLines(area, "## ");
    }
  };

  function prefixLines(area, prefix) {
    var value = area.value, s = lineStart(value, area.selectionStart);
    var e = area.selectionEnd, stop = value.indexOf("\n", e > s && value[e - 1] === "\n" ? e - 1 : e);
    if (stop === -1) stop = value.length;
    var lines = value.slice(s, stop).split("\n").map(function (line) {
      return line.indexOf(prefix) === 0 ? line.slice(prefix.length) : prefix + line.replace(/^(#+ |- )/, "");
    });
    var text = lines.join("\n");
    // Markdown starts a list only after a blank line: "text\n- item" would stay one paragraph.
    var before = value.slice(lineStart(value, Math.max(s - 1, 0)), Math.max(s - 1, 0));
    if (prefix === "- " && s > 0 && lines[0].indexOf(prefix) === 0 && before.trim() && before.indexOf(prefix) !== 0) {
      text = "\n" + text;
    }
    replace(area, s, stop, text, text.length, text.length);
  }

  function insertField(area, name) {
    var s = area.selectionStart, e = area.selectionEnd;
    var text = LRI + "{{ " + name + " }}" + PDI;
    replace(area, s, e, text, text.length, text.length);
  }

  document.querySelectorAll(".md-toolbar[data-for]").forEach(function (bar) {
    var area = document.getElementById(bar.dataset.for);
    if (!area || typeof area.setRangeText !== "function") return;
    bar.hidden = false;
    bar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !bar.contains(button)) return;
      event.preventDefault();
      if (button.dataset.field) {
        insertField(area, button.dataset.field);
      } else if (actions[button.dataset.md]) {
        actions[button.dataset.md](area, button);
      }
    });
  });
})();
