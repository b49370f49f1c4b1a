// Slant's web page: send the pasted article to POST /v1/analyze and show the result.
//
// Everything the user pasted is put on the page with textContent and text nodes and is
// never parsed as HTML, so markup in an article stays plain, inert text.
"use strict";

(function () {
  const form = document.getElementById("analyze-form");
  const titleInput = document.getElementById("title");
  const textInput = document.getElementById("text");
  const counter = document.getElementById("text-count");
  const button = document.getElementById("analyze");
  const statusBox = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const results = document.getElementById("results");
  const articleBox = document.getElementById("article");
  const summaryBody = document.getElementById("summary-body");
  const details = document.getElementById("details");
  const showScores = document.getElementById("show-scores");

  const endpoint = form.dataset.endpoint;
  const maxChars = Number(form.dataset.maxChars);
  const info = new WeakMap(); // highlighted element -> {kind, sentence, term}
  let requestNumber = 0;
  let shown = null; // the element whose details are showing

  // ------------------------------------------------------------------ small helpers
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fmt(value, digits = 2) {
    return value === null || value === undefined ? "n/a" : Number(value).toFixed(digits);
  }

  function percent(value) {
    return value === null || value === undefined ? "n/a" : Math.round(value * 100) + "%";
  }

  function level(score, cuts) { // 0 below cuts[0], 1, 2, ... up to cuts.length
    let n = 0;
    for (const cut of cuts) if (score >= cut) n += 1;
    return n;
  }

  function likelihood(score) {
    return ["unlikely", "possible", "likely", "very likely"][level(score, [0.25, 0.5, 0.75])];
  }

  function codePoints(text) { // API offsets count code points, JS strings UTF-16 units
    return Array.from(text);
  }

  function count(noun, n) {
    return n.toLocaleString("en") + " " + noun + (n === 1 ? "" : "s");
  }

  // ------------------------------------------------------------------ the form
  function updateCounter() {
    const n = codePoints(textInput.value).length;
    counter.textContent = count("character", n) + " (limit " + maxChars.toLocaleString("en") + ")";
    counter.classList.toggle("over", n > maxChars);
    if (n > maxChars) counter.textContent += ": too long to analyse";
  }

  function clearError() {
    errorBox.replaceChildren();
    for (const input of [titleInput, textInput]) input.removeAttribute("aria-invalid");
  }

  const FRIENDLY = {
    empty_text: "There is nothing to analyse yet: paste an article into the text box.",
    text_too_long: "This article is too long to analyse in one go. Try a shorter part of it.",
    invalid_text: "The text contains characters Slant cannot read, such as control characters.",
    body_too_large: "This article is too large to send. Try a shorter part of it.",
    rate_limited: "Too many analyses in a short time. Wait a moment and try again.",
    model_unavailable: "The Slant model is not available right now. Try again later.",
    timeout: "This article took too long to analyse. Try a shorter part of it.",
    internal_error: "Something went wrong inside Slant. This is a bug; please report it.",
  };

  function showError(headline, detail, field) {
    hideDetails();
    results.hidden = true; // earlier results would not match the text in the box
    errorBox.replaceChildren(el("p", "error-title", headline));
    if (detail) errorBox.append(el("p", "error-detail", detail));
    const input = field === "title" ? titleInput : field === "text" ? textInput : null;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
    statusBox.textContent = "";
  }

  function showApiError(error, status) {
    const code = error && typeof error.code === "string" ? error.code : "";
    const message = error && typeof error.message === "string" ? error.message : "";
    const field = error && typeof error.field === "string" ? error.field : null;
    let headline = FRIENDLY[code] || "Slant could not analyse this text.";
    if (field === "title" && code === "empty_text") headline = "The headline is blank.";
    const where = field ? " (in the " + (field === "text" ? "article text" : field) + ")" : "";
    showError(headline, message ? "The server said: " + message + where + " [HTTP " + status + "]." : "", field);
  }

  async function analyse(event) {
    event.preventDefault();
    clearError();
    const text = textInput.value;
    const title = titleInput.value.trim() ? titleInput.value : null;
    const mine = ++requestNumber;
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    statusBox.textContent = "Analysing…";
    try {
      let response;
      try {
        response = await fetch(endpoint, {
          method: "POST",
          headers: {"Content-Type": "application/json", "Accept": "application/json"},
          body: JSON.stringify({text: text, title: title, options: {explain: true}}),
        });
      } catch (err) {
        if (mine === requestNumber) {
          showError("Could not reach the Slant server. Check that it is still running " +
                    "(slant serve) and try again.", String(err && err.message || err));
        }
        return;
      }
      let body = null;
      try {
        body = await response.json();
      } catch (err) {
        body = null;
      }
      if (mine !== requestNumber) return; // a newer request is on its way
      if (!body || typeof body !== "object") {
        showError("The server sent a reply this page cannot read (HTTP " + response.status +
                  "). Try again in a moment.", "");
      } else if (!response.ok || body.error) {
        showApiError(body.error, response.status);
      } else {
        render(body, text, title);
      }
    } finally {
      if (mine === requestNumber) {
        button.disabled = false;
        form.removeAttribute("aria-busy");
      }
    }
  }

  // ------------------------------------------------------------------ the article
  function render(result, text, title) {
    hideDetails();
    articleBox.replaceChildren();
    if (result.title && title !== null) {
      const heading = el("p", "article-title");
      heading.append(sentenceNode(codePoints(title), result.title, "Headline"));
      articleBox.append(heading);
    }
    const body = el("div", "article-body");
    const chars = codePoints(text);
    let pos = 0;
    let previous = null;
    for (const sentence of result.sentences) {
      const gap = chars.slice(pos, sentence.start).join("");
      if (gap) body.append(gap);
      // One "quoted" badge per paragraph's run of quoted sentences; italics and the bar
      // mark each of them.
      const badge = sentence.quoted && !(previous && previous.quoted && !gap.includes("\n"));
      body.append(sentenceNode(chars, sentence, "Sentence " + (sentence.index + 1), badge));
      pos = Math.max(pos, sentence.end);
      previous = sentence;
    }
    if (pos < chars.length) body.append(chars.slice(pos).join(""));
    articleBox.append(body);
    renderSummary(result);
    results.hidden = false;

    const terms = articleBox.querySelectorAll(".term").length;
    const article = result.article;
    statusBox.textContent = "Analysed " + count("sentence", result.sentences.length) + ": " +
      count("loaded term", terms) + " highlighted; article loaded " + fmt(article.loaded) +
      ", stance " + fmt(article.stance) + ". The results follow the form.";
  }

  function sentenceNode(chars, sentence, label, badge = sentence.quoted) {
    const node = el("span", "sentence stance-" + level(sentence.stance, [0.25, 0.5, 0.75]));
    node.tabIndex = 0;
    node.setAttribute("aria-describedby", "details");
    node.dataset.label = label;
    info.set(node, {kind: "sentence", sentence: sentence});
    if (sentence.quoted) node.classList.add("quoted");
    if (badge) node.append(el("span", "badge", "quoted"));
    const terms = sentence.terms.slice().sort((a, b) => a.start - b.start);
    let pos = sentence.start;
    for (const term of terms) {
      if (term.start < pos || term.end > sentence.end) continue; // overlapping: skip
      if (term.start > pos) node.append(chars.slice(pos, term.start).join(""));
      const mark = el("mark", "term " + term.polarity + " level-" +
                      level(term.score, [0.25, 0.5]));
      mark.textContent = chars.slice(term.start, term.end).join("");
      mark.tabIndex = 0;
      mark.setAttribute("aria-describedby", "details");
      info.set(mark, {kind: "term", sentence: sentence, term: term});
      node.append(mark);
      pos = term.end;
    }
    if (sentence.end > pos) node.append(chars.slice(pos, sentence.end).join(""));
    node.append(el("span", "score-tag",
                   "loaded " + fmt(sentence.loaded) + " · stance " + fmt(sentence.stance)));
    return node;
  }

  // ------------------------------------------------------------------ explanations
  const LEXICONS = {
    assertives: "assertive verbs (claim, insist…)",
    factives: "factive verbs (reveal, realise…)",
    hedges: "hedging words (may, perhaps…)",
    implicatives: "implicative verbs (manage, dare…)",
    mpqa_strong: "strongly subjective words",
    mpqa_weak: "mildly subjective words",
    negative: "negative opinion words",
    positive: "positive opinion words",
    npov: "words Wikipedia editors removed as biased",
    report_verbs: "reporting verbs (said, told…)",
  };

  function describeFeature(name, weight) {
    const cut = name.indexOf("__");
    const kind = cut < 0 ? "" : name.slice(0, cut);
    const value = cut < 0 ? name : name.slice(cut + 2);
    if (kind === "words") {
      return (value.includes(" ") ? "the words “" : "the word “") + value + "”";
    }
    if (kind === "chars") {
      const core = value.trim();
      const starts = value.startsWith(" ");
      const ends = value.endsWith(" ");
      if (starts && ends) return "the word “" + core + "”";
      if (starts) return "words starting “" + core + "…”";
      if (ends) return "words ending “…" + core + "”";
      return "the letters “" + core + "” inside a word";
    }
    if (kind === "terms") {
      // Relative to a typical sentence: a negative push means even its strongest word is mild.
      return weight > 0 ? "the loaded word “" + value + "”"
                        : "no strongly loaded word (the strongest is “" + value + "”)";
    }
    if (kind === "lexicons" && value === "length") return "the sentence's length";
    if (kind === "lexicons" && value.startsWith("lexicon_")) {
      const lexicon = value.slice("lexicon_".length);
      return LEXICONS[lexicon] || "words from the “" + lexicon + "” list";
    }
    return name;
  }

  function reasons(features, headName) {
    const list = el("ul", "reasons");
    for (const item of (features || []).slice(0, 3)) {
      const up = item.weight > 0;
      const li = el("li", up ? "up" : "down");
      li.append(el("span", "arrow", up ? "▲ raised" : "▼ lowered"));
      li.append(" " + headName + ": " + describeFeature(item.feature, item.weight));
      list.append(li);
    }
    return list;
  }

  function scoreLine(name, value, meaning) {
    const p = el("p", "score-line");
    p.append(el("strong", null, name + " " + fmt(value)));
    p.append(" (" + likelihood(value) + "): " + meaning);
    return p;
  }

  function fillDetails(node) {
    const data = info.get(node);
    const sentence = data.sentence;
    details.replaceChildren();
    if (data.kind === "term") {
      const term = data.term;
      details.append(el("p", "details-title", "“" + term.text + "”"));
      details.append(el("p", "tag " + term.polarity,
                        (term.polarity === "negative" ? "− negative" : "+ positive") +
                        " loaded term, score " + fmt(term.score)));
      details.append(el("p", null, "The chance an annotator would mark this word as " +
                        "loaded. Annotators mark few words, so even strong ones score low."));
      if (term.quoted) details.append(el("p", "tag quoted-tag", "Inside a quotation: a source's words."));
      details.append(el("p", "details-sub", "Its sentence: loaded " + fmt(sentence.loaded) +
                        ", stance " + fmt(sentence.stance) + (sentence.quoted ? ", quoted" : "")));
    } else {
      details.append(el("p", "details-title", node.dataset.label +
                        (sentence.quoted ? " · quoted" : "")));
      details.append(scoreLine("Loaded", sentence.loaded, "emotionally charged wording."));
      details.append(scoreLine("Stance", sentence.stance, "the writer's own opinion, not reporting."));
      if (sentence.quoted) {
        details.append(el("p", "tag quoted-tag", "Quoted or attributed speech: left out of " +
                          "the article's averages."));
      }
      if (sentence.terms.length) {
        details.append(el("p", null, "Loaded terms: " + sentence.terms.map(
          (t) => t.text + " (" + t.polarity + ", " + fmt(t.score) + ")"
        ).join(", ")));
      }
    }
    if (sentence.explain) {
      details.append(el("p", "details-sub", "Why: what moved the sentence's scores most"));
      details.append(reasons(sentence.explain.loaded, "loaded"));
      details.append(reasons(sentence.explain.stance, "stance"));
    }
  }

  function showDetails(node) {
    if (!info.has(node)) return;
    shown = node;
    fillDetails(node);
    details.hidden = false;
    const rects = node.getClientRects();
    if (!rects.length) return;
    const first = rects[0];
    const last = rects[rects.length - 1];
    const page = document.documentElement;
    const width = details.offsetWidth;
    const height = details.offsetHeight;
    const left = Math.max(8, Math.min(first.left, page.clientWidth - width - 8));
    let top = last.bottom + 6;
    if (top + height > window.innerHeight && first.top - height - 6 > 0) {
      top = first.top - height - 6;
    }
    details.style.left = left + window.scrollX + "px";
    details.style.top = top + window.scrollY + "px";
  }

  function hideDetails() {
    details.hidden = true;
    shown = null;
  }

  function highlighted(target) {
    return target instanceof Element ? target.closest(".term, .sentence") : null;
  }

  // ------------------------------------------------------------------ the summary
  function summaryScore(name, value, text) {
    const box = el("div", "score " + name.split(" ")[0].toLowerCase());
    const head = el("p", "score-head");
    head.append(el("span", "score-name", name));
    head.append(el("span", "score-value", fmt(value)));
    box.append(head);
    const bar = el("div", "bar");
    bar.setAttribute("aria-hidden", "true");
    const fill = el("div", "bar-fill");
    fill.style.width = value === null ? "0" : Math.round(value * 100) + "%";
    bar.append(fill);
    box.append(bar);
    box.append(el("p", "help", text));
    return box;
  }

  function readingTime(seconds) {
    if (seconds < 60) return "under a minute";
    const minutes = Math.round(seconds / 60);
    return "about " + count("minute", minutes);
  }

  function ease(score) {
    const bands = [[90, "very easy"], [80, "easy"], [70, "fairly easy"], [60, "plain English"],
                   [50, "fairly difficult"], [30, "difficult"]];
    for (const [cut, words] of bands) if (score >= cut) return words;
    return "very difficult";
  }

  function jumpTo(termText) {
    const wanted = termText.toLowerCase();
    for (const mark of articleBox.querySelectorAll(".term")) {
      if (mark.textContent.toLowerCase() === wanted) {
        mark.focus();
        mark.scrollIntoView({block: "center"});
        showDetails(mark);
        return;
      }
    }
  }

  function renderSummary(result) {
    const a = result.article;
    const parts = [];
    const authored = count("sentence", a.author_sentences) + " in the writer's own voice";
    parts.push(summaryScore("Loaded language", a.loaded,
      "Average chance, over " + authored + ", that an annotator would call a sentence " +
      "loaded (emotionally charged). " + percent(a.loaded_share) + " of them score 0.5 or more."));
    parts.push(summaryScore("Stance", a.stance,
      "Average chance that one of those sentences gives the writer's opinion or advocacy " +
      "rather than neutral reporting."));
    if (a.quoted_sentences) {
      parts.push(el("p", "help", count("sentence", a.quoted_sentences) + " quoted or " +
        "attributed (a source's words) left out of these averages; their loaded average is " +
        fmt(a.quoted_loaded) + "."));
    }

    const caveats = el("details", "caveats");
    caveats.append(el("summary", null, "What these scores mean, and don't"));
    const list = el("ul");
    for (const line of [
      "They are probabilities learned from news sentences labelled by annotators, not " +
        "verdicts: 0.7 means about 7 in 10 such sentences were labelled that way.",
      "A loaded sentence is not a false one, and a neutral-sounding article can still slant " +
        "by what it selects or leaves out: Slant sees wording only.",
      "The model learned from English, mostly US political news; other kinds of text are " +
        "scored less reliably. Compare articles on similar topics.",
      "Do not use the scores to rank outlets or people or to take decisions about them.",
    ]) list.append(el("li", null, line));
    caveats.append(list);
    parts.push(caveats);

    parts.push(el("h4", null, "Top loaded terms"));
    if (a.top_terms.length) {
      const terms = el("ol", "top-terms");
      for (const term of a.top_terms) {
        const li = el("li");
        const jump = el("button", "link term-link " + term.polarity, term.text);
        jump.type = "button";
        jump.setAttribute("aria-label", "Show “" + term.text + "” in the article");
        jump.addEventListener("click", () => jumpTo(term.text));
        li.append(jump);
        const meta = el("span", "term-meta");
        meta.append(el("span", "tag " + term.polarity,
                       term.polarity === "negative" ? "− negative" : "+ positive"));
        let note = " · score " + fmt(term.score);
        if (term.count > 1) note += " · " + term.count + " times";
        if (term.quoted) note += " · " + term.quoted + " in quotes";
        meta.append(note);
        li.append(meta);
        terms.append(li);
      }
      parts.push(terms);
    } else {
      parts.push(el("p", "help", "No loaded terms found."));
    }

    const r = a.readability;
    if (r) {
      parts.push(el("h4", null, "Readability"));
      const dl = el("dl", "facts");
      const facts = [
        ["Grade level", fmt(r.flesch_kincaid_grade, 1) + " (US school grade, Flesch–Kincaid); " +
                        "consensus: " + r.text_standard],
        ["Reading ease", fmt(r.flesch_reading_ease, 0) + " of 100: " + ease(r.flesch_reading_ease)],
        ["Reading time", readingTime(r.reading_time_seconds)],
        ["Length", count("word", r.words) + ", " + count("sentence", a.sentences)],
      ];
      for (const [term, value] of facts) {
        dl.append(el("dt", null, term));
        dl.append(el("dd", null, value));
      }
      parts.push(dl);
    }
    for (const warning of result.warnings || []) parts.push(el("p", "warning", "Note: " + warning));
    const model = result.model || {};
    parts.push(el("p", "muted small", "Model: " + (model.name || "?") + " " + (model.version || "")));
    summaryBody.replaceChildren(...parts);
  }

  // ------------------------------------------------------------------ wiring
  form.addEventListener("submit", analyse);
  textInput.addEventListener("input", updateCounter);
  document.getElementById("clear").addEventListener("click", () => {
    form.reset();
    clearError();
    updateCounter();
    hideDetails();
    results.hidden = true;
    statusBox.textContent = "Cleared.";
    textInput.focus();
  });
  showScores.addEventListener("change", () => {
    articleBox.classList.toggle("show-scores", showScores.checked);
  });
  let pointerAt = "";
  document.addEventListener("mousemove", (event) => {
    pointerAt = event.clientX + "," + event.clientY;
  });
  articleBox.addEventListener("mouseover", (event) => {
    // Text scrolling under a resting pointer fires mouseover too: that is not a hover.
    if (event.clientX + "," + event.clientY === pointerAt) return;
    const node = highlighted(event.target);
    if (node) showDetails(node);
  });
  articleBox.addEventListener("mouseleave", () => {
    const focused = highlighted(document.activeElement);
    if (focused && articleBox.contains(focused)) showDetails(focused);
    else hideDetails();
  });
  articleBox.addEventListener("focusin", (event) => {
    const node = highlighted(event.target);
    if (node) showDetails(node);
  });
  articleBox.addEventListener("focusout", (event) => {
    if (!articleBox.contains(event.relatedTarget)) hideDetails();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hideDetails();
  });
  window.addEventListener("resize", () => { if (shown) showDetails(shown); });
  updateCounter();
})();
