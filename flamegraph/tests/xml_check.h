// A small well-formedness check for the SVG the tests read: every start tag
// is closed in order, attributes are quoted, and '&' only starts an entity.
// Not a full XML parser; enough to catch a broken document.
#pragma once

#include <string>
#include <vector>

namespace xmlcheck {

// Empty when `doc` is balanced; otherwise what is wrong and where.
inline std::string problems(const std::string& doc) {
  std::vector<std::string> open;
  auto at = [](size_t pos) { return " at byte " + std::to_string(pos); };
  for (size_t i = 0; i < doc.size();) {
    if (doc[i] == '&') {
      size_t semi = doc.find(';', i);
      std::string entity = semi == std::string::npos ? "" : doc.substr(i, semi - i + 1);
      if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" &&
          entity != "&apos;")
        return "bare '&'" + at(i);
      i = semi + 1;
      continue;
    }
    if (doc[i] == '>') return "bare '>'" + at(i);
    if (doc[i] != '<') { ++i; continue; }
    auto skipTo = [&](const char* end) {
      size_t e = doc.find(end, i);
      return e == std::string::npos ? e : e + std::string(end).size();
    };
    size_t next;
    if (doc.compare(i, 9, "<![CDATA[") == 0) next = skipTo("]]>");
    else if (doc.compare(i, 4, "<!--") == 0) next = skipTo("-->");
    else if (doc.compare(i, 2, "<?") == 0) next = skipTo("?>");
    else {
      // A tag: quoted values may hold anything but their quote.
      size_t j = i + 1;
      char quote = 0;
      for (; j < doc.size() && (quote || doc[j] != '>'); ++j) {
        if (quote && doc[j] == quote) quote = 0;
        else if (!quote && (doc[j] == '"' || doc[j] == '\'')) quote = doc[j];
        else if (!quote && doc[j] == '<') return "'<' inside a tag" + at(j);
      }
      if (j >= doc.size()) return "unterminated tag" + at(i);
      std::string tag = doc.substr(i + 1, j - i - 1);
      size_t nameEnd = tag.find_first_of(" \t\n/");
      if (tag[0] == '/') {
        std::string name = tag.substr(1);
        if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open" + at(i);
        open.pop_back();
      } else if (tag.back() != '/') {
        open.push_back(tag.substr(0, nameEnd));
      }
      next = j + 1;
    }
    if (next == std::string::npos) return "unterminated markup" + at(i);
    i = next;
  }
  return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

}  // namespace xmlcheck
