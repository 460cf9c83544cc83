#include "analysis/xml_check.h"

#include <cctype>
#include <set>
#include <vector>

namespace benchfleet::analysis {
namespace {

bool ValidEntity(const std::string& s, size_t amp) {
  const size_t semi = s.find(';', amp);
  if (semi == std::string::npos || semi - amp > 8) return false;
  const std::string name = s.substr(amp + 1, semi - amp - 1);
  static const std::set<std::string> kNamed = {"amp", "lt", "gt", "quot",
                                               "apos"};
  if (kNamed.count(name)) return true;
  if (name.size() >= 2 && name[0] == '#') {
    for (size_t i = 1; i < name.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
    }
    return true;
  }
  return false;
}

}  // namespace

std::string XmlProblems(const std::string& xml, bool html) {
  static const std::set<std::string> kVoid = {"meta", "br",   "hr",
                                              "img",  "link", "input"};
  std::vector<std::string> open;
  size_t i = 0;
  const std::string where = " at byte ";
  while (i < xml.size()) {
    const char c = xml[i];
    if (c == '&') {
      if (!ValidEntity(xml, i)) return "bad entity" + where + std::to_string(i);
      ++i;
      continue;
    }
    if (c != '<') {
      if (c == '>') return "raw '>' in text" + where + std::to_string(i);
      ++i;
      continue;
    }
    if (xml.compare(i, 9, "<!DOCTYPE") == 0 && html) {
      i = xml.find('>', i);
      if (i == std::string::npos) return "unterminated doctype";
      ++i;
      continue;
    }
    const bool closing = i + 1 < xml.size() && xml[i + 1] == '/';
    size_t j = i + (closing ? 2 : 1);
    const size_t name_start = j;
    while (j < xml.size() &&
           (std::isalnum(static_cast<unsigned char>(xml[j])) || xml[j] == '-' ||
            xml[j] == ':')) {
      ++j;
    }
    const std::string name = xml.substr(name_start, j - name_start);
    if (name.empty())
      return "'<' without a tag name" + where + std::to_string(i);
    // Attributes: name="value" pairs; values must not hold '<' or a raw '"'.
    bool self_closing = false;
    while (true) {
      while (j < xml.size() && std::isspace(static_cast<unsigned char>(xml[j])))
        ++j;
      if (j >= xml.size()) return "unterminated tag <" + name;
      if (xml[j] == '>') {
        ++j;
        break;
      }
      if (xml[j] == '/' && j + 1 < xml.size() && xml[j + 1] == '>') {
        self_closing = true;
        j += 2;
        break;
      }
      if (closing) return "attributes on closing tag </" + name;
      const size_t attr = j;
      while (j < xml.size() && xml[j] != '=' && xml[j] != '>' &&
             !std::isspace(static_cast<unsigned char>(xml[j]))) {
        ++j;
      }
      if (j >= xml.size() || xml[j] != '=' || j + 1 >= xml.size() ||
          xml[j + 1] != '"') {
        return "unquoted attribute in <" + name + where + std::to_string(attr);
      }
      const size_t end = xml.find('"', j + 2);
      if (end == std::string::npos) return "unterminated attribute in <" + name;
      const std::string value = xml.substr(j + 2, end - j - 2);
      if (value.find('<') != std::string::npos) {
        return "'<' in attribute of <" + name + where + std::to_string(attr);
      }
      for (size_t a = value.find('&'); a != std::string::npos;
           a = value.find('&', a + 1)) {
        if (!ValidEntity(value, a))
          return "bad entity in attribute of <" + name;
      }
      j = end + 1;
    }
    if (closing) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes <" + (open.empty() ? "" : open.back()) +
               ">" + where + std::to_string(i);
      }
      open.pop_back();
    } else if (!self_closing && !(html && kVoid.count(name))) {
      open.push_back(name);
      // <style> content is CSS: skip to its end tag.
      if (html && name == "style") {
        const size_t end = xml.find("</style>", j);
        if (end == std::string::npos) return "unterminated <style>";
        j = end;
      }
    }
    i = j;
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

}  // namespace benchfleet::analysis
