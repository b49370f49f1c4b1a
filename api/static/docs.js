// Renders /openapi.json as a page: operations, parameters, bodies, responses, schemas.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

// Inline code spans (`like this`) in descriptions, without innerHTML.
function prose(text) {
  return (text || "").split("`").map((part, i) => (i % 2 ? el("code", {}, part) : part));
}

function refName(ref) { return ref.split("/").pop(); }

function typeLabel(schema) {
  if (!schema) return "";
  if (schema.$ref) return refName(schema.$ref);
  if (schema.anyOf || schema.oneOf) return (schema.anyOf || schema.oneOf).map(typeLabel).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  let label = [].concat(schema.type || "any").join(" | ");
  if (schema.type === "array" && schema.items) label = typeLabel(schema.items) + "[]";
  if (schema.enum) label += " (" + schema.enum.join(", ") + ")";
  return label;
}

function constraints(schema) {
  const parts = [];
  for (const key of ["minLength", "maxLength", "minimum", "maximum", "maxItems", "default"]) {
    if (schema[key] !== undefined) parts.push(key + " " + JSON.stringify(schema[key]));
  }
  return parts.join(", ");
}

function schemaTable(schema) {
  if (schema.$ref) return el("p", {}, "Schema ", el("a", {href: "#schema-" + refName(schema.$ref)}, refName(schema.$ref)));
  if (!schema.properties) return el("p", {}, el("code", {}, typeLabel(schema)), " ", constraints(schema));
  const required = new Set(schema.required || []);
  return el("table", {},
    el("tr", {}, el("th", {}, "Field"), el("th", {}, "Type"), el("th", {}, "Notes")),
    Object.entries(schema.properties).map(([name, prop]) => el("tr", {},
      el("td", {}, el("code", {}, name), required.has(name) ? "" : el("span", {class: "muted"}, " optional")),
      el("td", {}, prop.$ref ? el("a", {href: "#schema-" + refName(prop.$ref)}, refName(prop.$ref)) : typeLabel(prop)),
      el("td", {}, prose(prop.description), " ", el("span", {class: "muted"}, constraints(prop))))));
}

function operation(path, method, op) {
  const id = "op-" + (op.operationId || method + path);
  const body = op.requestBody ? Object.entries(op.requestBody.content).map(([type, media]) =>
    el("details", {open: ""}, el("summary", {}, "Request body ", el("code", {}, type)),
      schemaTable(media.schema),
      media.example !== undefined ? el("pre", {}, typeof media.example === "string" ? media.example : JSON.stringify(media.example, null, 2)) : null)) : [];
  const params = (op.parameters || []).length ? el("table", {},
    el("tr", {}, el("th", {}, "Query parameter"), el("th", {}, "Type"), el("th", {}, "Notes")),
    op.parameters.map((p) => el("tr", {}, el("td", {}, el("code", {}, p.name)),
      el("td", {}, typeLabel(p.schema)), el("td", {}, prose(p.description))))) : null;
  const responses = el("table", {},
    el("tr", {}, el("th", {}, "Status"), el("th", {}, "Body"), el("th", {}, "Meaning")),
    Object.entries(op.responses).map(([status, response]) => {
      const [type, media] = Object.entries(response.content || {})[0] || ["", {}];
      return el("tr", {}, el("td", {class: "status"}, status),
        el("td", {}, media.schema ? el("span", {}, el("code", {}, type), " ", media.schema.$ref
          ? el("a", {href: "#schema-" + refName(media.schema.$ref)}, refName(media.schema.$ref)) : typeLabel(media.schema)) : ""),
        el("td", {}, prose(response.description)));
    }));
  return el("section", {class: "op", id},
    el("h3", {}, el("span", {class: "method " + method}, method), " ", el("code", {}, path), " — ", op.summary || ""),
    el("p", {}, prose(op.description)), params, body, el("h4", {}, "Responses"), responses);
}

function render(spec) {
  document.title = spec.info.title + " " + spec.info.version;
  document.getElementById("title").textContent = spec.info.title + " " + spec.info.version;
  document.getElementById("description").replaceChildren(...prose(spec.info.description));
  const toc = el("ul");
  const ops = document.getElementById("operations");
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const section = operation(path, method, op);
      ops.append(section);
      toc.append(el("li", {}, el("a", {href: "#" + section.id}, el("span", {class: "method " + method}, method), " ", path)));
    }
  }
  document.getElementById("toc").replaceChildren(toc);
  const schemas = document.getElementById("schemas");
  for (const [name, schema] of Object.entries(spec.components.schemas)) {
    schemas.append(el("div", {id: "schema-" + name}, el("h3", {}, name), el("p", {}, prose(schema.description)), schemaTable(schema)));
  }
  document.getElementById("schemas-section").hidden = false;
}

fetch("/openapi.json")
  .then((response) => response.json())
  .then(render)
  .catch((error) => { document.getElementById("description").textContent = "Could not load /openapi.json: " + error; });
